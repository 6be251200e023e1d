"""Open data in place of an API list that may no longer be shown.

Amazon lets an API list be shown for 24 hours from its fetch; identifiers
(ASINs, ISBNs) may be kept longer. When the API keeps refusing us (the
account lost eligibility, the credential is refused, our request budget
is spent), a topic keeps its API list as long as it may, then shows the
same books from Open Library with plain tagged links: an ``open-data``
list, stamped with its own time, so its "Last update" is true. The next
list the API gives replaces it (the schedule retries a failing topic).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from widget.catalog.base import CatalogError
from widget.catalog.identifiers import BookId
from widget.catalog.identifiers import IdentifierError
from widget.catalog.identifiers import ManualItem
from widget.catalog.identifiers import parse_book_id
from widget.catalog.manual import ManualCatalog
from widget.catalog.manual import Storefront
from widget.freshness import FAILING_RETRY_AFTER
from widget.freshness import MAX_DATA_AGE
from widget.models import Product
from widget.models import Source
from widget.models import TopicState
from widget.models import TopList
from widget.serialize import iso
from widget.sources import OPEN_DATA

#: Refusals that last until someone acts (unlike a timeout or a 5xx).
ACCESS_LOST = frozenset({"not_eligible", "credentials", "budget"})


def is_open_data(snapshot: TopList | None) -> bool:
    return snapshot is not None and snapshot.source.catalog == OPEN_DATA


def needs_open_data(state: TopicState, kind: str, now: datetime) -> bool:
    """After a refresh failed with ``kind``: whether the topic's list must
    be (re)made from open data now."""
    snapshot = state.snapshot
    if kind not in ACCESS_LOST or snapshot is None or state.topic.catalog == "manual":
        return False
    if is_open_data(snapshot):  # renewed now and then, not at every retry
        return now - snapshot.updated_at >= state.topic.refresh_interval
    # Replace the API list now if it would turn 24 h old before the next try.
    retry = min(state.topic.refresh_interval, FAILING_RETRY_AFTER)
    return now + retry >= snapshot.updated_at + MAX_DATA_AGE


def book_of(product: Product) -> BookId:
    """The identifiers a product keeps: its ASIN (an ISBN-10 for print
    books) and ISBN-13."""
    try:
        book = parse_book_id(product.asin)
    except IdentifierError:
        book = BookId(product.asin, asin=product.asin)
    if product.isbn and not book.isbn:
        book = replace(book, isbn=product.isbn)
    return book


def open_data_list(
    manual: ManualCatalog, snapshot: TopList, source: Source, now: datetime
) -> TopList | None:
    """The books of ``snapshot`` from open data, linked for ``source``'s
    store; titled by their identifiers when Open Library cannot be asked.
    None keeps an open-data list as it is when Open Library fails."""
    items = [ManualItem(book_of(p)) for p in snapshot.products]
    store = Storefront(
        source.marketplace or manual.store.marketplace,
        source.partner_tag or manual.store.partner_tag,
    )
    try:
        products = manual.products(items, store)
    except CatalogError:
        if is_open_data(snapshot):
            return None
        # Amazon's data must go now: identifiers and plain links stay.
        products = manual.products(items, store, lookup=False)
    stand_in = Source(OPEN_DATA, source.marketplace, source.partner_tag)
    return TopList(snapshot.slug, tuple(products), now, stand_in)


def topic_mode(state: TopicState) -> tuple[str, str]:
    """Where the topic's list comes from now, and why: for the admin."""
    snapshot, error = state.snapshot, state.error
    if state.topic.catalog == "manual":
        return "manual", "hand-picked books, with Open Library data and plain links"
    if snapshot is not None and is_open_data(snapshot):
        return "open data", (
            "the API refused its refresh, and its list may only be shown for"
            " 24 hours: the same books from Open Library with plain tagged"
            " links until the API answers again"
        )
    if snapshot is not None and error is not None and error.kind in ACCESS_LOST:
        until = iso(snapshot.updated_at + MAX_DATA_AGE)
        return "API", (
            f"the API refused its refresh: its last list is shown until {until},"
            " then its books from open data"
        )
    return "API", "lists from the catalog's search"
