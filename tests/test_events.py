"""Click and impression beacons through POST /api/v1/events, and what the
admin API, the CLI, the CSV export and /metrics then report."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import ADMIN_TOKEN

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)
HEADLESS = BROWSER.replace("Chrome/", "HeadlessChrome/")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PAGE = "https://blog.example/posts/artemis?utm_source=x#comments"


@pytest.fixture
def demo(make_app, clock):
    app = make_app(clock=clock, WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    client = app.test_client()
    client.get("/widget/nasa-artemis")  # its first list
    return client


def shown_items(client, slug="nasa-artemis"):
    """(asin, position, store) of each link the widget shows."""
    html = client.get(f"/widget/{slug}").get_data(as_text=True)
    store = re.search(r'data-store="([^"]+)"', html).group(1)
    # The beacon script takes the ASIN from the link, as here.
    asins = re.findall(r'<a class="bw-title" href="https://[^/]+/dp/(\w{10})', html)
    return [(asin, position, store) for position, asin in enumerate(asins, 1)]


def send(client, body, *, ua=BROWSER, address="198.51.100.7", **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        "/api/v1/events",
        data=data,
        content_type="text/plain;charset=UTF-8",
        headers={"User-Agent": ua, **headers},
        environ_base={"REMOTE_ADDR": address},
    )


def click(client, n=0, **kwargs):
    asin, position, store = shown_items(client)[n]
    event = {
        "type": "click",
        "topic": "nasa-artemis",
        "asin": asin,
        "store": store,
        "position": position,
        "page": PAGE,
    }
    return send(client, event, **kwargs)


def impression(client, **kwargs):
    store = shown_items(client)[0][2]
    event = {"type": "impression", "topic": "nasa-artemis", "store": store}
    return send(client, event | {"page": PAGE}, **kwargs)


def stats(client, days=30):
    response = client.get(
        f"/api/v1/topics/nasa-artemis/stats?days={days}", headers=AUTH
    )
    assert response.status_code == 200
    return response.get_json()


def test_a_click_and_an_impression_count_once_each(demo):
    assert impression(demo).status_code == 204
    response = click(demo)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Set-Cookie" not in response.headers
    report = stats(demo)
    assert report["total"] == {
        "period": "total",
        "impressions": 1,
        "clicks": 1,
        "unique_clicks": 1,
        "ctr": 1.0,
    }
    today = report["days"][-1]
    assert today["day"] == "2026-11-26" and today["clicks"] == 1
    assert len(report["days"]) == 30
    asin = shown_items(demo)[0][0]
    assert report["items"][0]["asin"] == asin
    assert report["items"][0]["title"]
    # The page without its query and fragment: they may carry a visitor's tokens.
    assert [p["page"] for p in report["pages"]] == [
        "https://blog.example/posts/artemis"
    ]


def test_repeat_clicks_of_a_visitor_the_same_day_are_one_unique_click(demo, clock):
    click(demo, 0)
    click(demo, 1)  # another book of the same box: still the same visitor
    click(demo, 0, address="203.0.113.9")  # someone else
    assert stats(demo)["total"]["clicks"] == 3
    assert stats(demo)["total"]["unique_clicks"] == 2
    clock.advance(days=1)
    click(demo, 0)
    assert stats(demo)["days"][-1]["unique_clicks"] == 1


def test_bots_and_headless_browsers_are_not_counted(demo):
    for ua in (HEADLESS, "Googlebot/2.1", "curl/8.5.0", "", "python-requests/2.32"):
        assert click(demo, ua=ua).status_code == 204
        assert impression(demo, ua=ua).status_code == 204
    assert stats(demo)["total"]["clicks"] == 0
    assert stats(demo)["total"]["impressions"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"type": "click"}',
        b'{"type": "purchase", "topic": "nasa-artemis", "store": "www.amazon.com"}',
        b'{"type": "impression", "topic": 7, "store": "www.amazon.com"}',
        b'{"type": "impression", "topic": "nasa-artemis", "store": ["x"]}',
        b'{"type": "impression", "topic": "nasa-artemis", "store": "x", "extra": 1}',
        b'{"type": "impression", "topic": "nasa-artemis", "store": "x", "asin": "B0"}',
        b'{"type": "click", "topic": "nasa-artemis", "store": "x",'
        b' "asin": "B0STUB0001", "position": true}',
        b'{"type": "click", "topic": "nasa-artemis", "store": "x", "asin": "<script>",'
        b' "position": 1}',
        b'{"type": "impression", "topic": "Robert\'); DROP TABLE topics;--",'
        b' "store": "x"}',
        b'{"type": "impression", "topic": "nasa-artemis", "store": "x", "page": 1}',
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_malformed_events_are_refused_with_a_reason(demo, body):
    response = send(demo, body)
    assert response.status_code in (400, 413)
    assert response.get_json()["error"]["code"] in ("bad_request", "payload_too_large")
    assert stats(demo)["total"]["impressions"] == 0


def test_a_huge_body_is_refused_chunked_or_not(demo):
    big = json.dumps(
        {"type": "impression", "topic": "nasa-artemis", "page": "x" * 9000}
    )
    assert send(demo, big).status_code == 413
    chunked = demo.post(
        "/api/v1/events",
        input_stream=io.BytesIO(big.encode()),
        headers={"User-Agent": BROWSER, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413


def test_events_for_unknown_topics_items_or_stores_never_count(demo):
    asin, position, store = shown_items(demo)[0]
    base = {"type": "click", "asin": asin, "position": position, "store": store}
    for event in (
        base | {"topic": "no-such-topic"},
        base | {"topic": "nasa-artemis", "asin": "B0NOTSHOWN"},
        base | {"topic": "nasa-artemis", "store": "www.amazon.de"},
    ):
        assert send(demo, event).status_code == 204
    assert stats(demo)["total"]["clicks"] == 0


def test_items_of_the_previous_list_still_count_after_a_refresh(make_app, clock):
    from tests.fakes import FakeCatalog
    from tests.fakes import make_product

    catalog = FakeCatalog([make_product(n) for n in (1, 2, 3)])
    app = make_app(catalog=catalog, clock=clock, WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    client = app.test_client()
    client.post("/api/v1/topics", json={"title": "Moon"}, headers=AUTH)
    client.get("/widget/moon")
    catalog.products = [make_product(n) for n in (4, 5, 6)]
    client.post("/api/v1/topics/moon/refresh", headers=AUTH)
    clock.advance(minutes=1)
    catalog.products = [make_product(n) for n in (7, 8, 9)]
    client.post("/api/v1/topics/moon/refresh", headers=AUTH)
    event = {"type": "click", "topic": "moon", "store": "fake", "position": 1}
    for asin in ("B0FAKE0007", "B0FAKE0004", "B0FAKE0001"):  # current, previous, older
        assert send(client, event | {"asin": asin}).status_code == 204
    report = client.get("/api/v1/topics/moon/stats", headers=AUTH).get_json()
    assert {i["asin"] for i in report["items"]} == {"B0FAKE0007", "B0FAKE0004"}


def test_one_address_is_limited_to_its_rate(demo):
    statuses = [impression(demo).status_code for _ in range(1000)]
    assert statuses.count(204) == 60
    assert set(statuses[60:]) == {429}
    assert stats(demo)["total"]["impressions"] == 60
    assert impression(demo, address="203.0.113.9").status_code == 204


def test_origins_outside_the_frame_ancestors_are_refused(make_app, clock):
    app = make_app(clock=clock, WIDGET_FRAME_ANCESTORS="https://blog.example")
    client = app.test_client()
    client.get("/widget/nasa-artemis")
    allowed = impression(client, Origin="https://blog.example")
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://blog.example"
    refused = impression(client, Origin="https://evil.example")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = client.options(
        "/api/v1/events", headers={"Origin": "https://blog.example"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_any_origin_may_send_with_the_default_frame_ancestors(demo):
    response = impression(demo, Origin="https://anyblog.example")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_with_analytics_off_nothing_is_counted(make_app, clock):
    client = make_app(clock=clock, WIDGET_ANALYTICS="off").test_client()
    event = {"type": "impression", "topic": "nasa-artemis", "store": "www.amazon.com"}
    response = send(client, event)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_stats_need_the_admin_token_and_a_sane_period(demo):
    assert demo.get("/api/v1/topics/nasa-artemis/stats").status_code == 401
    for days in ("0", "367", "x", "-1"):
        response = demo.get(
            f"/api/v1/topics/nasa-artemis/stats?days={days}", headers=AUTH
        )
        assert response.status_code == 400
        assert "days" in response.get_json()["error"]["fields"]
    assert demo.get("/api/v1/topics/nope/stats", headers=AUTH).status_code == 404
    assert len(stats(demo, days=7)["days"]) == 7


def test_the_cli_prints_the_counts(demo, make_app):
    click(demo)
    impression(demo)
    runner = demo.application.test_cli_runner()
    every = runner.invoke(args=["stats"])
    assert every.exit_code == 0, every.output
    assert re.search(r"nasa-artemis\s+1\s+1\s+1\s+100.0%", every.output)
    one = runner.invoke(args=["stats", "nasa-artemis", "--days", "3"])
    assert one.exit_code == 0, one.output
    assert "2026-11-26" in one.output and "2026-11-23" not in one.output
    assert "https://blog.example/posts/artemis" in one.output
    missing = runner.invoke(args=["stats", "nope"])
    assert missing.exit_code != 0 and "no topic called 'nope'" in missing.output


def login(client):
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf_token": token})


def test_the_admin_page_charts_30_days_and_exports_csv(demo):
    click(demo)
    impression(demo)
    login(demo)
    page = demo.get("/admin/topics/nasa-artemis").get_data(as_text=True)
    assert "<svg" in page and page.count("<rect") >= 30
    assert "1 impressions · 1 clicks (1 unique) · CTR 100.0 %" in page
    assert "https://blog.example/posts/artemis" in page
    response = demo.get("/admin/topics/nasa-artemis/stats.csv?days=2")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["topic", "kind", "key", "impressions", "clicks", "unique_clicks"]
    assert ["nasa-artemis", "day", "2026-11-26", "1", "1", "1"] in rows
    assert ["nasa-artemis", "day", "2026-11-25", "0", "0", "0"] in rows
    assert any(r[1] == "item" and r[4] == "1" for r in rows)


def test_csv_cells_never_become_spreadsheet_formulas(demo):
    event = {
        "type": "impression",
        "topic": "nasa-artemis",
        "store": shown_items(demo)[0][2],
        "page": "https://x.example/=HYPERLINK(1)",
    }
    send(demo, event)
    login(demo)
    text = demo.get("/admin/topics/nasa-artemis/stats.csv").get_data(as_text=True)
    assert "https://x.example/=HYPERLINK(1)" in text  # starts with h: no formula


def test_metrics_count_events_by_outcome(demo):
    click(demo)
    click(demo)
    click(demo, ua=HEADLESS)
    text = demo.get("/metrics").get_data(as_text=True)
    assert 'widget_events_total{outcome="counted",type="click"}' not in text
    assert 'widget_events_total{type="click",outcome="counted"} 1' in text
    assert 'widget_events_total{type="click",outcome="repeat"} 1' in text
    assert 'widget_events_total{type="click",outcome="bot"} 1' in text


def test_boxes_on_the_services_own_pages_never_count(demo):
    store = shown_items(demo)[0][2]
    event = {"type": "impression", "topic": "nasa-artemis", "store": store}
    for page in ("http://localhost/", "http://localhost/admin/topics/nasa-artemis"):
        assert send(demo, event | {"page": page}).status_code == 204
    assert stats(demo)["total"]["impressions"] == 0


def test_clicks_in_another_stores_box_count_for_that_store(make_app, clock):
    """A reader in Germany sees the de list (``store=de``): their click
    counts, under the de store."""
    app = make_app(
        clock=clock,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_AMAZON_STORES=json.dumps({"de": {"partner_tag": "mysite-21"}}),
    )
    client = app.test_client()
    html = client.get("/widget/nasa-artemis?store=de").get_data(as_text=True)
    store = re.search(r'data-store="([^"]+)"', html).group(1)
    assert store == "www.amazon.de"
    asin = re.search(r'class="bw-title" href="https://www.amazon.de/dp/(\w{10})', html)
    event = {
        "type": "click",
        "topic": "nasa-artemis",
        "asin": asin.group(1),
        "store": store,
        "position": 1,
        "page": PAGE,
    }
    assert send(client, event).status_code == 204
    assert stats(client)["total"]["clicks"] == 1
    # A store the topic has no list in still does not count (answered 204
    # like every beacon, so a prober learns nothing).
    send(client, event | {"store": "www.amazon.co.jp"})
    assert stats(client)["total"]["clicks"] == 1
