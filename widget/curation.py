"""What a topic's list keeps of what the catalog found: applied in one
place, after every fetch, so exclusions and pins hold across refreshes.

In order: new-release lists are put newest first and cut to books
published in the last ``NEW_RELEASE_MONTHS`` months; books nobody can buy
now (out of stock, unavailable), excluded ASINs, titles with an excluded
word and books under the minimum rating are dropped; of several editions of
one work (same title, ignoring case, punctuation and a bracketed edition
note, and the same authors) only the best-ranked stays; pinned books take
their positions and the rest move down. A pinned book missing from the
results is looked up by ASIN where the catalog can (Amazon ``getItems``,
the stub); one that cannot be found, or cannot be bought, leaves its
position to the next book.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from collections.abc import Sequence
from datetime import date
from datetime import timedelta

from widget.catalog.base import CatalogError
from widget.catalog.base import NoProductsFound
from widget.models import Product
from widget.models import Topic

log = logging.getLogger(__name__)

#: A new release was published at most this many months (of 30.5 days) ago.
NEW_RELEASE_MONTHS = 6
#: How many results a fetch ranks a list from, at most: the Amazon catalog
#: fetches the topic's ``pages`` (1 to 3) of 10, the stub catalog its 30
#: best-ranked matches, so a skipped book leaves room for the next ones.
CANDIDATES = 30

Lookup = Callable[[Sequence[str]], list[Product]]
_WORD = re.compile(r"[^\W_]+")


def has_word(title: str, phrases: Sequence[str]) -> bool:
    """Whether ``title`` holds one of ``phrases`` as whole words."""
    words = " " + " ".join(_WORD.findall(title.casefold())) + " "
    return any(
        " " + " ".join(_WORD.findall(phrase.casefold())) + " " in words
        for phrase in phrases
    )


def is_new_release(product: Product, today: date) -> bool:
    published = product.published
    oldest = today - timedelta(days=round(NEW_RELEASE_MONTHS * 30.5))
    return published is not None and oldest <= published <= today


def ranked(products: Sequence[Product], topic: Topic, today: date) -> list[Product]:
    """New releases newest first (the catalog's order breaks ties); a
    bestseller list in the catalog's order (sales rank)."""
    if topic.list_type != "new_releases":
        return list(products)
    recent = [p for p in products if is_new_release(p, today)]
    return sorted(recent, key=lambda p: -(p.published or today).toordinal())


def allowed(product: Product, topic: Topic) -> bool:
    """Whether a found book may be listed at all."""
    return (
        product.buyable
        and product.asin not in topic.excluded_asins
        and not has_word(product.title, topic.excluded_words)
        and (
            topic.min_rating is None
            or (product.rating is not None and product.rating >= topic.min_rating)
        )
    )


def pinned_products(
    found: Sequence[Product], topic: Topic, lookup: Lookup
) -> dict[int, Product]:
    """Each pin's product by position, looked up when not among ``found``."""
    by_asin = {p.asin: p for p in found}
    missing = [pin.asin for pin in topic.pinned if pin.asin not in by_asin]
    if missing:
        try:
            by_asin |= {p.asin: p for p in lookup(missing)}
        except CatalogError as exc:
            log.warning("pinned %s not looked up: %s", missing, exc.message)
    return {
        pin.position: by_asin[pin.asin]
        for pin in topic.pinned
        if pin.asin in by_asin and by_asin[pin.asin].buyable
    }


def curate(
    products: Sequence[Product], topic: Topic, *, today: date, lookup: Lookup
) -> list[Product]:
    """The topic's list from what its catalog found, best first.

    :raises NoProductsFound: when results came but none is left to list
        (the last good list stays).
    """
    pins = pinned_products(products, topic, lookup)
    taken = {p.work for p in pins.values()}
    rest: list[Product] = []
    for product in ranked(products, topic, today):
        work = product.work
        if work not in taken and allowed(product, topic):
            taken.add(work)
            rest.append(product)
    chosen = rest[: topic.item_count - len(pins)]
    for position in sorted(pins):
        chosen.insert(min(position, len(chosen) + 1) - 1, pins[position])
    if products and not chosen:
        raise NoProductsFound(
            "no result is left once unavailable, excluded and duplicate books"
            " are taken out"
        )
    return chosen[: topic.item_count]


def previous_order(
    before: Sequence[str] | None,
    before_previous: Sequence[str] | None,
    now: Sequence[str],
) -> tuple[str, ...] | None:
    """The ranking rank movement compares with: the last list whose order
    differed (a refresh that changes nothing keeps the badges)."""
    if before is None:
        return None
    if tuple(before) == tuple(now):
        return None if before_previous is None else tuple(before_previous)
    return tuple(before)
