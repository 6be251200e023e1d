"""`widget stub-server`: the Creators API wire format over the stub catalog."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

FORM = {
    "grant_type": "client_credentials",
    "client_id": "stub-client",
    "client_secret": "stub-secret",
    "scope": "creatorsapi/default",
}
LWA = FORM | {"scope": "creatorsapi::default"}
SEARCH = {"partnerTag": "mysite-20", "keywords": "nasa artemis", "searchIndex": "Books"}


def _token(server, version="2.1"):
    if version.startswith("3."):
        answer = requests.post(server.url + "/auth/o2/token", json=LWA, timeout=5)
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}
    answer = requests.post(server.url + "/oauth2/token", data=FORM, timeout=5)
    token = answer.json()["access_token"]
    return {"Authorization": f"Bearer {token}, Version {version}"}


def _search(server, headers=None, body=None, marketplace="www.amazon.com"):
    headers = dict(headers if headers is not None else _token(server))
    if marketplace:
        headers["x-marketplace"] = marketplace
    return requests.post(
        server.url + "/catalog/v1/searchItems",
        json=SEARCH if body is None else body,
        headers=headers,
        timeout=5,
    )


# -- token endpoints -----------------------------------------------------------
def test_cognito_token_answers_like_amazon(stub_server):
    answer = requests.post(stub_server.url + "/oauth2/token", data=FORM, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 3600
    assert answer.json()["token_type"] == "Bearer"


def test_cognito_accepts_the_credential_in_basic_auth(stub_server):
    fields = {k: v for k, v in FORM.items() if not k.startswith("client_")}
    answer = requests.post(
        stub_server.url + "/oauth2/token",
        data=fields,
        auth=("stub-client", "stub-secret"),
        timeout=5,
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone"}, 401, "invalid_client"),
        ({"scope": "creatorsapi::default"}, 400, "invalid_scope"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_cognito_checks_id_secret_scope_and_grant(stub_server, change, status, error):
    answer = requests.post(
        stub_server.url + "/oauth2/token", data=FORM | change, timeout=5
    )
    assert (answer.status_code, answer.json()["error"]) == (status, error)


def test_lwa_wants_json_and_its_own_scope(stub_server):
    url = stub_server.url + "/auth/o2/token"
    assert requests.post(url, json=LWA, timeout=5).status_code == 200
    assert requests.post(url, data=LWA, timeout=5).status_code == 400
    wrong_scope = requests.post(url, json=FORM, timeout=5)
    assert wrong_scope.json()["error"] == "invalid_scope"


def test_the_credential_can_be_changed(stub_server):
    stub_server.options.client_secret = "other"
    url = stub_server.url + "/oauth2/token"
    assert requests.post(url, data=FORM, timeout=5).status_code == 401
    assert (
        requests.post(
            url, data=FORM | {"client_secret": "other"}, timeout=5
        ).status_code
        == 200
    )


# -- catalog operations ------------------------------------------------------------
@pytest.mark.parametrize("version", ["2.1", "3.2"])
def test_search_items_answers_in_the_creators_api_shape(stub_server, version):
    body = SEARCH | {"resources": ["itemInfo.title", "browseNodeInfo.websiteSalesRank"]}
    answer = _search(stub_server, _token(stub_server, version), body)
    assert answer.status_code == 200
    result = answer.json()["searchResult"]
    assert result["totalResultCount"] >= len(result["items"]) > 0
    item = result["items"][0]
    assert item["detailPageURL"].startswith("https://www.amazon.com/dp/")
    assert "tag=mysite-20" in item["detailPageURL"]
    assert item["itemInfo"]["title"]["displayValue"]
    assert item["browseNodeInfo"]["websiteSalesRank"]["salesRank"] > 0
    assert "offersV2" not in item  # not asked for


def test_newest_arrivals_come_newest_first(stub_server):
    resources = ["itemInfo.contentInfo"]
    body = SEARCH | {"sortBy": "NewestArrivals", "resources": resources}
    items = _search(stub_server, body=body).json()["searchResult"]["items"]
    dates = [
        i["itemInfo"]["contentInfo"]["publicationDate"]["displayValue"] for i in items
    ]
    assert len(dates) == 10 and dates == sorted(dates, reverse=True)


def test_without_resources_only_titles_come_back(stub_server):
    item = _search(stub_server).json()["searchResult"]["items"][0]
    assert set(item) == {"asin", "detailPageURL", "itemInfo"}
    assert set(item["itemInfo"]) == {"title"}


def test_covers_are_served_by_the_stub_server(stub_server):
    body = SEARCH | {"resources": ["images.primary.medium"]}
    item = _search(stub_server, body=body).json()["searchResult"]["items"][0]
    medium = item["images"]["primary"]["medium"]
    assert medium["url"].startswith(stub_server.url + "/stub-covers/")
    cover = requests.get(medium["url"], timeout=5)
    assert cover.status_code == 200 and b"<svg" in cover.content


@pytest.mark.parametrize(
    ("headers", "reason"),
    [({}, "InvalidToken"), ({"Authorization": "Bearer made-up"}, "InvalidToken")],
)
def test_calls_need_a_token_it_issued(stub_server, headers, reason):
    answer = _search(stub_server, headers)
    assert answer.status_code == 401
    assert answer.json()["reason"] == reason


def test_a_token_of_one_family_with_the_other_header_is_refused(stub_server):
    lwa = _token(stub_server, "3.1")
    lwa["Authorization"] += ", Version 2.1"
    assert _search(stub_server, lwa).json()["reason"] == "InvalidIssuer"


def test_calls_need_x_marketplace(stub_server):
    answer = _search(stub_server, marketplace=None)
    assert answer.status_code == 400
    assert answer.json()["fieldList"] == ["x-marketplace"]


@pytest.mark.parametrize("tag", [None, "", "no tag here"])
def test_calls_need_a_partner_tag(stub_server, tag):
    body = {k: v for k, v in SEARCH.items() if k != "partnerTag"}
    if tag is not None:
        body["partnerTag"] = tag
    answer = _search(stub_server, body=body)
    assert answer.status_code == 400
    assert answer.json()["type"] == "ValidationException"
    assert answer.json()["reason"] == "InvalidPartnerTag"


def test_item_count_is_one_to_ten(stub_server):
    answer = _search(stub_server, body=SEARCH | {"itemCount": 11})
    assert answer.status_code == 400
    assert answer.json()["fieldList"] == ["itemCount"]


def test_no_hits_is_a_404_with_the_dunder_type_spelling(stub_server):
    answer = _search(stub_server, body=SEARCH | {"keywords": "qqqzzz"})
    assert answer.status_code == 404
    assert answer.json()["__type"].endswith("#ResourceNotFoundException")
    assert answer.json()["resourceType"] == "SearchResult"


def test_get_items_reports_unknown_asins_beside_the_good_ones(stub_server):
    headers = _token(stub_server) | {"x-marketplace": "www.amazon.com"}
    answer = requests.post(
        stub_server.url + "/catalog/v1/getItems",
        json={"partnerTag": "mysite-20", "itemIds": ["B0STUB0003", "B0NOPE0000"]},
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 200
    assert [i["asin"] for i in answer.json()["itemsResult"]["items"]] == ["B0STUB0003"]
    assert answer.json()["errors"][0]["code"] == "InvalidParameterValue"


# -- faults and the call log -------------------------------------------------------
def test_throttle_answers_429_with_retry_after_past_the_rate(stub_server):
    stub_server.options.throttle = True
    stub_server.options.tps = 1
    headers = _token(stub_server)
    answers = [_search(stub_server, headers) for _ in range(3)]
    # At most one call fits a second, so at least one of three is refused
    # (three calls a few milliseconds apart span at most two seconds).
    refused = [a for a in answers if a.status_code == 429]
    assert refused
    assert refused[0].json()["retryAfterSeconds"] == 1
    assert refused[0].headers["Retry-After"] == "1"


def test_fail_rate_one_fails_every_call_with_the_chosen_fault(stub_server):
    stub_server.options.fail_rate = 1.0
    stub_server.options.faults = ("503",)
    headers = _token(stub_server)
    assert {_search(stub_server, headers).status_code for _ in range(3)} == {503}


def test_queued_faults_hit_the_next_calls_in_order(stub_server):
    headers = _token(stub_server)
    stub_server.queue("429", "malformed")
    throttled = _search(stub_server, headers)
    assert throttled.json()["retryAfterSeconds"] == 1
    broken = _search(stub_server, headers)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    assert _search(stub_server, headers).status_code == 200


def test_unknown_faults_are_refused(stub_server):
    answer = requests.post(
        stub_server.url + "/_stub/faults", json={"next": ["explode"]}, timeout=5
    )
    assert answer.status_code == 400


def test_the_call_log_counts_and_resets(stub_server):
    headers = _token(stub_server)
    _search(stub_server, headers)
    _search(stub_server, headers, marketplace=None)
    log = requests.get(stub_server.url + "/_stub/calls", timeout=5).json()
    assert log["counts"] == {"token": 1, "searchItems": 2}
    assert [c["status"] for c in log["calls"]] == [200, 200, 400]
    requests.post(stub_server.url + "/_stub/reset", timeout=5)
    assert stub_server.calls() == []


# -- Open Library's books API ----------------------------------------------------
def _books(server, bibkeys, **params):
    query = {"bibkeys": bibkeys, "format": "json", "jscmd": "data"} | params
    return requests.get(server.url + "/api/books", params=query, timeout=5)


def test_books_are_found_by_isbn_10_or_13_and_keyed_as_asked(stub_server):
    answer = _books(
        stub_server, "ISBN:0000000019,ISBN:978-0-00-000011-8,ISBN:9780316769488"
    )
    assert answer.status_code == 200
    books = answer.json()
    assert set(books) == {
        "ISBN:0000000019",
        "ISBN:978-0-00-000011-8",
    }  # unknown: absent
    artemis = books["ISBN:0000000019"]
    assert (artemis["title"], artemis["subtitle"]) == (
        "Artemis Rising",
        "The Long Road Back to the Moon",
    )
    assert artemis["authors"][0]["name"] == "Dana Whitlock"
    assert artemis["identifiers"]["isbn_13"] == ["9780000000019"]
    assert artemis["identifiers"]["isbn_10"] == ["0000000019"]
    assert artemis["publish_date"] == "May 3, 2009"
    assert artemis["cover"]["medium"] == stub_server.url + "/b/isbn/9780000000019-M.jpg"


def test_books_without_format_json_come_as_a_script(stub_server):
    answer = _books(stub_server, "ISBN:9780000000019", format="")
    assert answer.text.startswith("var _OLBookInfo = {")


def test_only_the_data_view_is_served(stub_server):
    assert _books(stub_server, "ISBN:9780000000019", jscmd="viewapi").status_code == 400


def test_book_lookups_are_logged_and_take_faults(stub_server):
    stub_server.queue("503")
    assert _books(stub_server, "ISBN:9780000000019").status_code == 503
    assert _books(stub_server, "ISBN:9780000000019").status_code == 200
    statuses = [c["status"] for c in stub_server.calls("openlibrary")]
    assert statuses == [503, 200]


# -- the command ---------------------------------------------------------------------
def test_the_command_prints_its_token_urls_and_serves(tmp_path):
    root = Path(__file__).parent.parent
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIDGET_")}
    env |= {
        "PYTHONPATH": str(root),
        "WIDGET_STORE": f"sqlite:///{tmp_path}/w.db",
        "WIDGET_INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-c", "from widget.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "stub-server", "--port", str(port), "--client-secret", "s3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        lines = [process.stdout.readline() for _ in range(5)]
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/oauth2/token" in lines[1]
        assert f"{base}/auth/o2/token" in lines[2]
        assert "stub-client / s3" in lines[3]
        assert f"{base}/api/books" in lines[4]
        fields = FORM | {"client_secret": "s3"}
        answer = requests.post(base + "/oauth2/token", data=fields, timeout=5)
        assert answer.status_code == 200
        books = requests.get(
            base + "/api/books",
            params={"bibkeys": "ISBN:9780000000019", "format": "json", "jscmd": "data"},
            timeout=5,
        )
        assert books.json()["ISBN:9780000000019"]["title"] == "Artemis Rising"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


# -- a third-party client --------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "path"), [("2.1", "/oauth2/token"), ("3.1", "/auth/o2/token")]
)
def test_python_amazon_paapi_gets_items_from_the_stub_server(
    stub_server, version, path
):
    from amazon_creatorsapi import AmazonCreatorsApi

    api = AmazonCreatorsApi(
        "stub-client",
        "stub-secret",
        version,
        "mysite-20",
        country="US",
        throttling=0,
        host=stub_server.url,
        auth_endpoint=stub_server.url + path,
    )
    try:
        found = api.search_items(keywords="nasa artemis", search_index="Books")
        items = api.get_items(["B0STUB0001", "B0NOPE0000", "B0STUB0011"])
    finally:
        api.close()
    assert len(found.items) == 10
    first = found.items[0]
    assert first.item_info.title.display_value
    assert first.detail_page_url.startswith("https://www.amazon.com/dp/")
    assert [i.asin for i in items] == ["B0STUB0001", "B0STUB0011"]
    assert items[0].offers_v2.listings[0].price.money.amount > 0
    # The fields a box shows parse with Amazon's own models.
    discounted = items[1]
    assert discounted.customer_reviews.count > 0
    assert discounted.offers_v2.listings[0].price.savings.percentage > 0
    assert discounted.offers_v2.listings[0].price.saving_basis.money.amount > 0
    assert discounted.item_info.content_info.publication_date.display_value
    assert discounted.item_info.external_ids.eans.display_values[0].startswith("978")
    assert discounted.images.primary.large.height > 160
    assert items.errors[0].code == "InvalidParameterValue"
    assert len(stub_server.calls("token")) == 1


DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize(
    ("operation", "body", "field"),
    [
        ("searchItems", SEARCH | {"resources": 5}, "resources"),
        ("searchItems", SEARCH | {"resources": [["itemInfo.title"]]}, "resources"),
        ("searchItems", SEARCH | {"resources": {"itemInfo.title": 1}}, "resources"),
        ("searchItems", SEARCH | {"keywords": ["nasa"]}, "keywords"),
        ("searchItems", SEARCH | {"browseNodeId": {"id": 1}}, "browseNodeId"),
        ("searchItems", SEARCH | {"itemPage": True}, "itemPage"),
        ("searchItems", SEARCH | {"searchIndex": 3}, "searchIndex"),
        ("getItems", {"partnerTag": "mysite-20", "itemIds": "B0STUB0001"}, "itemIds"),
        ("getItems", {"partnerTag": "mysite-20", "itemIds": [{}]}, "itemIds"),
        ("searchItems", DEEP, None),
        ("searchItems", [SEARCH], None),
    ],
)
def test_type_confused_bodies_are_a_400_not_a_500(stub_server, operation, body, field):
    """Issue 12, item 7: a list where a string belongs made the stub answer 500."""
    headers = _token(stub_server) | {"x-marketplace": "www.amazon.com"}
    answer = requests.post(
        f"{stub_server.url}/catalog/v1/{operation}",
        data=body if isinstance(body, str) else None,
        json=None if isinstance(body, str) else body,
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["type"] == "ValidationException"
    if field:
        assert answer.json()["fieldList"] == [field]


@pytest.mark.parametrize(
    ("path", "body"),
    [("/auth/o2/token", DEEP), ("/_stub/faults", "[1]"), ("/_stub/faults", DEEP)],
)
def test_odd_bodies_on_the_other_endpoints_are_a_400(stub_server, path, body):
    answer = requests.post(stub_server.url + path, data=body, timeout=10)
    assert answer.status_code == 400
