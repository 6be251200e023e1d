"""The Creators API adapter: tokens, retries, error translation and mapping.

Most tests talk to the stub-server over real HTTP; a few script exact
answers Amazon documents but the stub-server does not produce (a bare
``Retry-After``, 403 ``AssociateNotEligible``, items with holes).
"""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
import requests

from tests.conftest import free_port
from tests.fakes import make_topic
from widget.catalog.amazon import AmazonCatalog
from widget.catalog.amazon_auth import Credentials
from widget.catalog.base import CatalogBadResponse
from widget.catalog.base import CatalogConfigError
from widget.catalog.base import CatalogThrottled
from widget.catalog.base import CatalogUnavailable
from widget.catalog.base import NoProductsFound
from widget.catalog.stub import StubCatalog
from widget.config import Secret
from widget.models import Topic

ARTEMIS = make_topic("nasa-artemis")


# -- tokens ------------------------------------------------------------------
@pytest.mark.parametrize("version", ["2.1", "3.1"])
def test_one_token_serves_many_searches(make_amazon, stub_server, version):
    catalog = make_amazon(version)
    for _ in range(4):
        catalog.top_products(ARTEMIS, 10)
    assert len(stub_server.calls("token")) == 1
    assert len(stub_server.calls("searchItems")) == 4


def test_threads_of_one_worker_share_one_token(make_amazon, stub_server):
    import threading

    catalog = make_amazon("3.2")
    threads = [
        threading.Thread(target=catalog.top_products, args=(ARTEMIS, 10))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(stub_server.calls("searchItems")) == 8
    assert len(stub_server.calls("token")) == 1


@pytest.mark.parametrize("version", ["2.2", "3.3"])
def test_a_token_is_fetched_again_shortly_before_it_expires(
    make_amazon, stub_server, version
):
    now = [1000.0]
    catalog = make_amazon(version, clock=lambda: now[0])
    catalog.top_products(ARTEMIS, 10)
    now[0] += 3600 - 61  # still inside expires_in minus the margin
    catalog.top_products(ARTEMIS, 10)
    assert len(stub_server.calls("token")) == 1
    now[0] += 2  # within the last minute of the token's life
    catalog.top_products(ARTEMIS, 10)
    assert len(stub_server.calls("token")) == 2


@pytest.mark.parametrize("version", ["2.1", "3.1"])
def test_a_401_gets_a_fresh_token_and_one_retry(make_amazon, stub_server, version):
    catalog = make_amazon(version)
    catalog.top_products(ARTEMIS, 10)
    requests.post(stub_server.url + "/_stub/revoke", timeout=5)
    assert catalog.top_products(ARTEMIS, 10)
    assert [c["status"] for c in stub_server.calls("searchItems")] == [200, 401, 200]
    assert len(stub_server.calls("token")) == 2


def test_a_second_401_in_a_row_is_a_configuration_error(make_amazon, stub_server):
    catalog = make_amazon()
    stub_server.queue("401", "401", "401")
    with pytest.raises(CatalogConfigError, match="CREDENTIAL_VERSION"):
        catalog.top_products(ARTEMIS, 10)
    assert len(stub_server.calls("searchItems")) == 2


@pytest.mark.parametrize("version", ["2.1", "3.1"])
def test_a_wrong_secret_is_a_configuration_error_that_hides_the_secret(
    make_amazon, version
):
    catalog = make_amazon(version, secret="not-the-secret")
    with pytest.raises(CatalogConfigError) as caught:
        catalog.top_products(ARTEMIS, 10)
    assert "WIDGET_AMAZON_CREDENTIAL_ID" in caught.value.message
    assert "not-the-secret" not in caught.value.message


def test_the_version_picks_the_authorization_header_form(make_amazon, stub_server):
    # The stub-server answers 401 InvalidIssuer when header and token family
    # disagree, so a 3.x token sent the 2.x way fails twice.
    catalog = make_amazon("3.1")
    token = catalog.tokens.token()
    assert catalog.tokens.authorization(token) == f"Bearer {token}"
    cognito = make_amazon("2.3")
    assert cognito.tokens.authorization("t") == "Bearer t, Version 2.3"
    catalog.tokens.authorization = cognito.tokens.authorization
    with pytest.raises(CatalogConfigError):
        catalog.top_products(ARTEMIS, 10)


def test_secrets_and_tokens_never_reach_the_log(make_amazon, stub_server, caplog):
    caplog.set_level(logging.DEBUG)
    catalog = make_amazon()
    stub_server.queue("500", "401", "429")
    catalog.top_products(ARTEMIS, 10)
    token = catalog.tokens.token()
    assert "stub-secret" not in caplog.text
    assert token not in caplog.text


# -- retries and errors --------------------------------------------------------
def test_throttling_honours_retry_after_seconds(make_amazon, stub_server):
    stub_server.options.retry_after = 3
    catalog = make_amazon()
    stub_server.queue("429")
    assert catalog.top_products(ARTEMIS, 10)
    assert make_amazon.sleeps == [3.0]


def test_throttling_longer_than_we_wait_fails_with_the_upstream_delay(
    make_amazon, stub_server
):
    stub_server.options.retry_after = 60
    stub_server.queue("429")
    with pytest.raises(CatalogThrottled) as caught:
        make_amazon().top_products(ARTEMIS, 10)
    assert caught.value.retry_after == 60
    assert make_amazon.sleeps == []


def test_server_errors_retry_with_doubling_capped_backoff(make_amazon, stub_server):
    catalog = make_amazon(retries=4, max_backoff=3.0)
    stub_server.queue("500", "503", "500", "503")
    assert catalog.top_products(ARTEMIS, 10)
    assert make_amazon.sleeps == [1.0, 2.0, 3.0, 3.0]


def test_server_errors_past_the_retries_are_unavailable(make_amazon, stub_server):
    stub_server.queue("500", "500", "500", "500", "500")
    with pytest.raises(CatalogUnavailable):
        make_amazon(retries=3).top_products(ARTEMIS, 10)
    assert len(stub_server.calls("searchItems")) == 4


def test_no_retry_starts_past_the_fetch_time_limit(make_amazon, stub_server):
    """A fetch ends inside its topic's lease, however the upstream answers."""
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    stub_server.queue("503", "503", "503")
    catalog = make_amazon(time_limit=2.5, clock=lambda: now[0], sleep=sleep)
    with pytest.raises(CatalogUnavailable):
        catalog.top_products(ARTEMIS, 10)
    # Retried after 1 s; the next retry would start at 3 s, past the limit.
    assert len(stub_server.calls("searchItems")) == 2 and now == [1.0]


def test_a_read_timeout_is_retried(make_amazon, stub_server):
    # A read timeout well above a loaded machine's answer time, so only the
    # queued hang times out (0.2 s saw ordinary answers time out in CI).
    stub_server.options.hang = 1.5
    stub_server.queue("hang")
    catalog = make_amazon(timeout=(2.0, 0.6))
    assert catalog.top_products(ARTEMIS, 10)
    assert len(make_amazon.sleeps) == 1


def test_timeouts_past_the_retries_are_unavailable(make_amazon, stub_server):
    stub_server.options.hang = 0.5
    stub_server.queue("hang", "hang")
    with pytest.raises(CatalogUnavailable) as caught:
        make_amazon(timeout=(2.0, 0.1), retries=1).top_products(ARTEMIS, 10)
    assert isinstance(caught.value.__cause__, requests.Timeout)


def test_stub_server_latency_beyond_the_read_timeout_is_unavailable(
    make_amazon, stub_server
):
    stub_server.options.latency = 0.4
    with pytest.raises(CatalogUnavailable, match="ReadTimeout"):
        make_amazon(timeout=(2.0, 0.1), retries=0).top_products(ARTEMIS, 10)


def test_a_refused_connection_is_unavailable(make_amazon):
    catalog = make_amazon(base_url=f"http://127.0.0.1:{free_port()}", retries=2)
    with pytest.raises(CatalogUnavailable):
        catalog.top_products(ARTEMIS, 10)
    assert make_amazon.sleeps == [1.0, 2.0]


def test_a_malformed_body_is_a_bad_response(make_amazon, stub_server):
    stub_server.queue("malformed")
    with pytest.raises(CatalogBadResponse):
        make_amazon().top_products(ARTEMIS, 10)


def test_a_bad_partner_tag_is_a_configuration_error_in_plain_words(make_amazon):
    with pytest.raises(CatalogConfigError) as caught:
        make_amazon(partner_tag="not a tag").top_products(ARTEMIS, 10)
    assert "InvalidPartnerTag" in caught.value.message
    assert "WIDGET_AMAZON_PARTNER_TAG" in caught.value.message


def test_no_hits_is_no_products_found_read_from_dunder_type(make_amazon):
    with pytest.raises(NoProductsFound, match="ResourceNotFoundException"):
        make_amazon().top_products(ARTEMIS.with_changes(keywords="qqqzzz"), 10)


# -- ranking -------------------------------------------------------------------
def test_all_pages_rank_like_the_stub_catalog(make_amazon, stub_server):
    # The stub-server answers in "relevance" order; re-sorting three pages of
    # candidates by sales rank finds the stub catalog's own top ten.
    topic = Topic(slug="sf", title="Science Fiction", keywords="science fiction")
    expected = StubCatalog(partner_tag="mysite-20").top_products(topic, 10)
    got = make_amazon().top_products(topic.with_changes(pages=3), 10)
    assert [p.asin for p in got] == [p.asin for p in expected]
    assert {c["status"] for c in stub_server.calls("searchItems")} == {200}


# -- scripted answers ----------------------------------------------------------
class ScriptedSession(requests.Session):
    """Answers token requests itself and catalog calls from a script."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)
        self.bodies = []

    def post(self, url, **kwargs):
        if url.endswith("/token"):
            return _response(200, {"access_token": "tok", "expires_in": 3600})
        self.bodies.append(kwargs["json"])
        return self.answers.pop(0)


def _response(status, body, headers=None):
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def _catalog(session, sleeps=None):
    return AmazonCatalog(
        session,
        "https://creatorsapi.example",
        Credentials(Secret("id"), Secret("secret"), "3.1"),
        marketplace="www.amazon.co.uk",
        partner_tag="mysite-21",
        sleep=(sleeps if sleeps is not None else []).append,
    )


def _item(asin, rank=None, **extra):
    item = {
        "asin": asin,
        "detailPageURL": f"https://www.amazon.co.uk/dp/{asin}?tag=mysite-21",
        "itemInfo": {"title": {"displayValue": f"Book {asin}"}},
    }
    if rank is not None:
        item["browseNodeInfo"] = {"websiteSalesRank": {"salesRank": rank}}
    return item | extra


def _page(*items):
    return _response(200, {"searchResult": {"items": list(items)}})


def test_a_bare_retry_after_header_is_honoured():
    sleeps = []
    session = ScriptedSession(
        _response(429, {"type": "ThrottleException"}, {"Retry-After": "2"}),
        _page(_item("B000000001")),
    )
    assert _catalog(session, sleeps).top_products(ARTEMIS, 10)
    assert sleeps == [2.0]


def test_associate_not_eligible_says_what_amazon_wants():
    body = {"type": "AccessDeniedException", "reason": "AssociateNotEligible"}
    with pytest.raises(CatalogConfigError, match="10 qualified sales"):
        _catalog(ScriptedSession(_response(403, body))).top_products(ARTEMIS, 10)


def test_the_request_names_marketplace_tag_and_a_short_resource_list():
    session = ScriptedSession(_page(_item("B000000001")))
    topic = ARTEMIS.with_changes(browse_node="283155", sort_by="Relevance")
    _catalog(session).top_products(topic, 3)
    body = session.bodies[0]
    assert body["partnerTag"] == "mysite-21"
    assert body["browseNodeId"] == "283155"
    assert body["sortBy"] == "Relevance"
    assert body["itemCount"] == 10
    assert "browseNodeInfo.websiteSalesRank" in body["resources"]
    # Only what a box shows: no features, variants, merchants or hi-res images.
    assert len(body["resources"]) <= 12
    assert not [r for r in body["resources"] if "hiRes" in r or "variants" in r]


def test_sales_rank_orders_the_list_unranked_last_ties_in_api_order():
    session = ScriptedSession(
        _page(
            _item("B00000000A"),
            _item("B00000000B", rank=50),
            _item("B00000000C", rank=7),
            _item("B00000000D"),
            _item("B00000000E", rank=7),
        )
    )
    products = _catalog(session).top_products(ARTEMIS, 4)
    assert [p.asin for p in products] == [
        "B00000000C",
        "B00000000E",
        "B00000000B",
        "B00000000A",
    ]


def test_a_second_page_is_fetched_only_when_the_topic_asks_and_the_first_is_full():
    full = [_item(f"B0000000{n:02d}", rank=100 + n) for n in range(10)]
    session = ScriptedSession(
        _page(*full), _response(404, {"__type": "x#ResourceNotFoundException"})
    )
    products = _catalog(session).top_products(ARTEMIS.with_changes(pages=3), 10)
    assert len(products) == 10
    assert [b["itemPage"] for b in session.bodies] == [1, 2]


def test_missing_fields_degrade_instead_of_crashing():
    odd = _item(
        "B000000002",
        images={"primary": {"medium": {"url": "https://m.media-amazon.com/x.jpg"}}},
        offersV2={"listings": [{"price": None}]},
        customerReviews={"starRating": {"value": "n/a"}},
    )
    no_link = {"asin": "B000000003", "itemInfo": {"title": {"displayValue": "x"}}}
    session = ScriptedSession(_page(no_link, odd, _item("B000000004", itemInfo=None)))
    [product] = _catalog(session).top_products(ARTEMIS, 10)
    assert product.asin == "B000000002"
    assert (product.image, product.price, product.rating) == (None, None, None)


def test_a_full_item_maps_to_the_product_model():
    item = _item(
        "B000000005",
        rank=12,
        images={
            "primary": {
                "medium": {"url": "https://m/x.jpg", "height": 160, "width": 107}
            }
        },
        customerReviews={"starRating": {"value": 4.5}},
        offersV2={
            "listings": [
                {"price": {"money": {"amount": 9.5, "currency": "GBP"}}},
                {
                    "isBuyBoxWinner": True,
                    "price": {
                        "money": {
                            "amount": 8.0,
                            "currency": "GBP",
                            "displayAmount": "£8.00",
                        }
                    },
                    "availability": {"type": "IN_STOCK"},
                },
            ]
        },
    )
    item["itemInfo"]["byLineInfo"] = {
        "contributors": [
            {"name": "Ed Itor", "role": "Editor"},
            {"name": "Au Thor", "role": "Author"},
            {"name": "Au Thor", "role": "Author"},
        ]
    }
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert product.url == "https://www.amazon.co.uk/dp/B000000005?tag=mysite-21"
    assert product.authors == ("Au Thor", "Ed Itor")
    assert (product.image.width, product.image.height) == (107, 160)
    assert (product.price.amount, product.price.display) == (8.0, "£8.00")
    assert product.availability == "IN_STOCK"
    assert (product.rating, product.sales_rank) == (4.5, 12)


def test_a_price_without_display_amount_is_formatted_locally():
    item = _item(
        "B000000006",
        offersV2={
            "listings": [{"price": {"money": {"amount": 12, "currency": "USD"}}}]
        },
    )
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert product.price.display == "$12.00"


def test_a_partial_search_answer_keeps_its_items():
    body = {"searchResult": {"items": [_item("B000000007")]}, "errors": [{"code": "X"}]}
    [product] = _catalog(ScriptedSession(_response(200, body))).top_products(
        ARTEMIS, 10
    )
    assert product.asin == "B000000007"


def test_an_answer_with_only_errors_is_no_products_found():
    body = {"errors": [{"code": "NoResults", "message": "nothing"}]}
    with pytest.raises(NoProductsFound, match="NoResults"):
        _catalog(ScriptedSession(_response(200, body))).top_products(ARTEMIS, 10)


# -- ratings, review counts, savings, availability, dates, ISBNs ---------------
SHOWN = (
    "rating",
    "reviews",
    "availability",
    "published",
    "isbn",
    "price",
    "list_price",
    "saving",
)


@pytest.mark.parametrize("keywords", ["nasa artemis", "science fiction", "python"])
def test_the_adapter_reads_every_field_the_stub_catalog_holds(make_amazon, keywords):
    topic = ARTEMIS.with_changes(keywords=keywords, pages=2)
    over_the_wire = make_amazon().top_products(topic, 20)
    offline = {p.asin: p for p in StubCatalog().top_products(topic, 20)}
    assert over_the_wire
    for product in over_the_wire:
        expected = offline[product.asin]
        for name in SHOWN:
            assert getattr(product, name) == getattr(expected, name), name
        assert product.large_image.height == expected.large_image.height
        assert product.large_image.url.endswith(expected.large_image.url)


def test_savings_without_a_saving_basis_still_give_the_list_price():
    money = {"amount": 16.0, "currency": "USD"}
    savings = {"money": {"amount": 4.0, "currency": "USD"}, "percentage": 20}
    item = _item(
        "B000000008",
        offersV2={"listings": [{"price": {"money": money, "savings": savings}}]},
    )
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert (product.list_price.amount, product.list_price.display) == (20.0, "$20.00")
    assert (product.saving.money.display, product.saving.percentage) == ("$4.00", 20)


def test_a_list_price_below_the_price_is_no_saving():
    price = {
        "money": {"amount": 16.0, "currency": "USD"},
        "savingBasis": {"money": {"amount": 12.0, "currency": "USD"}},
    }
    item = _item("B000000009", offersV2={"listings": [{"price": price}]})
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert product.saving is None


@pytest.mark.parametrize(
    ("external_ids", "isbn"),
    [
        ({"isbns": {"displayValues": ["0316769487"]}}, "9780316769488"),
        # a non-book EAN first is skipped, not fatal
        (
            {"eans": {"displayValues": ["0012345678905", "9780316769488"]}},
            "9780316769488",
        ),
        ({"eans": {"displayValues": ["9780316769488"]}}, "9780316769488"),
        ({"isbns": {"displayValues": ["not-an-isbn"]}}, None),
        ({"isbns": None}, None),
    ],
)
def test_the_isbn_is_the_first_valid_one_as_isbn_13(external_ids, isbn):
    item = _item("B00000000I")
    item["itemInfo"]["externalIds"] = external_ids
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert product.isbn == isbn


@pytest.mark.parametrize(
    ("shown", "published"),
    [
        ("2025-03-01T00:00:01Z", date(2025, 3, 1)),
        ("2025-03", date(2025, 3, 1)),
        ("2025", date(2025, 1, 1)),
        ("March 2025", date(2025, 3, 1)),
        ("n/a", None),
        ("2025-13-40", None),
    ],
)
def test_publication_dates_are_read_leniently(shown, published):
    item = _item("B00000000D")
    item["itemInfo"]["contentInfo"] = {"publicationDate": {"displayValue": shown}}
    [product] = _catalog(ScriptedSession(_page(item))).top_products(ARTEMIS, 10)
    assert product.published == published


def test_numbers_that_are_not_finite_are_left_out():
    body = (
        '{"searchResult": {"items": [{"asin": "B00000000N",'
        ' "detailPageURL": "https://www.amazon.co.uk/dp/B00000000N?tag=mysite-21",'
        ' "itemInfo": {"title": {"displayValue": "N"}},'
        ' "customerReviews": {"count": NaN, "starRating": {"value": Infinity}},'
        ' "offersV2": {"listings": [{"price": {"money": {"amount": 8, "currency":'
        ' "GBP"}, "savings": {"money": {"amount": NaN, "currency": "GBP"},'
        ' "percentage": NaN}}}]}}]}}'
    )
    response = requests.Response()
    response.status_code = 200
    response._content = body.encode()
    [product] = _catalog(ScriptedSession(response)).top_products(ARTEMIS, 10)
    assert (product.reviews, product.rating, product.saving) == (None, None, None)
    assert product.price.amount == 8.0
