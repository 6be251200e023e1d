"""Redis-specific behaviour: URLs, several workers on one Redis, and outages.

The shared behaviour of every store is in test_store_contract.py.
"""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import pytest

from tests.conftest import free_port
from tests.fakes import ARTEMIS
from tests.fakes import FakeCatalog
from tests.fakes import make_product
from tests.redis_server import RedisServer
from widget.config import ConfigError
from widget.models import Source
from widget.models import Topic
from widget.models import TopList
from widget.store import StoreError
from widget.store import TopicExists
from widget.store import TopicNotFound
from widget.store import make_store
from widget.store.redis import RedisStore


@pytest.fixture
def redis_app(make_app):
    """A factory for apps ("workers") on a given Redis URL, with their own
    FakeCatalog and no demo topics; their connections are closed after."""
    apps = []

    def factory(url, **settings):
        catalog = FakeCatalog()
        app = make_app(
            catalog=catalog, WIDGET_STORE=url, WIDGET_SEED_DEMO=False, **settings
        )
        apps.append(app)
        return app, catalog

    try:
        yield factory
    finally:
        for app in apps:
            app.extensions["widget"].store.close()


# -- URLs ---------------------------------------------------------------------
def test_redis_urls_open_a_redis_store(redis_url):
    store = make_store(redis_url)
    assert isinstance(store, RedisStore)
    store.add_topic(ARTEMIS)
    assert store.get_state("artemis").topic == ARTEMIS
    store.close()


@pytest.mark.parametrize(
    "query, message",
    [
        ("?sockettimeout=1", "unknown Redis URL option 'sockettimeout'"),
        ("?ssl_ca_certs=/etc/hosts", "ssl_* options need a rediss:// URL"),
    ],
)
def test_bad_redis_urls_stop_start_up_with_the_setting_named(make_app, query, message):
    with pytest.raises(ConfigError, match="WIDGET_STORE") as caught:
        make_app(WIDGET_STORE=f"redis://127.0.0.1:6379/0{query}")
    assert message in str(caught.value)


def test_a_missing_ca_file_stops_start_up(make_app, tmp_path):
    url = f"rediss://127.0.0.1:6380/0?ssl_ca_certs={tmp_path}/nope.pem"
    with pytest.raises(ConfigError, match="ssl_ca_certs file .* not found"):
        make_app(WIDGET_STORE=url)


def test_rediss_urls_use_tls_with_the_given_ca(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    store = make_store(f"rediss://:pw@127.0.0.1:6380/2?ssl_ca_certs={ca}")
    kwargs = store.client.connection_pool.connection_kwargs
    assert store.client.connection_pool.connection_class.__name__ == "SSLConnection"
    assert (kwargs["ssl_ca_certs"], kwargs["db"], kwargs["password"]) == (
        str(ca),
        2,
        "pw",
    )
    store.close()


# -- several workers on one Redis ----------------------------------------------
def test_a_refresh_through_one_worker_shows_on_the_others_next_request(
    redis_app, redis_url
):
    (one, one_catalog), (two, two_catalog) = redis_app(redis_url), redis_app(redis_url)
    one.extensions["widget"].store.add_topic(ARTEMIS)
    first = two.test_client().get("/widget/artemis")
    assert "Fake Book 1" in first.get_data(as_text=True)
    one_catalog.products = [make_product(50)]
    assert one.extensions["widget"].lists.refresh("artemis").outcome.ok
    second = two.test_client().get("/widget/artemis").get_data(as_text=True)
    assert "Fake Book 50" in second
    assert (len(one_catalog.calls), len(two_catalog.calls)) == (1, 1)


def test_healthz_names_the_redis_store_to_admins(redis_app, redis_url):
    from tests.conftest import ADMIN_TOKEN

    app, _ = redis_app(redis_url, WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = app.test_client().get("/healthz", headers=admin).get_json()
    assert (body["store"], body["store_ok"]) == ("redis", True)
    assert "store" not in app.test_client().get("/healthz").get_json()


# -- outages ------------------------------------------------------------------
def test_a_dead_redis_fails_fast_with_store_error():
    store = make_store(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(StoreError, match="Redis store"):
        store.version("artemis")
    store.close()


def test_after_a_timeout_the_store_is_left_alone_for_a_while():
    """A Redis that accepts connections and then says nothing (a host gone
    from the network looks the same) costs one timeout, not one per call."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        store = make_store(f"redis://127.0.0.1:{port}/0?socket_timeout=0.2")
        with pytest.raises(StoreError, match="Timeout"):
            store.version("artemis")
        for _ in range(3):
            with pytest.raises(StoreError, match="not retried for a few seconds"):
                store.version("artemis")
        store.close()
        silent.settimeout(0.2)
        connections = []
        try:
            while True:
                connections.append(silent.accept()[0])
        except TimeoutError:
            pass
        for connection in connections:
            connection.close()
        assert len(connections) == 1


def test_with_redis_down_widgets_serve_from_memory_and_nothing_is_a_500(
    redis_app, tmp_path
):
    with RedisServer(tmp_path / "redis") as own_redis:
        redis_goes_away_and_comes_back(redis_app, own_redis)


def redis_goes_away_and_comes_back(redis_app, own_redis):
    app, catalog = redis_app(own_redis.url)
    store = app.extensions["widget"].store
    store.add_topic(ARTEMIS)
    store.add_topic(Topic(slug="unseen", title="Unseen", keywords="x"))
    client = app.test_client()
    served = client.get("/widget/artemis")
    assert served.status_code == 200

    own_redis.stop(persist=True)

    during = client.get("/widget/artemis")
    assert (during.status_code, during.data) == (200, served.data)
    other_variant = client.get("/widget/artemis?count=3&layout=grid")
    assert other_variant.status_code == 200
    assert other_variant.get_data(as_text=True).count("<li>") == 3
    assert client.get("/api/v1/topics/artemis").get_json()["products"]
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()["store_ok"]) == (503, False)
    for path in ("/widget/unseen", "/api/v1/topics", "/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
    assert catalog.calls == ["artemis"]

    own_redis.start()

    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/topics").status_code == 200
    # Back to normal: a new list in the store shows on the next request.
    store.save_snapshot(
        TopList(
            "artemis",
            (make_product(77),),
            app.extensions["widget"].lists.now() + timedelta(seconds=5),
            Source("fake"),
        )
    )
    assert "Fake Book 77" in client.get("/widget/artemis").get_data(as_text=True)
    assert client.get("/widget/unseen").status_code == 200


def test_a_service_started_while_redis_is_down_recovers_by_itself(redis_app, tmp_path):
    server = RedisServer(tmp_path / "late")
    app, _ = redis_app(server.url)
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 503
        assert client.get("/widget/artemis").status_code == 503
        server.start()
        assert client.get("/healthz").get_json()["store_ok"] is True
        app.extensions["widget"].store.add_topic(ARTEMIS)
        assert client.get("/widget/artemis").status_code == 200
    finally:
        server.stop()


def test_the_store_password_never_shows_in_health_or_errors(make_app):
    url = "redis://:hunter2@127.0.0.1:1/0"  # nothing listens on port 1
    client = make_app(WIDGET_STORE=url, WIDGET_SEED_DEMO=False).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert "hunter2" not in health.get_data(as_text=True)
    assert "hunter2" not in client.get("/api/v1/topics").get_data(as_text=True)


def make_certificates(folder):
    """A throwaway CA and a server certificate for 127.0.0.1, via openssl."""

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    openssl(
        "req", "-x509", "-new", "-key", "ca.key", "-days", "2",
        "-subj", "/CN=widget test CA", "-out", "ca.pem",
    )  # fmt: skip
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "srv.key")
    openssl(
        "req", "-new", "-key", "srv.key", "-subj", "/CN=127.0.0.1", "-out", "srv.csr"
    )
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl(
        "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "srv.pem",
    )  # fmt: skip
    return {
        "cert": folder / "srv.pem",
        "key": folder / "srv.key",
        "ca": folder / "ca.pem",
    }


def test_rediss_connects_with_tls_and_checks_the_server(tmp_path):
    (tmp_path / "tls").mkdir()
    files = make_certificates(tmp_path / "tls")
    with RedisServer(tmp_path / "redis", tls=files) as server:
        url = f"rediss://127.0.0.1:{server.tls_port}/0"
        trusted = make_store(f"{url}?ssl_ca_certs={files['ca']}")
        trusted.add_topic(ARTEMIS)
        assert trusted.get_state("artemis").topic == ARTEMIS
        trusted.close()
        untrusted = make_store(url)  # the system CAs do not know our test CA
        with pytest.raises(StoreError, match="certificate verify failed"):
            untrusted.version("artemis")
        untrusted.close()


@pytest.mark.parametrize(
    "error, status",
    [
        (StoreError("Redis store: Connection refused"), 503),
        (TopicNotFound("artemis"), 404),
        (TopicExists("artemis"), 409),
    ],
)
def test_store_errors_that_reach_a_view_are_never_a_500(make_app, error, status):
    app = make_app(WIDGET_SEED_DEMO=False)

    def failing():
        raise error

    app.add_url_rule("/api/v1/failing", view_func=failing)
    app.add_url_rule("/failing", view_func=failing)
    client = app.test_client()
    api = client.get("/api/v1/failing")
    assert api.status_code == status
    assert api.get_json()["error"]["message"]
    page = client.get("/failing")
    assert (page.status_code, page.mimetype) == (status, "text/html")
