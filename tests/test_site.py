from html import unescape

import pytest

from tests.conftest import ADMIN_TOKEN
from widget.models import Topic
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


ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_healthz_reports_catalog_and_store(admin_app, fake_catalog):
    from widget.catalog.base import CatalogUnavailable

    client = admin_app.test_client()
    store = admin_app.extensions["widget"].store
    store.add_topic(Topic("dune", "Dune", "dune"))
    fake_catalog.error = CatalogUnavailable("redis.internal:6379 refused: secret")
    admin_app.extensions["widget"].lists.refresh("dune")
    public = client.get("/healthz").get_json()
    assert public == {
        "status": "ok",
        "catalog": "fake",
        "store_ok": True,
        "stub_lists": 0,
    }
    body = client.get("/healthz", headers=ADMIN).get_json()
    assert body == public | {
        "store": "sqlite",
        "topics": 1,
        "failing": [
            {
                "slug": "dune",
                "kind": "unavailable",
                "message": "redis.internal:6379 refused: secret",
            }
        ],
    }
    wrong = client.get("/healthz", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 403


def test_healthz_reports_a_store_that_is_down(admin_app, monkeypatch):
    store = admin_app.extensions["widget"].store

    def down():
        raise StoreError("Redis store: Error connecting to redis.internal:6379")

    monkeypatch.setattr(store, "list_states", down)
    response = admin_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "degraded",
        "catalog": "fake",
        "store_ok": False,
    }
    detailed = admin_app.test_client().get("/healthz", headers=ADMIN).get_json()
    assert "redis.internal" in detailed["store_error"]


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_not_found_follows_accept(client, accept):
    response = client.get("/nothing-here", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == accept
