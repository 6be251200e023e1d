"""One contract, every catalog: the stub and the Amazon adapter (speaking the
Creators API wire format to the stub-server, for both credential families)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from widget.catalog.base import CatalogError
from widget.catalog.base import NoProductsFound
from widget.catalog.stub import StubCatalog
from widget.models import Topic

ARTEMIS = Topic(slug="nasa-artemis", title="NASA Artemis", keywords="nasa artemis")


@pytest.fixture(params=["stub", "amazon-2.1", "amazon-3.1"])
def catalog(request):
    if request.param == "stub":
        return StubCatalog(partner_tag="mysite-20")
    make_amazon = request.getfixturevalue("make_amazon")
    return make_amazon(request.param.removeprefix("amazon-"))


def test_top_products_are_at_most_limit_each_with_asin_title_and_https_link(catalog):
    products = catalog.top_products(ARTEMIS, 5)
    assert 1 <= len(products) <= 5
    for product in products:
        assert len(product.asin) == 10
        assert product.title
        assert urlsplit(product.url).scheme == "https"
        assert "tag=mysite-20" in product.url


def test_best_sellers_come_first(catalog):
    ranks = [p.sales_rank for p in catalog.top_products(ARTEMIS, 10)]
    ranked = [r for r in ranks if r is not None]
    assert ranked == sorted(ranked)
    assert ranks[: len(ranked)] == ranked  # unranked items trail


def test_the_same_topic_gives_the_same_list(catalog):
    first = catalog.top_products(ARTEMIS, 10)
    assert catalog.top_products(ARTEMIS, 10) == first


def test_a_search_matching_nothing_raises_no_products_found(catalog):
    topic = ARTEMIS.with_changes(keywords="zzqx quuxblorf")
    with pytest.raises(NoProductsFound):
        catalog.top_products(topic, 10)


def test_an_unknown_search_index_is_a_catalog_error_not_a_crash(catalog):
    with pytest.raises(CatalogError):
        catalog.top_products(ARTEMIS.with_changes(search_index="Nonexistent"), 10)


def test_distinct_products(catalog):
    products = catalog.top_products(ARTEMIS.with_changes(pages=2), 10)
    assert len({p.asin for p in products}) == len(products)
