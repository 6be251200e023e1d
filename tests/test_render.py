"""render.py on its own: the display rules, without a request."""

from datetime import timedelta

import pytest

from tests.conftest import Clock
from tests.fakes import ARTEMIS
from tests.fakes import make_product
from widget.config import load_config
from widget.lists import Variant
from widget.models import Image
from widget.models import Source
from widget.models import TopicState
from widget.models import TopList
from widget.render import display_products
from widget.render import prices_as_of
from widget.render import widget_context

NOW = Clock().moment
SETTINGS = load_config({})


def state(*products, age=timedelta(minutes=5)):
    snapshot = TopList("artemis", tuple(products), NOW - age, Source("fake"))
    return TopicState(ARTEMIS, version=1, snapshot=snapshot)


def context(topic_state, fresh="fresh", **variant):
    return widget_context(topic_state, Variant(**variant), NOW, fresh, SETTINGS)


def test_only_https_links_are_shown_and_ranks_count_what_is_shown():
    products = [
        make_product(1, url="http://www.amazon.com/dp/B0FAKE0001"),
        make_product(2),
        make_product(3, url="javascript:alert(1)"),
        make_product(4),
    ]
    shown = display_products(products, base_url="", show_prices=True)
    assert [p.asin for p in shown] == ["B0FAKE0002", "B0FAKE0004"]
    views = context(state(*products))["products"]
    assert [(v.rank, v.title) for v in views] == [
        (1, "Fake Book 2"),
        (2, "Fake Book 4"),
    ]


def test_covers_are_hot_linked_over_https_and_ours_made_absolute():
    products = [
        make_product(1, image=Image("http://covers.example/1.jpg", 10, 10)),
        make_product(2, image=Image("/stub-covers/B0STUB0002.svg", 107, 160)),
        make_product(3),
    ]
    shown = display_products(products, base_url="https://w.example/", show_prices=True)
    assert [p.image.url if p.image else None for p in shown] == [
        None,
        "https://w.example/stub-covers/B0STUB0002.svg",
        "https://m.media-amazon.com/images/I/fake3.jpg",
    ]


def test_count_cuts_the_list_after_unsafe_items_are_dropped():
    products = [make_product(1, url="ftp://x"), *map(make_product, range(2, 8))]
    shown = display_products(products, base_url="", show_prices=True, count=3)
    assert [p.asin[-1] for p in shown] == ["2", "3", "4"]


@pytest.mark.parametrize(
    "fresh, age, price_shown, stamp",
    [
        ("fresh", timedelta(minutes=5), "$11.00", None),
        ("aging", timedelta(hours=2), "$11.00", "10:00 UTC"),
        ("stale", timedelta(hours=30), None, None),
    ],
)
def test_prices_follow_the_age_of_the_list(fresh, age, price_shown, stamp):
    found = context(state(make_product(1), age=age), fresh)
    assert found["products"][0].price == price_shown
    assert found["price_as_of"] == stamp
    assert found["stale"] is (fresh == "stale")
    assert (found["prices_as_of"] is None) is (price_shown is None)


def test_prices_as_of_is_the_list_time_only_when_a_price_shows():
    with_price, without = make_product(1), make_product(2, price=None)
    assert prices_as_of([without, with_price], NOW) == NOW
    assert prices_as_of([without], NOW) is None


def test_heading_footer_and_disclosure_follow_the_language():
    english = context(state(make_product(1), make_product(2)))
    assert english["heading"] == "Today's 2 Most Popular Books on NASA Artemis"
    assert english["footer"].startswith("Last update on 2026-11-26")
    assert english["disclosure"].startswith("As an Amazon Associate")
    german = context(state(make_product(1)), lang="de")
    assert german["heading"] == "Das beliebteste Buch heute: NASA Artemis"
    assert german["footer"].startswith("Stand: 26.11.2026")


def test_a_topic_without_a_list_has_no_products_and_no_footer():
    found = context(TopicState(ARTEMIS, version=1))
    assert found["has_list"] is False and found["products"] == []
    assert found["footer"] == "" and found["prices_as_of"] is None
