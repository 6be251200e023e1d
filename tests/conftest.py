from __future__ import annotations

import os
import socket
from datetime import UTC
from datetime import datetime

import pytest
from flask.testing import FlaskCliRunner

from tests.fakes import FakeCatalog
from widget import create_app
from widget.cli import widget


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch):
    """Tests configure the app through create_app, never the environment."""
    for name in list(os.environ):
        if name.startswith("WIDGET_"):
            monkeypatch.delenv(name)


class WidgetRunner(FlaskCliRunner):
    """``app.test_cli_runner()`` runs the ``widget`` command group (not
    Flask's ``app.cli``) against the app under test."""

    def invoke(self, cli=None, args=None, **kwargs):
        return super().invoke(cli or widget, args, **kwargs)


@pytest.fixture
def make_app(tmp_path):
    """A factory for apps on a fresh SQLite file; keyword settings override."""

    def factory(catalog=None, clock=None, store=None, **settings):
        config = {
            "TESTING": True,
            "WIDGET_STORE": f"sqlite:///{tmp_path}/widget.db",
            "WIDGET_INSTANCE_DIR": str(tmp_path / "instance"),
            # Tests drive the schedule themselves (tests/test_schedule.py).
            "WIDGET_SCHEDULER": False,
        }
        config.update(settings)
        app = create_app(config, catalog=catalog, clock=clock, store=store)
        app.test_cli_runner_class = WidgetRunner
        return app

    return factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fake_catalog():
    return FakeCatalog()


ADMIN_TOKEN = "correct horse battery staple"


@pytest.fixture
def admin_app(make_app, fake_catalog, clock):
    """An app with an admin token over the FakeCatalog, without demo topics."""
    return make_app(
        catalog=fake_catalog,
        clock=clock,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
    )


@pytest.fixture
def fake_app(make_app, fake_catalog):
    """An app over the FakeCatalog, without demo topics."""
    return make_app(catalog=fake_catalog, WIDGET_SEED_DEMO=False)


class Clock:
    """A settable clock for ListService(now=...)."""

    def __init__(self, moment: datetime | None = None):
        self.moment = moment or datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.moment += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StubServer:
    """The Creators API stub-server: in a thread of the test process (with
    its ``app``, whose state tests may steer directly) or in a process of its
    own (``app`` None; tests/e2e/servers.py ``stub_server_process``)."""

    def __init__(self, app, base_url):
        self.app = app
        self.url = base_url
        self.state = app.extensions["stub"] if app is not None else None
        self.options = self.state.options if self.state is not None else None

    def token_url(self, version: str) -> str:
        path = "/auth/o2/token" if version.startswith("3.") else "/oauth2/token"
        return self.url + path

    def calls(self, operation: str | None = None) -> list[dict]:
        import requests

        logged = requests.get(self.url + "/_stub/calls", timeout=5).json()["calls"]
        return [c for c in logged if operation in (None, c["operation"])]

    def reset(self) -> None:
        import requests

        requests.post(self.url + "/_stub/reset", timeout=5)

    def queue(self, *faults: str) -> None:
        import requests

        requests.post(
            self.url + "/_stub/faults", json={"next": list(faults)}, timeout=5
        )


@pytest.fixture
def stub_server():
    from widget.catalog.stub import BUNDLED_CATALOG
    from widget.catalog.stub import load_stub_items
    from widget.stubserver import StubOptions
    from widget.stubserver import create_stub_app
    from widget.stubserver import serve_in_thread

    app = create_stub_app(
        load_stub_items(BUNDLED_CATALOG),
        BUNDLED_CATALOG.parent / "covers",
        StubOptions(),
    )
    with serve_in_thread(app) as base_url:
        yield StubServer(app, base_url)


#: Regional credentials (region, id, secret) of the ``marketplaces`` server.
EU = ("EU", "eu-client", "eu-secret")
FE = ("FE", "fe-client", "fe-secret")


@pytest.fixture
def marketplaces():
    """A stub-server playing every marketplace, with the default credential
    ``na-client``/``na-secret`` and a credential each for Europe and the Far
    East; yields its URL."""
    from widget.catalog.stub import BUNDLED_CATALOG
    from widget.catalog.stub import load_stub_items
    from widget.stubserver import StubOptions
    from widget.stubserver import create_stub_app
    from widget.stubserver import serve_in_thread

    options = StubOptions(
        client_id="na-client", client_secret="na-secret", credentials=(EU, FE)
    )
    app = create_stub_app(
        load_stub_items(BUNDLED_CATALOG), BUNDLED_CATALOG.parent / "covers", options
    )
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def make_amazon(stub_server):
    """A factory for AmazonCatalogs on the stub-server; sleeps are recorded."""
    import requests

    from widget.catalog.amazon import AmazonCatalog
    from widget.catalog.amazon_auth import Credentials
    from widget.config import Secret

    sessions = []

    def factory(version="2.1", *, secret="stub-secret", **options):
        session = requests.Session()
        sessions.append(session)
        options.setdefault("sleep", factory.sleeps.append)
        return AmazonCatalog(
            session,
            options.pop("base_url", stub_server.url),
            Credentials(Secret("stub-client"), Secret(secret), version),
            marketplace="www.amazon.com",
            partner_tag=options.pop("partner_tag", "mysite-20"),
            token_url=stub_server.token_url(version),
            **options,
        )

    factory.sleeps = []
    yield factory
    for session in sessions:
        session.close()


@pytest.fixture
def make_manual(stub_server):
    """A factory for ManualCatalogs on the stub-server's Open Library."""
    import requests

    from widget.catalog.manual import ManualCatalog
    from widget.catalog.manual import Storefront

    sessions = []

    def factory(*, base_url=None, **options):
        session = requests.Session()
        sessions.append(session)
        return ManualCatalog(
            session,
            base_url or stub_server.url,
            Storefront("www.amazon.com", "mysite-20"),
            **options,
        )

    yield factory
    for session in sessions:
        session.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real redis-server for the session; tests flush it (redis_url)."""
    from tests.redis_server import RedisServer

    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied before the test."""
    redis_server.flush()
    return redis_server.url


#: Open Library's cover host; the stub-server's covers are named under it.
COVERS = "https://covers.openlibrary.org"


@pytest.fixture
def open_library(stub_server):
    """The stub-server as Open Library, its covers named as Open Library's."""
    stub_server.options.image_base = COVERS
    return stub_server


@pytest.fixture
def manual_app(make_app, open_library, clock):
    """An app whose manual topics ask the stub-server's Open Library."""
    return make_app(
        clock=clock,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
        WIDGET_OPENLIBRARY_URL=open_library.url,
        WIDGET_AMAZON_PARTNER_TAG="mysite-20",
    )


@pytest.fixture
def amazon_app(make_app, open_library, clock):
    """The real Amazon adapter on the stub-server, with a "nasa-artemis" topic."""
    app = make_app(
        clock=clock,
        WIDGET_CATALOG="amazon",
        WIDGET_AMAZON_API_URL=open_library.url,
        WIDGET_AMAZON_TOKEN_URL=open_library.token_url("2.1"),
        WIDGET_AMAZON_CREDENTIAL_ID="stub-client",
        WIDGET_AMAZON_CREDENTIAL_SECRET="stub-secret",
        WIDGET_AMAZON_PARTNER_TAG="mysite-20",
        WIDGET_AMAZON_TPS=50,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
        WIDGET_OPENLIBRARY_URL=open_library.url,
    )
    body = {"title": "NASA Artemis", "keywords": "nasa artemis", "item_count": 6}
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    api = app.test_client()
    assert api.post("/api/v1/topics", json=body, headers=auth).status_code == 201
    return app
