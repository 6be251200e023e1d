"""The stored snapshot format: lists written by older versions still load."""

from __future__ import annotations

import json

from widget.serialize import toplist_from_dict
from widget.serialize import toplist_to_dict

# A snapshot as the service stored it before ratings counts, list prices,
# savings, dates, ISBNs, large covers and notes were kept.
OLD_SNAPSHOT = """{"slug": "nasa-artemis", "updated_at": "2026-11-26T12:00:00Z",
 "source": "amazon", "products": [{"asin": "B0STUB0001", "title": "Artemis Rising",
 "url": "https://www.amazon.com/dp/B0STUB0001?tag=mysite-20",
 "authors": ["Dana Whitlock"],
 "image": {"url": "https://m.media-amazon.com/a.jpg", "width": 107, "height": 160},
 "price": {"amount": 27.95, "currency": "USD", "display": "$27.95"},
 "availability": "IN_STOCK", "rating": 4.0, "sales_rank": 19}]}"""


def test_a_snapshot_from_before_the_new_fields_loads_with_them_empty():
    [product] = toplist_from_dict(json.loads(OLD_SNAPSHOT)).products
    assert (product.title, product.price.display, product.rating) == (
        "Artemis Rising",
        "$27.95",
        4.0,
    )
    new_fields = (
        product.reviews,
        product.list_price,
        product.saving,
        product.published,
        product.isbn,
        product.large_image,
        product.note,
    )
    assert new_fields == (None,) * 7


def test_an_old_snapshot_written_again_reads_back_the_same():
    snapshot = toplist_from_dict(json.loads(OLD_SNAPSHOT))
    assert toplist_from_dict(toplist_to_dict(snapshot)) == snapshot
