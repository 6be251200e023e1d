"""The stub catalog: offline, deterministic, shipped with the service.

It searches a JSON file the way the Creators API searches Amazon (items of
the topic's search index whose keywords or title match any of the topic's
words, best sales rank first), so the demo, the tests and developers need
no network and no Amazon account. ``widget stub-server`` serves the same
search over the Creators API wire format.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from widget.catalog.base import Catalog
from widget.catalog.base import NoProductsFound
from widget.catalog.identifiers import parse_isbn
from widget.models import Image
from widget.models import Price
from widget.models import Product
from widget.models import Source
from widget.models import Topic
from widget.models import make_price
from widget.models import saving_between
from widget.stores import BY_HOST
from widget.stores import MARKETPLACES
from widget.stores import display_price
from widget.text import clean_text
from widget.text import finite

log = logging.getLogger(__name__)

BUNDLED_CATALOG = Path(__file__).parent / "data" / "stub_catalog.json"
#: Where the service serves covers that a catalog file names by relative path.
COVERS_ROUTE = "/stub-covers/"
#: The partner tag of links when no WIDGET_AMAZON_PARTNER_TAG is set.
DEMO_PARTNER_TAG = "stubdemo-20"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: Invented exchange rates from USD, so every store of the demo shows
#: plausible prices in its own currency where a catalog gives none.
STUB_RATES = {
    "USD": 1.0,
    "CAD": 1.35,
    "MXN": 18.0,
    "BRL": 5.0,
    "GBP": 0.79,
    "EUR": 0.92,
    "PLN": 4.0,
    "SEK": 10.5,
    "TRY": 34.0,
    "AED": 3.67,
    "SAR": 3.75,
    "EGP": 48.0,
    "INR": 83.0,
    "JPY": 150.0,
    "SGD": 1.35,
    "AUD": 1.5,
}
#: Currencies without minor units in prices.
WHOLE_CURRENCIES = frozenset({"JPY"})


@dataclass(frozen=True)
class StoreOffer:
    """An item's price, list price and link in one store (a catalog
    entry's ``stores``)."""

    price: Price | None = None
    list_price: Price | None = None
    url: str | None = None


def converted(price: Price | None, currency: str) -> Price | None:
    """``price`` in ``currency`` at the stub's invented rates, rounded the
    way shops price books (x.99; whole yen in tens)."""
    if price is None or price.currency == currency:
        return price
    if price.currency not in STUB_RATES or currency not in STUB_RATES:
        return None
    amount = price.amount / STUB_RATES[price.currency] * STUB_RATES[currency]
    if currency in WHOLE_CURRENCIES:
        return make_price(float(max(10, round(amount, -1))), currency)
    return make_price(max(math.ceil(amount) - 0.01, 0.99), currency)


def _shown(price: Price | None, store: str) -> Price | None:
    """``price`` written the way ``store``'s pages write it."""
    if price is None:
        return None
    return replace(price, display=display_price(price.amount, price.currency, store))


@dataclass(frozen=True)
class StubItem:
    asin: str
    title: str
    authors: tuple[str, ...]
    search_index: str
    keywords: frozenset[str]
    browse_nodes: tuple[str, ...]
    sales_rank: int | None
    price: Price | None
    availability: str | None
    rating: float | None
    image: Image | None
    url: str | None
    isbn: str | None = None
    published: date | None = None
    list_price: Price | None = None
    reviews: int | None = None
    large_image: Image | None = None
    stores: dict[str, StoreOffer] = field(default_factory=dict, compare=False)

    def in_store(self, key: str | None) -> StubItem:
        """The item as ``key``'s store sells it: that store's entry, else
        its prices converted to the store's currency (None: as it is)."""
        if key is None or key not in MARKETPLACES:
            return self
        offer = self.stores.get(key)
        if offer is not None:
            return replace(
                self,
                price=_shown(offer.price, key),
                list_price=_shown(offer.list_price, key),
                url=offer.url or self.url,
            )
        currency = MARKETPLACES[key].currency
        return replace(
            self,
            price=_shown(converted(self.price, currency), key),
            list_price=_shown(converted(self.list_price, currency), key),
        )

    def product(self, url: str) -> Product:
        """The item as a list entry linking to ``url``."""
        return Product(
            asin=self.asin,
            title=self.title,
            url=self.url or url,
            authors=self.authors,
            image=self.image,
            price=self.price,
            availability=self.availability,
            rating=self.rating,
            sales_rank=self.sales_rank,
            reviews=self.reviews,
            list_price=self.list_price,
            saving=saving_between(self.price, self.list_price),
            published=self.published,
            isbn=self.isbn,
            large_image=self.large_image,
        )


# Words too common to say what a topic is about ("Astronomy for Beginners"
# must not match every book with "for" in its title).
STOPWORDS = frozenset("a an and the of for in on to with by from at or".split())


def words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)} - STOPWORDS


def _price(raw: Any) -> Price | None:
    """A price; one whose amount is not a finite number is left out."""
    if not raw:
        return None
    amount = finite(float(raw["amount"]))
    return None if amount is None else make_price(amount, str(raw["currency"]))


def _number(raw: Any) -> float | None:
    """A rating or rank: None when absent or not finite (NaN, Infinity)."""
    return None if raw is None else finite(float(raw))


def _whole(raw: Any) -> int | None:
    number = _number(raw)
    return None if number is None else int(number)


def _image(raw: Any) -> Image | None:
    """A cover; a relative URL names a file the service serves itself."""
    if not raw or not raw.get("url"):
        return None
    url = str(raw["url"])
    if not url.startswith(("https://", "http://", "/")):
        url = COVERS_ROUTE + url.removeprefix("covers/")
    return Image(url, int(raw["width"]), int(raw["height"]))


def _offers(raw: Any) -> dict[str, StoreOffer]:
    """An entry's ``stores``: store key → its price, list price and link."""
    offers: dict[str, StoreOffer] = {}
    for key, offer in (raw or {}).items():
        if key not in MARKETPLACES:
            raise ValueError(f"unknown store {key!r} in stores")
        url = offer.get("url")
        offers[key] = StoreOffer(
            _price(offer.get("price")),
            _price(offer.get("list_price")),
            None if url is None else str(url),
        )
    return offers


def store_key(marketplace: str) -> str | None:
    """The store key of a marketplace host, None for a host the table lacks."""
    market = BY_HOST.get(marketplace)
    return None if market is None else market.key


def _item(raw: dict[str, Any]) -> StubItem:
    """One catalog entry. Text loses control characters; a price, rating or
    rank that is not a finite number is left out (the item stays)."""
    asin = str(raw["asin"])
    if not re.fullmatch(r"[A-Za-z0-9]{10}", asin):
        raise ValueError(f"asin {asin!r} is not 10 letters or digits")
    isbn = raw.get("isbn")
    published = raw.get("published")
    reviews = raw.get("reviews")
    return StubItem(
        asin=asin,
        title=clean_text(str(raw["title"])),
        authors=tuple(clean_text(str(a)) for a in raw.get("authors") or ()),
        search_index=str(raw.get("search_index") or "Books"),
        keywords=frozenset(k.lower() for k in raw.get("keywords") or ()),
        browse_nodes=tuple(str(n) for n in raw.get("browse_nodes") or ()),
        sales_rank=None
        if (rank := _number(raw.get("sales_rank"))) is None
        else int(rank),
        price=_price(raw.get("price")),
        availability=raw.get("availability"),
        rating=_number(raw.get("rating")),
        image=_image(raw.get("image")),
        url=raw.get("url"),
        isbn=None if not isbn else parse_isbn(str(isbn)),
        published=None if not published else date.fromisoformat(str(published)),
        list_price=_price(raw.get("list_price")),
        reviews=None if reviews is None else int(reviews),
        large_image=_image(raw.get("large_image")),
        stores=_offers(raw.get("stores")),
    )


def load_stub_items(path: Path) -> list[StubItem]:
    """Read and check a stub catalog file.

    :raises ValueError: naming the file and what is wrong with it.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = [_item(raw) for raw in data["items"]]
    except OSError as exc:
        raise ValueError(f"cannot read stub catalog {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"stub catalog {path} is malformed: {reason}") from None
    if not items:
        raise ValueError(f"stub catalog {path} has no items")
    return items


def search(
    items: list[StubItem],
    keywords: str,
    search_index: str = "All",
    browse_node: str | None = None,
) -> list[StubItem]:
    """Items matching any keyword, best sales rank first (unranked last)."""
    wanted = words(keywords)
    found = [
        item
        for item in items
        if (search_index in ("All", item.search_index))
        and (browse_node is None or browse_node in item.browse_nodes)
        and (wanted & (item.keywords | words(item.title)))
    ]
    return sorted(
        found, key=lambda i: (i.sales_rank is None, i.sales_rank or 0, i.asin)
    )


def newest_first(items: list[StubItem]) -> list[StubItem]:
    """The ``NewestArrivals`` order: newest first, undated items last."""
    return sorted(
        items,
        key=lambda i: (i.published is None, -(i.published or date.min).toordinal()),
    )


class StubCatalog(Catalog):
    name = "stub"

    def __init__(
        self,
        path: Path = BUNDLED_CATALOG,
        *,
        marketplace: str = "www.amazon.com",
        partner_tag: str = DEMO_PARTNER_TAG,
        store: str | None = None,
    ) -> None:
        """``store``: the key of a store other than the default one, whose
        prices and links its lists show."""
        self.path = path
        self.covers_dir = path.parent / "covers"
        self.items = load_stub_items(path)
        self._marketplace = marketplace
        self._partner_tag = partner_tag
        self.store = store

    def announce(self) -> None:
        """Warn that the books are invented (the service calls this when it
        starts serving, not for every command)."""
        log.warning(
            "Using the STUB catalog (%s, %d invented books): set WIDGET_CATALOG=amazon"
            " for real Amazon data.",
            self.path,
            len(self.items),
        )

    @property
    def source(self) -> Source:
        return Source(self.name, self._marketplace, self._partner_tag)

    def product_url(self, asin: str, tag: str | None = None) -> str:
        return (
            f"https://{self._marketplace}/dp/{asin}"
            f"?tag={tag or self._partner_tag}&linkCode=ogi&th=1&psc=1"
        )

    def top_products(self, topic: Topic, limit: int) -> list[Product]:
        found = search(
            self.items, topic.keywords, topic.search_index, topic.browse_node
        )
        if not found:
            raise NoProductsFound(f"no stub items match {topic.keywords!r}")
        if topic.list_type == "new_releases" or topic.sort_by == "NewestArrivals":
            found = newest_first(found)
        return [
            item.in_store(self.store).product(
                self.product_url(item.asin, topic.tracking_id)
            )
            for item in found[:limit]
        ]

    def products_by_asin(self, asins: Sequence[str]) -> list[Product]:
        by_asin = {item.asin: item for item in self.items}
        return [
            by_asin[a].in_store(self.store).product(self.product_url(a))
            for a in asins
            if a in by_asin
        ]
