"""One contract, every catalog: the stub, the Amazon adapter (speaking the
Creators API wire format to the stub-server, for both credential families)
and the manual catalog (Open Library's books API on the same stub-server),
each where the contract applies to it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import free_port
from tests.fakes import make_topic
from widget.catalog.base import CatalogError
from widget.catalog.base import CatalogUnavailable
from widget.catalog.base import NoProductsFound
from widget.catalog.identifiers import parse_lines
from widget.catalog.stub import StubCatalog

ARTEMIS = make_topic("nasa-artemis")
CATALOGS = ["stub", "amazon-2.1", "amazon-3.1", "manual"]


def hand_picked(topic):
    """A manual topic's books: the stub's Artemis books, by ISBN."""
    if topic.keywords != ARTEMIS.keywords:
        return []
    found = StubCatalog().top_products(topic.with_changes(pages=1), 10)
    items, _ = parse_lines(p.isbn for p in found if p.isbn and p.isbn[:3] == "978")
    return items


@pytest.fixture
def make(request):
    """A factory: the catalog named ``kind``, optionally at a dead upstream."""

    def factory(kind, base_url=None):
        if kind == "stub":
            return StubCatalog(partner_tag="mysite-20")
        if kind == "manual":
            make_manual = request.getfixturevalue("make_manual")
            return make_manual(items_of=hand_picked, base_url=base_url)
        make_amazon = request.getfixturevalue("make_amazon")
        options = {"base_url": base_url, "retries": 0} if base_url else {}
        return make_amazon(kind.removeprefix("amazon-"), **options)

    return factory


@pytest.fixture(params=CATALOGS)
def catalog(request, make):
    return make(request.param)


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


def test_a_topic_matching_nothing_raises_no_products_found(catalog):
    topic = ARTEMIS.with_changes(keywords="zzqx quuxblorf")
    with pytest.raises(NoProductsFound):
        catalog.top_products(topic, 10)


def test_distinct_products(catalog):
    products = catalog.top_products(ARTEMIS.with_changes(pages=2), 10)
    assert len({p.asin for p in products}) == len(products)


def test_an_isbn_is_an_isbn_13_when_known(catalog):
    isbns = [p.isbn for p in catalog.top_products(ARTEMIS, 10) if p.isbn]
    assert isbns and all(len(i) == 13 and i[:3] in ("978", "979") for i in isbns)


@pytest.mark.parametrize("kind", ["stub", "amazon-2.1", "amazon-3.1"])
def test_an_unknown_search_index_is_a_catalog_error_not_a_crash(make, kind):
    with pytest.raises(CatalogError):
        make(kind).top_products(ARTEMIS.with_changes(search_index="Nonexistent"), 10)


@pytest.mark.parametrize("kind", ["amazon-2.1", "manual"])
def test_an_upstream_that_does_not_answer_is_unavailable(make, kind):
    catalog = make(kind, base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(CatalogUnavailable):
        catalog.top_products(ARTEMIS, 10)
