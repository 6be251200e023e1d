"""A topic's own tracking id: asked of Amazon, so the links it returns carry
it unchanged, and Amazon's earnings report splits by box."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_TOKEN
from tests.fakes import ARTEMIS

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def links(client, slug):
    html = client.get(f"/widget/{slug}").get_data(as_text=True)
    return re.findall(r'<a class="bw-title" href="([^"]+)"', html)


def test_a_topics_links_carry_its_tracking_id(make_app):
    client = make_app(WIDGET_ADMIN_TOKEN=ADMIN_TOKEN).test_client()
    body = {"title": "Moon", "keywords": "nasa artemis", "tracking_id": "moon-box-20"}
    created = client.post("/api/v1/topics", json=body, headers=AUTH)
    assert created.status_code == 201
    assert created.get_json()["topic"]["tracking_id"] == "moon-box-20"
    moon = links(client, "moon")
    assert moon and all("?tag=moon-box-20&" in url for url in moon)
    # Other topics keep the store's own tag.
    assert all("tag=moon-box-20" not in url for url in links(client, "nasa-artemis"))


def test_changing_the_tracking_id_fetches_links_with_the_new_one(make_app):
    client = make_app(WIDGET_ADMIN_TOKEN=ADMIN_TOKEN).test_client()
    client.post("/api/v1/topics", json={"title": "Moon"}, headers=AUTH)
    assert all("tag=moon-box-20" not in url for url in links(client, "moon"))
    changed = client.patch(
        "/api/v1/topics/moon", json={"tracking_id": "moon-box-20"}, headers=AUTH
    )
    assert changed.status_code == 200
    # The old list's links carry another tag: never served, fetched again.
    assert all("?tag=moon-box-20&" in url for url in links(client, "moon"))


def test_a_malformed_tracking_id_is_refused_by_field(make_app):
    client = make_app(WIDGET_ADMIN_TOKEN=ADMIN_TOKEN).test_client()
    for bad in ("moon box", "moon", "moon-20&tag=evil-20", 20):
        response = client.post(
            "/api/v1/topics", json={"title": "Moon", "tracking_id": bad}, headers=AUTH
        )
        assert response.status_code == 400
        assert "tracking_id" in response.get_json()["error"]["fields"]


def test_amazon_is_asked_with_the_topics_tracking_id(make_amazon):
    catalog = make_amazon()
    topic = ARTEMIS.with_changes(tracking_id="artemis-box-20")
    # The stub-server, as Amazon, makes each link with the tag it was asked
    # for; the catalog keeps the links as they come.
    products = catalog.top_products(topic, 3)
    assert products and all("?tag=artemis-box-20&" in p.url for p in products)
    products = catalog.top_products(ARTEMIS, 3)
    assert products and all("?tag=mysite-20&" in p.url for p in products)
