"""Beacons as they arrive at ``POST /api/v1/events``: read strictly, checked
against what a widget can have shown, never trusted.

A beacon is ``{"type": "click" | "impression", "topic", "asin", "store",
"position", "page"}`` (``asin`` and ``position`` only for clicks). Anything
else (another key, a wrong type, a value out of bounds) is refused whole.
Only topics that exist and items of their current or previous list count:
``remember_previous`` keeps the previous list's items when a refresh
replaces it, so pages still showing the old list keep counting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from widget.models import MAX_ITEMS
from widget.models import MAX_SLUG_LENGTH
from widget.models import SLUG_PATTERN
from widget.models import TopList
from widget.models import is_valid_slug
from widget.store.base import SnapshotStore

#: A beacon is about 200 bytes; the page URL is the only long part.
MAX_EVENT_BODY = 4096
MAX_PAGE = 2048
#: Embedding pages are counted by scheme, host and path, cut to this length.
MAX_PAGE_KEPT = 300
EVENT_TYPES = ("click", "impression")
EVENT_KEYS = frozenset({"type", "topic", "asin", "store", "position", "page"})
ASIN = re.compile(r"[0-9A-Za-z]{10}|[0-9]{13}")
STORE = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")


class EventInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Event:
    type: str
    topic: str
    store: str
    page: str  # "" when unknown
    asin: str | None = None
    position: int | None = None


def parse_event(body: bytes) -> Event:
    """:raises EventInvalid: naming each bad field."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise EventInvalid({"body": "is not JSON"}) from None
    if not isinstance(data, dict):
        raise EventInvalid({"body": "must be a JSON object"})
    errors = {
        str(key)[:40]: "is not an event field"
        for key in sorted(map(str, set(data) - EVENT_KEYS))[:5]
    }
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        errors["type"] = "must be click or impression"
    topic = data.get("topic")
    if not isinstance(topic, str) or not is_valid_slug(topic):
        errors["topic"] = "must be a topic's slug"
    store = data.get("store")
    if not isinstance(store, str) or not STORE.fullmatch(store):
        errors["store"] = "must be a store name"
    page = data.get("page", "")
    if not isinstance(page, str) or len(page) > MAX_PAGE:
        errors["page"] = f"must be a URL of at most {MAX_PAGE} characters"
    asin, position = data.get("asin"), data.get("position")
    if type(position) is float and position.is_integer():
        position = int(position)  # 6.0 is an integer to JSON Schema too
    if kind == "click":
        if not isinstance(asin, str) or not ASIN.fullmatch(asin):
            errors["asin"] = "must be an ASIN"
        if type(position) is not int or not 1 <= position <= MAX_ITEMS:
            errors["position"] = f"must be a whole number from 1 to {MAX_ITEMS}"
    else:
        for name in ("asin", "position"):
            if data.get(name) is not None:
                errors[name] = "is only sent with clicks"
    if errors:
        raise EventInvalid(errors)
    return Event(
        type=str(kind),
        topic=str(topic),
        store=str(store),
        page=page_key(str(page)),
        asin=asin.upper() if isinstance(asin, str) else None,
        position=position if type(position) is int else None,
    )


def page_key(url: str) -> str:
    """The embedding page as counted: scheme, host and path, no query or
    fragment (they can carry a visitor's tokens); "" for anything else."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host or not url.isprintable():
        return ""
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))[:MAX_PAGE_KEPT]


def store_key(snapshot: TopList) -> str:
    """The store a list was fetched for, as beacons name it."""
    return snapshot.source.marketplace or snapshot.source.catalog


def items_of(snapshot: TopList) -> str:
    """A list's store and items as ``remember_previous`` keeps them."""
    return " ".join([store_key(snapshot), *(p.asin.upper() for p in snapshot.products)])


def remember_previous(store: SnapshotStore, snapshot: TopList) -> None:
    """Keep the items of a list about to be replaced."""
    store.set_meta(f"previous-items:{snapshot.slug}", items_of(snapshot))


@dataclass(frozen=True)
class Shown:
    """What a topic's widgets can be showing: its current and previous items,
    the stores they came from, and each item's title."""

    asins: frozenset[str]
    stores: frozenset[str]
    titles: dict[str, str]

    def allows(self, event: Event) -> bool:
        if event.store not in self.stores:
            return False
        return event.asin is None or event.asin in self.asins


def shown_items(
    store: SnapshotStore, slug: str, store_keys: tuple[str, ...] = ()
) -> Shown | None:
    """None for a topic that does not exist. Every store's list counts: a
    reader in Germany clicks items of the de list."""
    state = store.get_state(slug)
    if state is None:
        return None
    asins: set[str] = set()
    stores: set[str] = set()
    titles: dict[str, str] = {}
    states = [state, *(store.get_state(slug, key) for key in store_keys)]
    for each in states:
        snapshot = None if each is None else each.snapshot
        if snapshot is None:
            continue
        stores.add(store_key(snapshot))
        # The list before the last change (rank movement keeps it), for
        # pages still showing it.
        asins.update(asin.upper() for asin in snapshot.previous or ())
        for product in snapshot.products:
            asins.add(product.asin.upper())
            titles.setdefault(product.asin.upper(), product.title)
    previous = (store.get_meta(f"previous-items:{slug}") or "").split()
    if previous:
        stores.add(previous[0])
        asins.update(previous[1:])
    return Shown(frozenset(asins), frozenset(stores), titles)


def event_schema() -> dict[str, Any]:
    """JSON Schema of a beacon, for /openapi.json."""
    common = {
        "topic": {
            "type": "string",
            "pattern": SLUG_PATTERN.pattern,
            "maxLength": MAX_SLUG_LENGTH,
        },
        "store": {"type": "string", "pattern": f"^{STORE.pattern}$"},
        "page": {"type": "string", "maxLength": MAX_PAGE},
    }
    click = common | {
        "type": {"const": "click"},
        "asin": {"type": "string", "pattern": f"^(?:{ASIN.pattern})$"},
        "position": {"type": "integer", "minimum": 1, "maximum": MAX_ITEMS},
    }
    return {
        "oneOf": [
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "topic", "store", "asin", "position"],
                "properties": click,
            },
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "topic", "store"],
                "properties": common | {"type": {"const": "impression"}},
            },
        ]
    }
