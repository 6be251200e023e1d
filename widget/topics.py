"""Topic fields, declared once: name, kind (type and bounds), default, help.

Every door a topic comes through reads this table: ``parse_topic`` checks
API bodies, admin forms, CLI flags and imports, and the admin form, the CLI
flags, the OpenAPI schemas, the JSON of stores and exports and the README
table (tests/test_topics.py compares it) are made from it. A new field is a
row here, a kind from ``widget.fields`` (or a new one: a list, an object)
and its attribute on ``models.Topic``.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from widget.config import to_refresh_interval
from widget.fields import BookList
from widget.fields import Choice
from widget.fields import Decimal
from widget.fields import Digits
from widget.fields import Duration
from widget.fields import Flag
from widget.fields import Kind
from widget.fields import Slug
from widget.fields import StoreKeys
from widget.fields import Template
from widget.fields import Text
from widget.fields import TrackingId
from widget.fields import Whole
from widget.list_fields import ListKind
from widget.list_fields import Pins
from widget.list_fields import Words
from widget.models import MAX_ITEMS
from widget.models import MAX_REFRESH_INTERVAL
from widget.models import MIN_REFRESH_INTERVAL
from widget.models import Topic
from widget.models import slugify
from widget.stores import MARKETPLACES
from widget.stores import build_stores

SEARCH_INDEXES = ("Books", "KindleStore", "Audible", "All")
SORTS = ("AvgCustomerReviews", "Featured", "NewestArrivals", "Relevance")
#: Search result pages (of 10) the Amazon catalog ranks a topic from.
MAX_PAGES = 3
#: Where a topic's books come from: the service's catalog searches for
#: them, or the admin names them (``items``; see ``widget.catalog.manual``).
CATALOG_KINDS = ("search", "manual")
#: Books a manual topic may name (the widget shows its first ``item_count``).
MAX_MANUAL_ITEMS = 50
MAX_NOTE_LENGTH = 120
#: ``list_type``: by sales rank, or the newest books (see widget.curation).
LIST_TYPES = ("bestsellers", "new_releases")
#: How many ASINs or title words a topic may exclude.
MAX_EXCLUDED = 50


@dataclass(frozen=True)
class FromField:
    """A default made from an earlier field's value."""

    source: str
    make: Callable[[str], str] = str

    def describe(self) -> str:
        if self.make is str:
            return f"the `{self.source}`"
        return f"made from the `{self.source}`"


@dataclass(frozen=True)
class FromSetting:
    """A default that is a setting's value."""

    setting: str

    def describe(self) -> str:
        return f"`{self.setting}`"


@dataclass(frozen=True)
class TopicField:
    name: str
    label: str
    kind: Kind
    help: str
    #: A value, ``FromField`` or ``FromSetting``; used when left out or empty.
    default: Any = None
    required: bool = False  #: may not end up empty
    optional: bool = False  #: may be None: given empty, it is cleared
    fixed: bool = False  #: set when the topic is added, never changed
    flags: tuple[str, ...] = ()  #: more CLI spellings besides --field-name

    def describe_default(self) -> str:
        if isinstance(self.default, FromField | FromSetting):
            return self.default.describe()
        if self.default is None:
            return "required" if self.required else "unset"
        text = self.kind.text(self.default)
        return f"`{text}`" if text else "empty"

    def hint(self) -> str:
        """The help, what the field takes and its default: for forms and flags."""
        if self.required or self.optional:
            default = "required" if self.required else "optional"
        else:
            default = "default " + self.describe_default().replace("`", "")
        return f"{self.help} ({self.kind.describe()}; {default})"

    def value(
        self,
        data: Mapping[str, Any],
        values: Mapping[str, Any],
        settings: Mapping[str, Any],
        existing: Topic | None,
    ) -> Any:
        """This field's value from ``data``, else kept from ``existing``,
        else its default.

        :raises ValueError: or ``TypeError`` with the message for this field.
        """
        given = data.get(self.name)
        if existing is not None and self.fixed:
            if given not in (None, "", getattr(existing, self.name)):
                raise ValueError("cannot be changed; add a new topic instead")
            return getattr(existing, self.name)
        if given not in (None, ""):
            value = self.kind.parse(given)
        elif existing is not None and not (self.optional and self.name in data):
            return getattr(existing, self.name)
        else:
            value = None
        if value in (None, ""):
            value = self.default_value(values, settings)
        if self.required and not value:
            raise ValueError("is required")
        return value

    def default_value(
        self, values: Mapping[str, Any], settings: Mapping[str, Any]
    ) -> Any:
        if isinstance(self.default, FromSetting):
            return settings[self.default.setting]
        if isinstance(self.default, FromField):
            source = values.get(self.default.source) or ""
            made = self.default.make(source)
            if source and not made:
                raise ValueError(
                    f"could not be made from the {self.default.source}; give one"
                )
            return made
        return self.default


TOPIC_FIELDS: tuple[TopicField, ...] = (
    TopicField(
        "title",
        "Title",
        Text(80),
        "Shown in the widget heading, e.g. NASA Artemis.",
        required=True,
    ),
    TopicField(
        "slug",
        "Slug",
        Slug(),
        "The widget's address (/widget/nasa-artemis); fixed once added.",
        default=FromField("title", slugify),
        fixed=True,
    ),
    TopicField(
        "keywords",
        "Keywords",
        Text(200, squeeze=True),
        "What to search for.",
        default=FromField("title"),
    ),
    TopicField(
        "search_index",
        "Search index",
        Choice(SEARCH_INDEXES),
        "Which Amazon catalog to search.",
        default="Books",
    ),
    TopicField(
        "browse_node",
        "Browse node",
        Digits(20, "a browse node number, e.g. 16272"),
        "An Amazon browse node to search within.",
        optional=True,
    ),
    TopicField(
        "sort_by",
        "Sort",
        Choice(SORTS),
        "The order Amazon searches in; its own if unset.",
        optional=True,
    ),
    TopicField(
        "item_count",
        "Items",
        Whole(1, MAX_ITEMS),
        "How many books the widget lists.",
        default=MAX_ITEMS,
        flags=("--count",),
    ),
    TopicField(
        "refresh_interval",
        "Refresh interval",
        Duration(to_refresh_interval, MIN_REFRESH_INTERVAL, MAX_REFRESH_INTERVAL),
        "How often to fetch a new list.",
        default=FromSetting("WIDGET_REFRESH_INTERVAL"),
        flags=("--interval",),
    ),
    TopicField(
        "pages",
        "Pages",
        Whole(1, MAX_PAGES),
        "How many result pages of 10 to rank by Amazon's sales rank.",
        default=1,
    ),
    TopicField(
        "catalog",
        "Books from",
        Choice(CATALOG_KINDS),
        "search: the service's catalog finds the books; manual: the books"
        " listed in items, with open data from Open Library and plain links.",
        default="search",
    ),
    TopicField(
        "items",
        "Books",
        BookList(MAX_MANUAL_ITEMS, MAX_NOTE_LENGTH),
        "A manual topic's books in the order shown, e.g. 978-0-316-76948-8"
        " Signed copy.",
        default=(),
        optional=True,  # an emptied list is cleared, not kept
    ),
    TopicField(
        "list_type",
        "List",
        Choice(LIST_TYPES),
        "bestsellers: by sales rank; new_releases: Amazon's NewestArrivals"
        " sort, newest first, only books published in the last 6 months.",
        default="bestsellers",
    ),
    TopicField(
        "heading",
        "Heading",
        Template(120, ("count", "title")),
        "The widget's heading; unset, the widget language's own (English:"
        " Today's {count} Most Popular Books on {title}; for new releases:"
        " The {count} Newest Books on {title}).",
        optional=True,
    ),
    TopicField(
        "pinned",
        "Pinned",
        Pins(),
        "Books kept at fixed positions whatever the search returns.",
        default=(),
        optional=True,
    ),
    TopicField(
        "excluded_asins",
        "Excluded ASINs",
        ListKind(MAX_EXCLUDED),
        "Books never listed.",
        default=(),
        optional=True,
    ),
    TopicField(
        "excluded_words",
        "Excluded title words",
        Words(MAX_EXCLUDED, 40),
        "Books whose title has one of these words or phrases are never"
        " listed (case ignored).",
        default=(),
        optional=True,
    ),
    TopicField(
        "min_rating",
        "Minimum rating",
        Decimal(1.0, 5.0),
        "Only books with at least this many stars (and a rating).",
        optional=True,
    ),
    TopicField(
        "badges",
        "Badges",
        Flag(),
        'Mark books new since the previous list ("New") and moved ones ("▲3", "▼1").',
        default=False,
    ),
    TopicField(
        "stores",
        "Stores",
        StoreKeys(tuple(MARKETPLACES)),
        "The configured Amazon stores this topic has lists in; empty: every one"
        " (a store left out shows the default store's list).",
        default=(),
    ),
    TopicField(
        "tracking_id",
        "Tracking id",
        TrackingId(),
        "This topic's own Amazon tracking id, so Amazon's earnings report"
        " splits by box; the store's partner tag if unset.",
        optional=True,
    ),
)
FIELDS_BY_NAME = {field.name: field for field in TOPIC_FIELDS}


class TopicInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_topic(
    data: Mapping[str, Any],
    *,
    settings: Mapping[str, Any],
    existing: Topic | None = None,
) -> Topic:
    """A topic from untrusted input; with ``existing``, fields left out keep
    their values (a partial update).

    :raises TopicInvalid: with a message per bad field.
    """
    errors = {
        str(key)[:40]: "is not a topic field"
        for key in sorted(map(str, set(data) - set(FIELDS_BY_NAME)))[:5]
    }
    values: dict[str, Any] = {}
    for field in TOPIC_FIELDS:
        try:
            values[field.name] = field.value(data, values, settings, existing)
        except (TypeError, ValueError) as exc:
            errors[field.name] = str(exc) or "has the wrong type"
            values[field.name] = None
    if values["catalog"] == "manual" and values["items"] == ():
        errors.setdefault("items", "must name at least one book for a manual topic")
    configured = build_stores(settings)
    missing = [key for key in values["stores"] or () if key not in configured]
    if missing:
        known = ", ".join(configured)
        errors.setdefault("stores", f"{missing[0]!r} is not configured ({known})")
    if errors:
        raise TopicInvalid(errors)
    return Topic(**values)


def form_values(topic: Topic | None, settings: Mapping[str, Any]) -> dict[str, str]:
    """What the admin form shows: a topic's values, or a new topic's defaults."""
    if topic is not None:
        return {f.name: f.kind.text(getattr(topic, f.name)) for f in TOPIC_FIELDS}
    return {
        f.name: f.kind.text(f.default_value({}, settings))
        for f in TOPIC_FIELDS
        if not isinstance(f.default, FromField)
    }


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    types = kind if isinstance(kind, list) else [kind]
    out = schema | {"type": [*types, "null"]}
    if "enum" in schema:
        out["enum"] = [*schema["enum"], None]
    return out


def input_schema() -> dict[str, Any]:
    """JSON Schema of a topic body (POST, PUT, PATCH): any of the fields."""
    properties = {
        f.name: (nullable if f.optional else dict)(f.kind.input_schema())
        | {"description": f.help}
        for f in TOPIC_FIELDS
    }
    return {"type": "object", "additionalProperties": False, "properties": properties}


def output_schema() -> dict[str, Any]:
    """JSON Schema of ``topic_to_dict``'s output."""
    properties = {
        f.name: (nullable if f.optional else dict)(f.kind.output_schema())
        for f in TOPIC_FIELDS
    }
    required = [f.name for f in TOPIC_FIELDS]
    return {"type": "object", "required": required, "properties": properties}
