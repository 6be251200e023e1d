"""Test doubles that live beside the tests, not in the package."""

from __future__ import annotations

import threading
import time

from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.models import Image
from widget.models import Price
from widget.models import Product
from widget.models import Topic


def make_topic(slug: str = "artemis", **changes) -> Topic:
    """The topic the tests share (NASA Artemis); changes make variants."""
    topic = Topic(slug=slug, title="NASA Artemis", keywords="nasa artemis")
    return topic.with_changes(**changes)


ARTEMIS = make_topic()


def make_product(n: int, **changes) -> Product:
    values = dict(
        asin=f"B0FAKE{n:04d}",
        title=f"Fake Book {n}",
        url=f"https://www.amazon.com/dp/B0FAKE{n:04d}?tag=test-20",
        authors=(f"Author {n}",),
        image=Image(f"https://m.media-amazon.com/images/I/fake{n}.jpg", 107, 160),
        price=Price(10.0 + n, "USD", f"${10 + n}.00"),
        availability="IN_STOCK",
        rating=4.5,
        sales_rank=n,
    )
    values.update(changes)
    return Product(**values)


class FakeCatalog(Catalog):
    """Records calls; returns ``products`` or raises ``error``; can be slow."""

    name = "fake"

    def __init__(self, products: list[Product] | None = None, delay: float = 0.0):
        self.products = (
            products
            if products is not None
            else [make_product(n) for n in range(1, 13)]
        )
        self.delay = delay
        self.error: CatalogError | Exception | None = None
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def top_products(self, topic: Topic, limit: int) -> list[Product]:
        with self._lock:
            self.calls.append(topic.slug)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.products[:limit]
