"""The manual catalog: hand-picked books with Open Library data and plain
tagged links, run against the stub-server's Open Library (and a few scripted
answers the stub-server does not produce)."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
import requests

from tests.conftest import free_port
from widget.catalog import make_manual_catalog
from widget.catalog.base import CatalogBadResponse
from widget.catalog.base import CatalogConfigError
from widget.catalog.base import CatalogThrottled
from widget.catalog.base import CatalogUnavailable
from widget.catalog.base import NoProductsFound
from widget.catalog.identifiers import isbn13_check_digit
from widget.catalog.identifiers import parse_lines
from widget.catalog.manual import ManualCatalog
from widget.catalog.manual import Storefront
from widget.config import load_config
from widget.models import Topic

LINES = [
    "978-0-00-000011-8  The one on the desk",  # Lunar Logistics, by ISBN-13
    "B0STUBKND1",  # an ASIN Open Library cannot be asked about
    "9780316769488",  # an ISBN the (stub) Open Library does not know
    "0000000019",  # Artemis Rising, by ISBN-10
]


def items(lines=LINES):
    parsed, errors = parse_lines(lines)
    assert errors == []
    return parsed


def test_books_come_in_the_admins_order_with_open_data_and_plain_links(make_manual):
    products = make_manual().products(items())
    assert [p.title for p in products] == [
        "Lunar Logistics: How NASA Plans to Stay on the Moon",
        "B0STUBKND1",
        "9780316769488",
        "Artemis Rising: The Long Road Back to the Moon",
    ]
    assert [p.url for p in products] == [
        "https://www.amazon.com/dp/0000000116?tag=mysite-20",
        "https://www.amazon.com/dp/B0STUBKND1?tag=mysite-20",
        "https://www.amazon.com/dp/0316769487?tag=mysite-20",
        "https://www.amazon.com/dp/0000000019?tag=mysite-20",
    ]
    lunar = products[0]
    assert lunar.authors == ("Everett Quinlan",)
    assert lunar.note == "The one on the desk"
    assert (lunar.isbn, lunar.published) == ("9780000000118", date(2014, 11, 21))
    assert lunar.image.url.endswith("/b/isbn/9780000000118-M.jpg")
    assert lunar.large_image.url.endswith("/b/isbn/9780000000118-L.jpg")


def test_open_data_never_carries_prices_ratings_or_availability(make_manual):
    for product in make_manual().products(items()):
        assert (product.price, product.list_price, product.saving) == (None,) * 3
        assert (product.rating, product.reviews, product.sales_rank) == (None,) * 3
        assert product.availability is None


def test_unknown_books_keep_their_place_without_a_cover(make_manual):
    unknown = make_manual().products(items())[2]
    assert (unknown.asin, unknown.isbn) == ("0316769487", "9780316769488")
    assert (unknown.image, unknown.authors) == (None, ())


def test_the_covers_are_served_and_a_missing_one_can_be_a_404(make_manual, stub_server):
    lunar = make_manual().products(items())[0]
    for url in (lunar.image.url, lunar.large_image.url):
        cover = requests.get(url, timeout=5)
        assert cover.status_code == 200 and b"<svg" in cover.content
    missing = stub_server.url + "/b/isbn/9780316769488-M.jpg"
    assert requests.get(missing + "?default=false", timeout=5).status_code == 404
    assert requests.get(missing, timeout=5).status_code == 200  # a blank image


def test_a_979_isbn_without_an_isbn_10_links_to_a_search_for_it(make_manual):
    [product] = make_manual().products(items(["979-8-00-000009-0"]))
    assert product.title.startswith("Suited Up on the Regolith")
    assert product.url == "https://www.amazon.com/s?k=9798000000090&tag=mysite-20"
    assert product.asin == "9798000000090"


def test_each_store_gets_its_own_links(make_manual):
    uk = Storefront("www.amazon.co.uk", "mysite-21")
    [product] = make_manual().products(items(["0000000019"]), uk)
    assert product.url == "https://www.amazon.co.uk/dp/0000000019?tag=mysite-21"


def test_one_request_asks_for_every_isbn_of_a_list(make_manual, stub_server):
    make_manual().products(items())
    [call] = stub_server.calls("openlibrary")
    assert call["status"] == 200


def test_long_lists_are_asked_for_in_batches(make_manual, stub_server):
    isbns = [f"97800000{n:04d}" for n in range(1, 8)]
    lines = [isbn + isbn13_check_digit(isbn) for isbn in isbns]
    products = make_manual(batch_size=3).products(items(lines))
    assert len(products) == 7 and all(p.image for p in products)
    assert len(stub_server.calls("openlibrary")) == 3


def test_a_book_named_twice_appears_once_where_first_named(make_manual):
    twice = [*items(["0000000019", "9780000000118"]), *items(["9780000000019"])]
    products = make_manual().products(twice)
    assert [p.isbn for p in products] == ["9780000000019", "9780000000118"]


def test_an_empty_list_is_no_products_found(make_manual, stub_server):
    with pytest.raises(NoProductsFound):
        make_manual().products([])
    assert stub_server.calls("openlibrary") == []


def test_a_topic_gets_its_books_through_items_of(make_manual):
    topic = Topic(slug="picks", title="My picks", keywords="")
    catalog = make_manual(items_of=lambda t: items() if t.slug == "picks" else [])
    assert [p.title for p in catalog.top_products(topic, 2)] == [
        "Lunar Logistics: How NASA Plans to Stay on the Moon",
        "B0STUBKND1",
    ]
    with pytest.raises(NoProductsFound):
        catalog.top_products(topic.with_changes(slug="other"), 10)


def test_the_settings_build_it(stub_server):
    config = load_config(
        {"WIDGET_OPENLIBRARY_URL": stub_server.url, "WIDGET_AMAZON_PARTNER_TAG": "x-20"}
    )
    catalog = make_manual_catalog(config)
    try:
        [product] = catalog.products(items(["0000000019"]))
    finally:
        catalog.close()
    assert product.url == "https://www.amazon.com/dp/0000000019?tag=x-20"
    assert product.title.startswith("Artemis Rising")


# -- Open Library slow, down or malformed -----------------------------------------
def test_a_slow_open_library_is_unavailable_within_the_timeout(
    make_manual, stub_server
):
    stub_server.options.latency = 1.0
    catalog = make_manual(timeout=(1.0, 0.3))
    started = time.monotonic()
    with pytest.raises(CatalogUnavailable, match="Timeout"):
        catalog.products(items())
    assert time.monotonic() - started < 1.0


def test_a_hanging_open_library_is_unavailable(make_manual, stub_server):
    stub_server.options.hang = 1.0
    stub_server.queue("hang")
    with pytest.raises(CatalogUnavailable):
        make_manual(timeout=(1.0, 0.3)).products(items())


def test_an_unreachable_open_library_is_unavailable(make_manual):
    catalog = make_manual(base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(CatalogUnavailable, match="ConnectionError"):
        catalog.products(items())


@pytest.mark.parametrize("fault", ["500", "503"])
def test_server_errors_are_unavailable(make_manual, stub_server, fault):
    stub_server.queue(fault)
    with pytest.raises(CatalogUnavailable, match=fault):
        make_manual().products(items())


def test_throttling_is_reported_with_its_delay(make_manual, stub_server):
    stub_server.options.retry_after = 7
    stub_server.queue("429")
    with pytest.raises(CatalogThrottled) as caught:
        make_manual().products(items())
    assert caught.value.retry_after == 7


def test_a_malformed_answer_is_a_bad_response(make_manual, stub_server):
    stub_server.queue("malformed")
    with pytest.raises(CatalogBadResponse, match="not JSON"):
        make_manual().products(items())


def test_a_sparse_answer_still_gives_titles(make_manual, stub_server):
    stub_server.queue("sparse")
    lunar = make_manual().products(items())[0]
    assert lunar.title == "Lunar Logistics"
    assert (lunar.image, lunar.authors, lunar.published) == (None, (), None)


def test_a_wrong_address_names_the_setting(make_manual, stub_server):
    with pytest.raises(CatalogConfigError, match="WIDGET_OPENLIBRARY_URL"):
        make_manual(base_url=stub_server.url + "/nothing-here").products(items())


def test_the_fail_rate_switch_applies_to_open_library(make_manual, stub_server):
    stub_server.options.fail_rate = 1.0
    stub_server.options.faults = ("503",)
    with pytest.raises(CatalogUnavailable):
        make_manual().products(items())


# -- odd entries, as Open Library may send them ----------------------------------
class ScriptedSession(requests.Session):
    def __init__(self, body, status=200, headers=None):
        super().__init__()
        self.body, self.status, self.headers_out = body, status, headers or {}
        self.sent = []

    def get(self, url, **kwargs):
        self.sent.append(kwargs)
        response = requests.Response()
        response.status_code = self.status
        response._content = (
            self.body
            if isinstance(self.body, bytes)
            else json.dumps(self.body).encode()
        )
        response.headers.update(self.headers_out)
        return response


def _scripted(body, **kwargs):
    session = ScriptedSession(body, **kwargs)
    catalog = ManualCatalog(
        session, "https://openlibrary.example", Storefront("www.amazon.com", "t-20")
    )
    return catalog, session


@pytest.mark.parametrize(
    ("entry", "title", "published"),
    [
        ({"title": "  A   Title "}, "A Title", None),
        (
            {"title": "T", "subtitle": "S", "publish_date": "2005"},
            "T: S",
            date(2005, 1, 1),
        ),
        ({"title": "T", "publish_date": "May 2005"}, "T", date(2005, 5, 1)),
        ({"title": "T", "publish_date": "Summer, c1999?"}, "T", date(1999, 1, 1)),
        ({"title": "T", "publish_date": "16 May 2005"}, "T", date(2005, 5, 16)),
        ({"title": "T", "publish_date": "n.d."}, "T", None),
        ({"title": ""}, "9780316769488", None),
        ({"title": None, "authors": "x"}, "9780316769488", None),
        ("not an object", "9780316769488", None),
    ],
)
def test_odd_entries_degrade_to_what_can_be_read(entry, title, published):
    catalog, _ = _scripted({"ISBN:9780316769488": entry})
    [product] = catalog.products(items(["9780316769488"]))
    assert (product.title, product.published) == (title, published)


def test_only_web_covers_are_kept_and_authors_once_each():
    entry = {
        "title": "T",
        "authors": [{"name": "A"}, {"name": "A"}, {"nom": "B"}, "C", {"name": " D "}],
        "cover": {"medium": "javascript:alert(1)", "large": "https://c.example/L.jpg"},
    }
    catalog, _ = _scripted({"ISBN:9780316769488": entry})
    [product] = catalog.products(items(["9780316769488"]))
    assert product.authors == ("A", "D")
    assert product.image is None
    assert product.large_image.url == "https://c.example/L.jpg"


@pytest.mark.parametrize("body", [b"[1, 2]", b"<html>busy</html>"])
def test_an_answer_that_is_not_an_object_is_a_bad_response(body):
    catalog, _ = _scripted(body)
    with pytest.raises(CatalogBadResponse):
        catalog.products(items())


def test_an_unexpected_status_is_a_bad_response():
    catalog, _ = _scripted(b"no", status=418)
    with pytest.raises(CatalogBadResponse, match="418"):
        catalog.products(items())


def test_requests_name_the_service_and_ask_in_one_batch():
    catalog, session = _scripted({})
    catalog.products(items())
    [sent] = session.sent
    assert "book-widget" in sent["headers"]["User-Agent"]
    assert sent["params"]["bibkeys"] == (
        "ISBN:9780000000118,ISBN:9780316769488,ISBN:9780000000019"
    )
    assert sent["params"]["jscmd"] == "data" and sent["params"]["format"] == "json"
    assert sent["timeout"] == (5.0, 10.0)
