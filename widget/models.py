"""Value objects shared by every layer: topics, products and snapshots.

They are frozen so a snapshot handed to a renderer or cached in memory can
never be changed behind the cache's back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from widget.catalog.identifiers import ManualItem

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 64
MAX_ITEMS = 10
MIN_REFRESH_INTERVAL = timedelta(minutes=5)
#: Amazon data may be at most 24 hours old when shown.
MAX_REFRESH_INTERVAL = timedelta(hours=24)
#: Availability types (Creators API ``offersV2.listings.availability.type``)
#: of an item nobody can buy now; every other type, or none, can be bought.
NOT_BUYABLE = frozenset({"OUT_OF_STOCK", "UNAVAILABLE"})
_BRACKETS = re.compile(r"[(\[][^)\]]*[)\]]")
_WORD = re.compile(r"[^\W_]+")
_CURRENCY_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥"}


def slugify(title: str) -> str:
    """Turn "NASA Artemis" into "nasa-artemis"."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:MAX_SLUG_LENGTH].strip("-")


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= MAX_SLUG_LENGTH and bool(SLUG_PATTERN.fullmatch(slug))


@dataclass(frozen=True)
class Image:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Price:
    amount: float
    currency: str
    display: str


def format_price(amount: float, currency: str) -> str:
    sign = _CURRENCY_SIGNS.get(currency)
    return f"{sign}{amount:,.2f}" if sign else f"{amount:,.2f} {currency}"


def make_price(amount: float, currency: str) -> Price:
    """A price displayed the way the stub and Amazon's own ``displayAmount`` do."""
    return Price(amount, currency, format_price(amount, currency))


@dataclass(frozen=True)
class Saving:
    """What the price saves against the list price: "$5.00", 20 (%)."""

    money: Price
    percentage: int


def saving_between(price: Price | None, list_price: Price | None) -> Saving | None:
    """The saving of ``price`` against ``list_price``; None unless it is one."""
    if price is None or list_price is None or price.currency != list_price.currency:
        return None
    amount = round(list_price.amount - price.amount, 2)
    if amount <= 0 or list_price.amount <= 0:
        return None
    percentage = round(amount / list_price.amount * 100)
    if percentage < 1:
        return None
    return Saving(make_price(amount, price.currency), percentage)


@dataclass(frozen=True)
class Product:
    """One item of a list. Only asin, title and url are always present.

    ``image`` is the medium cover, ``large_image`` the large one for
    ``srcset``; ``isbn`` is an ISBN-13; ``rating`` and
    ``reviews`` only ever come from the catalog's API; ``note`` is the
    admin's own line for a hand-picked book.
    """

    asin: str
    title: str
    url: str
    authors: tuple[str, ...] = ()
    image: Image | None = None
    price: Price | None = None
    availability: str | None = None
    rating: float | None = None
    sales_rank: int | None = None
    reviews: int | None = None
    list_price: Price | None = None
    saving: Saving | None = None
    published: date | None = None
    isbn: str | None = None
    large_image: Image | None = None
    note: str | None = None

    @property
    def buyable(self) -> bool:
        """False for out-of-stock and unavailable items."""
        return self.availability not in NOT_BUYABLE

    @property
    def work(self) -> tuple[str, tuple[str, ...]]:
        """What editions of one book share: title and authors, ignoring case,
        punctuation and a bracketed note ("Dune (Deluxe Edition)" is "dune")."""
        title = " ".join(_WORD.findall(_BRACKETS.sub(" ", self.title).casefold()))
        authors = tuple(" ".join(_WORD.findall(a.casefold())) for a in self.authors)
        return title or self.title.casefold(), authors


@dataclass(frozen=True)
class Pin:
    """An ASIN an admin keeps at a fixed position (1 is the top) of a list."""

    asin: str
    position: int


@dataclass(frozen=True)
class Topic:
    """What an admin configures: what to search for and how often."""

    slug: str
    title: str
    keywords: str
    search_index: str = "Books"
    browse_node: str | None = None
    sort_by: str | None = None
    item_count: int = MAX_ITEMS
    refresh_interval: timedelta = timedelta(hours=12)
    pages: int = 1
    #: "search" (the service's catalog searches) or "manual" (``items``)
    catalog: str = "search"
    #: a manual topic's books, in the admin's order
    items: tuple[ManualItem, ...] = ()
    list_type: str = "bestsellers"  # or "new_releases"
    heading: str | None = None  # a template with {count} and {title}
    pinned: tuple[Pin, ...] = ()
    excluded_asins: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    min_rating: float | None = None
    badges: bool = False
    #: store keys this topic is fetched for besides the default store; empty:
    #: every configured store
    stores: tuple[str, ...] = ()
    #: The partner tag of this topic's links, instead of the store's.
    tracking_id: str | None = None

    def with_changes(self, **changes: object) -> Topic:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Source:
    """Where a list came from: the catalog, the marketplace it was fetched
    for and the partner tag its links carry (None where a catalog has none,
    or for lists stored before sources were recorded)."""

    catalog: str
    marketplace: str | None = None
    partner_tag: str | None = None


@dataclass(frozen=True)
class TopList:
    """A snapshot: one fetched list for a topic, stamped with its fetch time."""

    slug: str
    products: tuple[Product, ...]
    updated_at: datetime
    source: Source
    #: The ASINs of the ranking before this one, best first (rank movement);
    #: None for a topic's first list.
    previous: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RefreshError:
    message: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class TopicState:
    """A topic as stored: its settings, last good list and last error.

    ``version`` grows with every change to any of them; caches key on it so
    every worker notices a change on its next request.
    """

    topic: Topic
    version: int
    snapshot: TopList | None = None
    error: RefreshError | None = None
    last_attempt: datetime | None = None


@dataclass(frozen=True)
class HistoryEntry:
    slug: str
    at: datetime
    trigger: str
    ok: bool
    message: str
    items_changed: int = 0
    extra: dict[str, str] = field(default_factory=dict)
