from widget.catalog.base import CatalogUnavailable


def test_topics_lists_every_topic(client):
    client.get("/widget/nasa-artemis")
    topics = client.get("/api/v1/topics").get_json()["topics"]
    by_slug = {t["slug"]: t for t in topics}
    assert set(by_slug) == {"nasa-artemis", "science-fiction"}
    artemis = by_slug["nasa-artemis"]
    assert artemis["title"] == "NASA Artemis"
    assert artemis["status"] == "fresh"
    assert artemis["last_update"].endswith("Z")
    assert artemis["widget_url"] == "http://localhost/widget/nasa-artemis"
    assert by_slug["science-fiction"] == by_slug["science-fiction"] | {
        "status": "pending",
        "last_update": None,
    }


def test_topic_detail_has_the_list_and_disclosure(client):
    body = client.get("/api/v1/topics/nasa-artemis").get_json()
    assert len(body["products"]) == 10
    assert body["source"] == "stub"
    assert body["disclosure"].startswith("As an Amazon Associate")
    first = body["products"][0]
    assert first["url"].startswith("https://www.amazon.com/dp/")
    assert first["price"]["display"].startswith("$")
    assert body["topic"]["keywords"] == "nasa artemis"


def test_topic_detail_shows_the_error_beside_the_list(make_app, fake_catalog):
    app = make_app(catalog=fake_catalog)
    client = app.test_client()
    client.get("/api/v1/topics/nasa-artemis")
    fake_catalog.error = CatalogUnavailable("Amazon timed out")
    app.extensions["widget"].lists.refresh("nasa-artemis")
    body = client.get("/api/v1/topics/nasa-artemis").get_json()
    assert body["status"] == "failing"
    assert body["error"]["message"] == "Amazon timed out"
    assert len(body["products"]) == 10


def test_errors_are_json(client):
    missing = client.get("/api/v1/topics/nope")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    bad = client.get("/api/v1/topics/NOT_A_SLUG")
    assert bad.status_code == 400 and "message" in bad.get_json()["error"]
    unknown = client.get("/api/v1/whatever")
    assert unknown.status_code == 404 and unknown.is_json


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/topics")
    assert response.status_code == 405 and response.is_json
