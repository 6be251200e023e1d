"""Checking topic settings from any door: the admin form, the API and the CLI.

``topic_from_input`` turns untrusted key/value input into a ``Topic`` or a
``TopicInvalid`` carrying one plain-words message per field, so each door
can show the messages its own way (next to form fields, as JSON, on stderr).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from widget.config import to_refresh_interval
from widget.models import MAX_ITEMS
from widget.models import MAX_SLUG_LENGTH
from widget.models import Topic
from widget.models import is_valid_slug
from widget.models import slugify

SEARCH_INDEXES = ("Books", "KindleStore", "Audible", "All")
SORTS = ("AvgCustomerReviews", "Featured", "NewestArrivals", "Relevance")
FIELDS = (
    "slug",
    "title",
    "keywords",
    "search_index",
    "browse_node",
    "sort_by",
    "item_count",
    "refresh_interval",
    "pages",
)
MAX_TITLE = 80
MAX_KEYWORDS = 200


class TopicInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError
    return value.strip()


def topic_from_input(
    data: Mapping[str, Any],
    *,
    default_interval: timedelta,
    existing: Topic | None = None,
) -> Topic:
    """Build a topic from input; with ``existing``, missing fields keep their
    current values (a partial update) and the slug cannot change.

    :raises TopicInvalid: with a message per bad field.
    """
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(FIELDS))
    for key in unknown[:5]:
        errors[str(key)[:40]] = "is not a topic field"

    def field(name: str, check: Any, default: Any) -> Any:
        if name not in data or data[name] in (None, ""):
            return default
        try:
            return check(data[name])
        except (TypeError, ValueError) as exc:
            errors[name] = str(exc) if str(exc) else "has the wrong type"
            return default

    def title(value: Any) -> str:
        text = _text(value)
        if len(text) > MAX_TITLE:
            raise ValueError(f"must be at most {MAX_TITLE} characters")
        return text

    def keywords(value: Any) -> str:
        text = " ".join(_text(value).split())
        if len(text) > MAX_KEYWORDS:
            raise ValueError(f"must be at most {MAX_KEYWORDS} characters")
        return text

    def slug(value: Any) -> str:
        text = _text(value)
        if not is_valid_slug(text):
            raise ValueError(
                f"use lowercase letters, digits and hyphens, at most {MAX_SLUG_LENGTH}"
            )
        return text

    def choice(options: tuple[str, ...]) -> Any:
        def check(value: Any) -> str:
            text = _text(value)
            if text not in options:
                raise ValueError(f"must be one of {', '.join(options)}")
            return text

        return check

    def browse_node(value: Any) -> str:
        text = _text(value) if isinstance(value, str) else str(_whole(value))
        if not text.isdigit() or len(text) > 20:
            raise ValueError("must be a browse node number, e.g. 16272")
        return text

    def whole_in(low: int, high: int) -> Any:
        def check(value: Any) -> int:
            number = _whole(value)
            if not low <= number <= high:
                raise ValueError(f"must be a whole number from {low} to {high}")
            return number

        return check

    def interval(value: Any) -> timedelta:
        if isinstance(value, bool):
            raise TypeError
        try:
            return to_refresh_interval(value)
        except ValueError as exc:
            raise ValueError(str(exc)) from None

    base = existing

    def kept(name: str) -> Any:
        return getattr(base, name) if base is not None and name not in data else None

    new_title = field("title", title, base.title if base else "")
    if not new_title:
        errors.setdefault("title", "is required")
    if base is not None:
        if "slug" in data and data["slug"] not in (None, "", base.slug):
            errors["slug"] = "cannot be changed; add a new topic instead"
        new_slug = base.slug
    else:
        new_slug = field("slug", slug, slugify(new_title) if new_title else "")
        if not new_slug and "slug" not in errors and new_title:
            errors["slug"] = "could not be made from the title; give one"
    topic = Topic(
        slug=new_slug,
        title=new_title,
        keywords=field("keywords", keywords, base.keywords if base else new_title)
        or new_title,
        search_index=field(
            "search_index",
            choice(SEARCH_INDEXES),
            base.search_index if base else "Books",
        ),
        # An optional field given empty is cleared; left out, it is kept.
        browse_node=field("browse_node", browse_node, kept("browse_node")),
        sort_by=field("sort_by", choice(SORTS), kept("sort_by")),
        item_count=field(
            "item_count", whole_in(1, MAX_ITEMS), base.item_count if base else MAX_ITEMS
        ),
        refresh_interval=field(
            "refresh_interval",
            interval,
            base.refresh_interval if base else default_interval,
        ),
        pages=field("pages", whole_in(1, 3), base.pages if base else 1),
    )
    if errors:
        raise TopicInvalid(errors)
    return topic


def _whole(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("must be a whole number")
    if isinstance(value, int):
        return value
    text = _text(value)
    if not text.isdigit() or len(text) > 9:
        raise ValueError("must be a whole number")
    return int(text)
