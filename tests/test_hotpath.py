"""The hot path answers cached widgets exactly as the Flask view does, and
leaves everything else to it."""

import pytest
from werkzeug.test import Client

from tests.fakes import make_topic
from widget.hotpath import HotPath
from widget.lists import Variant

SLUG = "nasa-artemis"


@pytest.fixture
def hot_app(make_app, fake_catalog, clock):
    app = make_app(
        catalog=fake_catalog,
        clock=clock,
        WIDGET_SEED_DEMO=False,
        WIDGET_FRAME_ANCESTORS="https://blog.example 'self'",
    )
    app.extensions["widget"].store.add_topic(make_topic(SLUG))
    return app


def clients(app):
    """(through the hot path, straight to Flask)"""
    hot = app.wsgi_app
    assert isinstance(hot, HotPath)
    return Client(hot), Client(hot.fallback)


def answered(client, method, path, headers):
    response = client.open(path, method=method, headers=headers)
    return response.status, list(response.headers), response.get_data()


def request_counts(app):
    return dict(app.extensions["widget_metrics"]._requests)


CACHED = [
    ("GET", f"/widget/{SLUG}", {}),
    ("HEAD", f"/widget/{SLUG}", {}),
    ("GET", f"/widget/{SLUG}?layout=grid&theme=dark&lang=de-DE&count=3", {}),
    ("GET", f"/widget/{SLUG}?count=5&count=99", {}),  # the first value wins
    ("GET", f"/widget/{SLUG}/fragment", {}),
    ("GET", f"/widget/{SLUG}/fragment?lang=ja", {"Origin": "https://blog.example"}),
    ("GET", f"/widget/{SLUG}/fragment", {"Origin": "https://evil.example"}),
    ("HEAD", f"/widget/{SLUG}/fragment?layout=compact", {}),
]


@pytest.mark.parametrize(("method", "path", "headers"), CACHED)
def test_cached_widgets_are_answered_as_the_view_answers(
    hot_app, method, path, headers
):
    hot, flask = clients(hot_app)
    first = answered(flask, method, path, headers)  # renders and caches
    before = request_counts(hot_app)
    assert answered(hot, method, path, headers) == first
    assert request_counts(hot_app) != before  # counted in the metrics
    assert first[0] == "200 OK"
    etag = dict(first[1])["ETag"]
    for match in (etag, f'W/"x", {etag}'):
        revalidate = headers | {"If-None-Match": match}
        expected = answered(flask, method, path, revalidate)
        assert expected[0] == "304 NOT MODIFIED"
        assert answered(hot, method, path, revalidate) == expected


FALL_THROUGH = [
    f"/widget/{SLUG}?count=0",  # a warning: the view names it
    f"/widget/{SLUG}?layout=round&theme=neon",
    "/widget/no-such-topic",
    "/widget/Not_A_Slug",
    f"/widget/{SLUG}/",
    f"/widget/{SLUG}/fragment/x",
]


@pytest.mark.parametrize("path", FALL_THROUGH)
def test_everything_else_is_the_views_answer(hot_app, path):
    hot, flask = clients(hot_app)
    flask.get(path)
    flask.get(f"/widget/{SLUG}")
    expected = answered(flask, "GET", path, {})
    assert answered(hot, "GET", path, {}) == expected


def test_warnings_reach_the_client_through_the_view(hot_app):
    hot, _ = clients(hot_app)
    hot.get(f"/widget/{SLUG}")
    response = hot.get(f"/widget/{SLUG}?count=0")
    assert response.status_code == 200
    assert "count must be 1 to 10" in response.headers["Widget-Warning"]


def test_a_widget_not_yet_cached_is_rendered_by_the_view_then_cached(hot_app):
    hot, _ = clients(hot_app)
    lists = hot_app.extensions["widget"].lists
    assert lists.cached(SLUG, first_variant()) is None
    assert hot.get(f"/widget/{SLUG}").status_code == 200
    assert lists.cached(SLUG, first_variant()) is not None


def first_variant():
    return Variant()


def test_post_and_other_routes_go_to_flask(hot_app):
    hot, flask = clients(hot_app)
    hot.get(f"/widget/{SLUG}")
    assert answered(hot, "POST", f"/widget/{SLUG}", {}) == answered(
        flask, "POST", f"/widget/{SLUG}", {}
    )
    assert hot.get("/api/v1/topics").status_code == 200


def test_an_edit_is_served_at_once(hot_app):
    hot, _ = clients(hot_app)
    before = hot.get(f"/widget/{SLUG}").get_data(as_text=True)
    store = hot_app.extensions["widget"].store
    topic = store.get_state(SLUG).topic
    store.update_topic(topic.with_changes(title="Moon Again"))
    after = hot.get(f"/widget/{SLUG}").get_data(as_text=True)
    assert "Moon Again" not in before and "Moon Again" in after


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_topics_json_is_answered_as_the_api_answers(hot_app, method):
    hot, flask = clients(hot_app)
    path = f"/api/v1/topics/{SLUG}"
    first = answered(flask, method, path, {})
    assert first[0] == "200 OK"
    assert answered(hot, method, path, {}) == first
    for other in (f"{path}/stats", "/api/v1/topics/Bad_Slug", "/api/v1/topics/none"):
        assert answered(hot, method, other, {}) == answered(flask, method, other, {})


def test_each_host_gets_its_own_urls(hot_app):
    """Without WIDGET_PUBLIC_URL, a loopback host (the developer's machine)
    gets absolute URLs of its own and any other host relative ones, request
    after request: the hot path remembers each host's URLs."""
    hot, flask = clients(hot_app)

    def get(client, path, host):
        response = client.open(
            path, base_url=f"http://{host}", headers={"Origin": f"http://{host}"}
        )
        return response.status, list(response.headers), response.get_data()

    for path in (f"/api/v1/topics/{SLUG}", f"/widget/{SLUG}/fragment"):
        for _ in range(2):
            for host in ("localhost:5000", "127.0.0.1:8080", "blog.example"):
                expected = get(flask, path, host)
                own = f"http://{host}/".encode() in expected[2]
                assert own == (host != "blog.example"), (path, host)
                assert get(hot, path, host) == expected
