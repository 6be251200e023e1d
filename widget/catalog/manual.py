"""The manual catalog: an admin's own books, with open data and plain links.

A hand-picked list needs no Amazon API: each book's title, authors and
cover come from Open Library (by ISBN), and its link is a plain tagged
product link, ``https://<marketplace>/dp/<ASIN or ISBN-10>?tag=<tag>``,
the form SiteStripe makes. So a manual list never shows prices, ratings or
Amazon images, and it can stand in for an API list whose data is more than
24 hours old (only identifiers may be kept that long).

A book Open Library does not know keeps its place, titled with the
identifier the admin typed; an ISBN-13 without an ISBN-10 (979...) links
to Amazon's search for it, as there is no ASIN to link by.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from urllib.parse import quote

import requests

from widget.catalog.base import Catalog
from widget.catalog.base import NoProductsFound
from widget.catalog.identifiers import BookId
from widget.catalog.identifiers import ManualItem
from widget.catalog.openlibrary import BATCH_SIZE
from widget.catalog.openlibrary import OpenBook
from widget.catalog.openlibrary import OpenLibrary
from widget.config import OPENLIBRARY_TIMEOUT
from widget.models import Product
from widget.models import Source
from widget.models import Topic


@dataclass(frozen=True)
class Storefront:
    """The Amazon store links point to, and the partner tag they carry."""

    marketplace: str
    partner_tag: str

    def link(self, book: BookId) -> str:
        tag = quote(self.partner_tag, safe="")
        if book.asin:
            return f"https://{self.marketplace}/dp/{book.asin}?tag={tag}"
        wanted = quote(book.isbn or book.typed, safe="")
        return f"https://{self.marketplace}/s?k={wanted}&tag={tag}"


def _no_items(topic: Topic) -> Sequence[ManualItem]:
    return ()


class ManualCatalog(Catalog):
    """Products for given identifiers, in the given order.

    ``products(items, store)`` is the whole job; ``top_products`` serves a
    topic through ``items_of`` (how a topic names its books), so the list
    service can treat a manual topic like any other.
    """

    name = "manual"

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        store: Storefront,
        *,
        timeout: tuple[float, float] = OPENLIBRARY_TIMEOUT,
        batch_size: int = BATCH_SIZE,
        items_of: Callable[[Topic], Sequence[ManualItem]] = _no_items,
    ) -> None:
        self.library = OpenLibrary(
            session, base_url, timeout=timeout, batch_size=batch_size
        )
        self.store = store
        self.items_of = items_of

    @property
    def source(self) -> Source:
        return Source(self.name, self.store.marketplace, self.store.partner_tag)

    def products(
        self,
        items: Sequence[ManualItem],
        store: Storefront | None = None,
        *,
        lookup: bool = True,
    ) -> list[Product]:
        """One product per distinct book, in the order given; without
        ``lookup``, titled by their identifiers and not asking Open Library.

        :raises NoProductsFound: for an empty list.
        :raises CatalogError: when Open Library cannot be asked or read.
        """
        first: dict[str, ManualItem] = {}
        for item in items:
            first.setdefault(item.book.key, item)
        unique = list(first.values())
        if not unique:
            raise NoProductsFound("the list names no books")
        isbns = [item.book.isbn for item in unique if item.book.isbn]
        known = self.library.books(isbns) if isbns and lookup else {}
        front = store or self.store
        return [
            _product(item, known.get(item.book.isbn or ""), front) for item in unique
        ]

    def top_products(self, topic: Topic, limit: int) -> list[Product]:
        store = self.store
        if topic.tracking_id:
            store = replace(store, partner_tag=topic.tracking_id)
        return self.products(self.items_of(topic)[:limit], store)

    def close(self) -> None:
        self.library.close()


def _product(item: ManualItem, book: OpenBook | None, store: Storefront) -> Product:
    found = book or OpenBook(title=item.book.typed)
    return Product(
        asin=item.book.asin or item.book.isbn or item.book.typed,
        title=found.title,
        url=store.link(item.book),
        authors=found.authors,
        image=found.cover,
        large_image=found.large_cover,
        published=found.published,
        isbn=item.book.isbn or found.isbn,
        note=item.note,
    )
