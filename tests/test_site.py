from html import unescape

import pytest

from widget.store import StoreError


def test_index_previews_every_topic_with_embed_code(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-widget-topic="nasa-artemis"' in html
    assert '<iframe src="http://localhost/widget/science-fiction?count=10' in unescape(
        html
    )
    assert "stub catalog" in html


def test_index_is_not_framable(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_healthz_reports_catalog_and_store(client):
    body = client.get("/healthz").get_json()
    assert body == body | {"status": "ok", "catalog": "stub", "store": "sqlite"}
    assert body["topics"] == 2 and body["failing"] == []


def test_healthz_reports_a_store_that_is_down(app, monkeypatch):
    store = app.extensions["widget"].store

    def down():
        raise StoreError("disk on fire")

    monkeypatch.setattr(store, "list_states", down)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["store_ok"] is False


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_not_found_follows_accept(client, accept):
    response = client.get("/nothing-here", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == accept
