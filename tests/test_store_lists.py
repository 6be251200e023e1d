"""A list per topic and store: ``store=`` on widgets and the API, one
refresh loop over (topic, store) pairs, one store's failures kept apart."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.test_store_catalogs import three_stores
from widget.services import services

LINK = re.compile(r'href="(https://www\.amazon\.[a-z.]+/dp/[^"]+)"')
STUB_STORES = {"de": {"partner_tag": "mysite-21"}, "uk": {"partner_tag": "mysite0d-21"}}


@pytest.fixture
def stores_app(make_app):
    return make_app(
        WIDGET_AMAZON_PARTNER_TAG="mysite-20",
        WIDGET_AMAZON_STORES=json.dumps(STUB_STORES),
    )


def links(body):
    return LINK.findall(body)


def test_a_store_parameter_shows_that_stores_links_prices_and_language(stores_app):
    client = stores_app.test_client()
    de = client.get("/widget/nasa-artemis?store=de")
    body = de.get_data(as_text=True)
    assert de.status_code == 200 and "Widget-Warning" not in de.headers
    assert links(body) and all(
        u.startswith("https://www.amazon.de/dp/") and "tag=mysite-21&amp;" in u
        for u in links(body)
    )
    assert re.search(r"\d,\d\d €", body) and "$" not in body  # "25,99 €"
    assert "Als Amazon-Partner verdienen wir an qualifizierten Verkäufen." in body
    assert "Stand: " in body and 'lang="de"' in body
    uk = client.get("/widget/nasa-artemis/fragment?store=uk").get_data(as_text=True)
    assert all(u.startswith("https://www.amazon.co.uk/") for u in links(uk))
    assert "£" in uk and "As an Amazon Associate" in uk
    english = client.get("/widget/nasa-artemis?store=de&lang=en")
    assert "As an Amazon Associate" in english.get_data(as_text=True)


def test_the_default_store_is_unchanged_and_unknown_stores_fall_back(stores_app):
    client = stores_app.test_client()
    plain = client.get("/widget/nasa-artemis")
    assert client.get("/widget/nasa-artemis?store=us").data == plain.data
    assert all(u.startswith("https://www.amazon.com/") for u in links(plain.text))
    unknown = client.get("/widget/nasa-artemis?store=br")
    assert unknown.status_code == 200 and unknown.data == plain.data
    assert unknown.headers["Widget-Warning"] == (
        "store must be us or de or uk, using us"
    )


def test_the_api_serves_a_stores_list_and_names_the_store(stores_app):
    client = stores_app.test_client()
    de = client.get("/api/v1/topics/nasa-artemis?store=de").get_json()
    assert de["store"] == "de"
    assert all(p["url"].startswith("https://www.amazon.de/") for p in de["products"])
    assert client.get("/api/v1/topics/nasa-artemis").get_json()["store"] == "us"
    bad = client.get("/api/v1/topics/nasa-artemis?store=br")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"] == {"store": "one of us, de, uk"}


# -- the real adapter against a stub-server playing three marketplaces -----------
@pytest.fixture
def amazon_app(make_app, marketplaces):
    app = make_app(**three_stores(marketplaces), WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    with app.app_context():
        for catalog in [
            services().catalog,
            *services().lists.refresher.stores.values(),
        ]:
            catalog.sleep = lambda seconds: None
    return app


def searches(url):
    calls = requests.get(url + "/_stub/calls", timeout=5).json()["calls"]
    return [c for c in calls if c["operation"] == "searchItems"]


def queue_429s(url, marketplace):
    requests.post(
        url + "/_stub/faults",
        json={"next": ["429"] * 20, "marketplace": marketplace},
        timeout=5,
    )


def test_one_refresh_is_one_search_per_topic_and_store(amazon_app, marketplaces):
    result = amazon_app.test_cli_runner().invoke(args=["refresh", "--all"])
    assert result.exit_code == 0, result.output
    assert "nasa-artemis [de]: refreshed, 10 items" in result.output
    done = searches(marketplaces)
    pairs = sorted(c["marketplace"] for c in done)
    hosts = ["www.amazon.co.jp", "www.amazon.com", "www.amazon.de"]
    assert pairs == sorted(hosts * 2)  # two demo topics, three stores
    with amazon_app.app_context():
        store = services().store
        assert store.budget_used("amazon:tpd", 86400, time.time()) == 2
        refresher = services().lists.refresher
        per_credential = {k: c.budget.used_today() for k, c in refresher.stores.items()}
    assert per_credential == {"de": 2, "jp": 2}


def test_one_stores_429s_leave_the_other_stores_fresh(amazon_app, marketplaces):
    runner = amazon_app.test_cli_runner()
    client = amazon_app.test_client()
    assert runner.invoke(args=["refresh", "--all"]).exit_code == 0
    good_de = links(client.get("/widget/nasa-artemis?store=de").text)
    queue_429s(marketplaces, "www.amazon.de")
    result = runner.invoke(args=["refresh", "nasa-artemis"])
    assert result.exit_code == 1
    assert "nasa-artemis [de]: FAILED" in result.output
    assert "nasa-artemis: refreshed" in result.output
    assert "nasa-artemis [jp]: refreshed" in result.output
    # de keeps its last good list; its error is its own.
    assert links(client.get("/widget/nasa-artemis?store=de").text) == good_de
    with amazon_app.app_context():
        store = services().store
        assert store.get_state("nasa-artemis", "de").error.kind == "throttled"
        assert store.get_state("nasa-artemis").error is None
        assert store.get_state("nasa-artemis", "jp").error is None


def test_a_store_without_a_list_yet_shows_the_default_stores(amazon_app, marketplaces):
    client = amazon_app.test_client()
    queue_429s(marketplaces, "www.amazon.de")
    box = client.get("/widget/nasa-artemis?store=de")
    assert box.status_code == 200
    shown = links(box.text)
    assert shown and all(u.startswith("https://www.amazon.com/") for u in shown)
    assert "Als Amazon-Partner" in box.text  # the visitor's language still
    jp = links(client.get("/widget/nasa-artemis?store=jp").text)
    assert jp and all("www.amazon.co.jp/" in u and "tag=mysite-22" in u for u in jp)


# -- the admin pages ------------------------------------------------------------
@pytest.fixture
def store_admin(amazon_app):
    from tests.test_admin import AdminActions

    actions = AdminActions(amazon_app.test_client())
    assert actions.login().status_code == 302
    return actions


def test_the_admin_shows_each_stores_status_age_and_error(store_admin, marketplaces):
    client = store_admin.client
    page = client.get("/admin/topics/nasa-artemis").text
    assert 'id="store-de"' in page and 'id="store-jp"' in page
    assert "never (shows the default store's list)" in page
    refreshed = store_admin.post("/admin/topics/nasa-artemis/stores/refresh")
    assert refreshed.status_code == 302
    page = client.get("/admin/topics/nasa-artemis").text
    assert "NASA Artemis [de]: refreshed" in page and "[jp]: refreshed" in page
    row = page.split('id="store-de"', 1)[1].split("</tr>", 1)[0]
    assert ">10<" in row and "just now" in row and "fresh" in row
    queue_429s(marketplaces, "www.amazon.de")
    store_admin.post("/admin/topics/nasa-artemis/stores/refresh", store="de")
    page = client.get("/admin/topics/nasa-artemis").text
    de = page.split('id="store-de"', 1)[1].split("</tr>", 1)[0]
    jp = page.split('id="store-jp"', 1)[1].split("</tr>", 1)[0]
    assert "Amazon asked us to slow down" in de and ">10<" in de
    assert "slow down" not in jp
    index = client.get("/admin/").text
    cell = index.split('id="store-nasa-artemis-de"', 1)[1].split("</div>", 1)[0]
    assert "slow down" in cell
    unknown = store_admin.post("/admin/topics/nasa-artemis/stores/refresh", store="br")
    assert unknown.status_code == 404


def test_a_topic_names_the_stores_it_has_lists_in(amazon_app, marketplaces):
    app = amazon_app
    client = app.test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    api = "/api/v1/topics/nasa-artemis"
    changed = client.patch(api, json={"stores": ["de"]}, headers=auth)
    assert changed.status_code == 200, changed.text
    assert changed.get_json()["topic"]["stores"] == ["de"]
    for bad, message in [
        (["fr"], "'fr' is not configured (us, de, jp)"),
        (["xx"], "'xx' is not an Amazon store key"),
    ]:
        refused = client.patch(api, json={"stores": bad}, headers=auth)
        assert refused.status_code == 400
        assert message in refused.get_json()["error"]["fields"]["stores"]
    result = app.test_cli_runner().invoke(args=["refresh", "--all"])
    assert result.exit_code == 0, result.output
    hosts = sorted(c["marketplace"] for c in searches(marketplaces))
    # nasa-artemis: us and de; science-fiction (no stores named): all three
    assert hosts == sorted(
        ["www.amazon.com", "www.amazon.de"]
        + ["www.amazon.com", "www.amazon.de", "www.amazon.co.jp"]
    )
    jp = links(client.get("/widget/nasa-artemis?store=jp").text)
    assert jp and all(u.startswith("https://www.amazon.com/") for u in jp)
    science = links(client.get("/widget/science-fiction?store=jp").text)
    assert all(u.startswith("https://www.amazon.co.jp/") for u in science)
    cleared = client.patch(api, json={"stores": []}, headers=auth)
    assert cleared.get_json()["topic"]["stores"] == []


def test_the_api_refreshes_one_stores_list(amazon_app, marketplaces):
    client = amazon_app.test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    url = "/api/v1/topics/nasa-artemis/refresh"
    answer = client.post(url + "?store=de", headers=auth)
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    assert body["store"] == "de" and body["outcome"] == "refreshed"
    assert all(p["url"].startswith("https://www.amazon.de/") for p in body["products"])
    assert [c["marketplace"] for c in searches(marketplaces)] == ["www.amazon.de"]
    queue_429s(marketplaces, "www.amazon.de")
    failed = client.post(url + "?store=de", headers=auth)
    assert failed.status_code == 502
    assert failed.get_json()["error"]["code"] == "upstream_throttled"
    assert client.post(url + "?store=br", headers=auth).status_code == 400
    assert client.post(url, headers=auth).get_json().get("store") is None
