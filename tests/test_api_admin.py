import pytest

from tests.conftest import ADMIN_TOKEN
from widget.catalog.base import CatalogUnavailable

TOKEN = ADMIN_TOKEN
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api_app(admin_app):
    return admin_app


@pytest.fixture
def api(api_app):
    return api_app.test_client()


def create(api, **fields):
    return api.post("/api/v1/topics", json=fields, headers=AUTH)


WRITES = [
    ("post", "/api/v1/topics"),
    ("put", "/api/v1/topics/dune"),
    ("delete", "/api/v1/topics/dune"),
    ("post", "/api/v1/topics/dune/refresh"),
    ("post", "/api/v1/refresh"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_need_the_bearer_token(api, method, path):
    create(api, title="Dune")
    response = getattr(api, method)(path, json={"title": "X"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = getattr(api, method)(
        path, json={"title": "X"}, headers={"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 403
    assert response.json["error"]["message"] == "That admin token is not right."
    response = getattr(api, method)(
        path, json={"title": "X"}, headers={"Authorization": f"Basic {TOKEN}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_without_a_configured_token_writes_answer_503_reads_work(
    make_app, method, path
):
    client = make_app().test_client()
    response = getattr(client, method)(path, json={}, headers=AUTH)
    assert response.status_code == 503
    assert "WIDGET_ADMIN_TOKEN" in response.json["error"]["message"]
    assert client.get("/api/v1/topics").status_code == 200
    assert client.get("/api/v1/topics/nasa-artemis").status_code == 200


def test_repeated_wrong_tokens_are_slowed_down_per_client(api):
    bad = {"Authorization": "Bearer guess"}
    for _ in range(10):
        assert api.post("/api/v1/refresh", headers=bad).status_code == 403
    response = api.post("/api/v1/refresh", headers=AUTH)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"
    assert "Retry-After" in response.headers
    other = api.post(
        "/api/v1/refresh", headers=AUTH, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert other.status_code == 200


def test_create_topic_answers_201_with_the_topic(api):
    response = create(api, title="NASA Artemis", keywords="nasa moon", item_count=5)
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/topics/nasa-artemis"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["slug"] == "nasa-artemis" and body["status"] == "pending"
    assert body["topic"]["keywords"] == "nasa moon" and body["topic"]["item_count"] == 5
    assert api.get("/api/v1/topics").json["topics"][0]["slug"] == "nasa-artemis"


def test_create_with_the_same_slug_conflicts(api):
    create(api, title="Dune")
    response = create(api, title="Dune")
    assert response.status_code == 409
    assert "dune" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "title", "is required"),
        ({"title": 42}, "title", "has the wrong type"),
        (
            {"title": "Dune", "item_count": "ten"},
            "item_count",
            "must be a whole number",
        ),
        ({"title": "Dune", "item_count": 11}, "item_count", "from 1 to 10"),
        ({"title": "Dune", "item_count": True}, "item_count", "whole number"),
        ({"title": "Dune", "colour": "red"}, "colour", "is not a topic field"),
        ({"title": "x" * 81}, "title", "at most 80 characters"),
        ({"title": "Dune", "keywords": "k" * 201}, "keywords", "at most 200"),
        ({"title": "Dune", "refresh_interval": "2d"}, "refresh_interval", "24h"),
        (
            {"title": "Dune", "refresh_interval": "99999999999999999999d"},
            "refresh_interval",
            "far too long",
        ),
        ({"title": "Dune", "refresh_interval": 10**30}, "refresh_interval", "long"),
        ({"title": "Dune", "search_index": "Toys"}, "search_index", "one of"),
        ({"title": "Dune", "slug": "Not A Slug"}, "slug", "lowercase"),
    ],
)
def test_bad_fields_answer_400_naming_each_field(api, body, field, message):
    response = create(api, **body)
    assert response.status_code == 400
    error = response.json["error"]
    assert message in error["fields"][field]
    assert field in error["message"]
    assert api.get("/api/v1/topics").json["topics"] == []


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ("not json", 400, "not JSON"),
        ("[1, 2]", 400, "JSON object"),
        ('"Dune"', 400, "JSON object"),
        (b"\xff\xfe", 400, "not JSON"),
        ('{"title": "' + "x" * 20000 + '"}', 413, "larger than"),
    ],
)
def test_bad_bodies_answer_json_errors(api, data, status, message):
    response = api.post(
        "/api/v1/topics",
        data=data,
        headers=AUTH | {"Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert message in response.json["error"]["message"]


def test_put_changes_only_given_fields(api):
    create(api, title="Dune", keywords="dune herbert", item_count=5)
    response = api.put("/api/v1/topics/dune", json={"item_count": 3}, headers=AUTH)
    assert response.status_code == 200
    topic = response.json["topic"]
    assert topic["item_count"] == 3 and topic["keywords"] == "dune herbert"


def test_put_cannot_change_the_slug_or_unknown_topics(api):
    create(api, title="Dune")
    response = api.put("/api/v1/topics/dune", json={"slug": "other"}, headers=AUTH)
    assert response.status_code == 400
    assert "cannot be changed" in response.json["error"]["fields"]["slug"]
    assert api.put("/api/v1/topics/nope", json={}, headers=AUTH).status_code == 404


def test_delete_removes_the_topic_and_its_widget(api):
    create(api, title="Dune")
    assert api.delete("/api/v1/topics/dune", headers=AUTH).status_code == 204
    assert api.get("/widget/dune").status_code == 404
    assert api.delete("/api/v1/topics/dune", headers=AUTH).status_code == 404


def test_refresh_answers_with_the_new_list(api, fake_catalog):
    create(api, title="Dune", item_count=4)
    response = api.post("/api/v1/topics/dune/refresh", headers=AUTH)
    assert response.status_code == 200
    body = response.json
    assert body["refreshed"] is True and body["error"] is None
    assert [p["asin"] for p in body["products"]] == [
        "B0FAKE0001",
        "B0FAKE0002",
        "B0FAKE0003",
        "B0FAKE0004",
    ]
    assert body["last_update"] == "2026-11-26T12:00:00Z"
    assert fake_catalog.calls == ["dune"]


def test_failed_refresh_answers_the_error_and_the_list_still_served(
    api, fake_catalog, clock
):
    create(api, title="Dune", item_count=2)
    api.post("/api/v1/topics/dune/refresh", headers=AUTH)
    fake_catalog.error = CatalogUnavailable("Amazon timed out")
    clock.advance(minutes=30)
    response = api.post("/api/v1/topics/dune/refresh", headers=AUTH)
    assert response.status_code == 502
    body = response.json
    assert body["refreshed"] is False and body["status"] == "failing"
    assert body["error"]["code"] == "upstream_unavailable"
    assert body["error"]["message"] == "Amazon timed out"
    assert len(body["products"]) == 2
    assert body["last_update"] == "2026-11-26T12:00:00Z"


def test_refresh_of_unknown_topic_is_404(api):
    response = api.post("/api/v1/topics/nope/refresh", headers=AUTH)
    assert response.status_code == 404


def test_refresh_all_and_only_due(api, fake_catalog, clock):
    create(api, title="Dune", refresh_interval="1h")
    create(api, title="Mars", refresh_interval="6h")
    response = api.post("/api/v1/refresh", headers=AUTH)
    assert response.json["refreshed"] == 2 and response.json["failed"] == 0
    clock.advance(hours=2)
    response = api.post("/api/v1/refresh?due=1", headers=AUTH)
    assert [r["slug"] for r in response.json["results"]] == ["dune"]
    assert fake_catalog.calls == ["dune", "mars", "dune"]
    assert api.post("/api/v1/refresh?due=yes", headers=AUTH).status_code == 400


def test_history_records_the_api_as_who(api, api_app):
    create(api, title="Dune")
    api.post("/api/v1/topics/dune/refresh", headers=AUTH)
    with api_app.app_context():
        from widget.services import services

        assert [h.trigger for h in services().store.history("dune")] == ["api"]


def test_json_body_is_read_whatever_the_content_type(api):
    """curl -d sends a form content type; the README's examples rely on this."""
    create(api, title="Dune")
    response = api.put(
        "/api/v1/topics/dune",
        data='{"item_count": 5}',
        headers=AUTH | {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert response.json["topic"]["item_count"] == 5


def test_refresh_all_stops_before_the_worker_would_time_out(
    api, fake_catalog, monkeypatch
):
    monkeypatch.setattr("widget.refresh.REFRESH_ALL_WITHIN", 0.0)
    create(api, title="Dune")
    create(api, title="Mars")
    body = api.post("/api/v1/refresh", headers=AUTH).json
    assert body["refreshed"] == 1 and body["left"] == ["mars"]
    # The next call starts with the oldest list: the one left out before.
    body = api.post("/api/v1/refresh", headers=AUTH).json
    assert [r["slug"] for r in body["results"]] == ["mars"]
    assert fake_catalog.calls == ["dune", "mars"]


def test_patch_changes_only_given_fields_too(api):
    create(api, title="Dune", keywords="dune herbert")
    response = api.patch("/api/v1/topics/dune", json={"pages": 2}, headers=AUTH)
    assert response.status_code == 200
    topic = response.json["topic"]
    assert topic["pages"] == 2 and topic["keywords"] == "dune herbert"


def test_if_match_with_the_read_etag_applies_the_change(api):
    assert create(api, title="Dune").headers["ETag"]
    etag = api.get("/api/v1/topics/dune").headers["ETag"]  # with its first list
    response = api.put(
        "/api/v1/topics/dune", json={"item_count": 4}, headers=AUTH | {"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert response.headers["ETag"] == api.get("/api/v1/topics/dune").headers["ETag"]
    star = api.patch(
        "/api/v1/topics/dune", json={"pages": 3}, headers=AUTH | {"If-Match": "*"}
    )
    assert star.status_code == 200


@pytest.mark.parametrize("change", ["edit", "refresh"])
def test_if_match_after_someone_else_changed_the_topic_is_412(api, change):
    create(api, title="Dune", item_count=5)
    etag = api.get("/api/v1/topics/dune").headers["ETag"]
    if change == "edit":
        api.put("/api/v1/topics/dune", json={"title": "Dune saga"}, headers=AUTH)
    else:
        api.post("/api/v1/topics/dune/refresh", headers=AUTH)
    response = api.put(
        "/api/v1/topics/dune", json={"item_count": 2}, headers=AUTH | {"If-Match": etag}
    )
    assert response.status_code == 412
    assert response.json["error"]["code"] == "precondition_failed"
    assert api.get("/api/v1/topics/dune").json["topic"]["item_count"] == 5
    weak = api.put(
        "/api/v1/topics/dune",
        json={"item_count": 2},
        headers=AUTH | {"If-Match": "W/" + etag},
    )
    assert weak.status_code == 412  # If-Match compares strongly


def test_deeply_nested_json_is_a_400_not_a_500(api):
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post(
        "/api/v1/topics", data='{"title": ' + deep[:15000] + "}", headers=AUTH
    )
    assert response.status_code == 400
    response = api.post("/api/v1/topics", data="[" * 15000, headers=AUTH)
    assert response.status_code == 400


def post_chunked(api, body: bytes):
    """A POST the way a server hands over a chunked body: no Content-Length."""
    import io

    return api.post(
        "/api/v1/topics",
        input_stream=io.BytesIO(body),
        headers=AUTH | {"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_a_413_not_cut(api):
    """Issue 12, item 7: chunked bodies (no Content-Length) used to be cut at
    the limit and the rest accepted."""
    body = ('{"title": "Dune", "keywords": "' + "k" * 20000 + '"}').encode()
    assert post_chunked(api, body).status_code == 413
    assert api.get("/api/v1/topics").json["topics"] == []
    assert post_chunked(api, b'{"title": "Dune"}').status_code == 201
