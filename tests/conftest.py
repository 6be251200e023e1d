from __future__ import annotations

import os
import socket
from datetime import UTC
from datetime import datetime

import pytest

from tests.fakes import FakeCatalog
from widget import create_app


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch):
    """Tests configure the app through create_app, never the environment."""
    for name in list(os.environ):
        if name.startswith("WIDGET_"):
            monkeypatch.delenv(name)


@pytest.fixture
def make_app(tmp_path):
    """A factory for apps on a fresh SQLite file; keyword settings override."""

    def factory(catalog=None, clock=None, **settings):
        config = {
            "TESTING": True,
            "WIDGET_STORE": f"sqlite:///{tmp_path}/widget.db",
            "WIDGET_INSTANCE_DIR": str(tmp_path / "instance"),
        }
        config.update(settings)
        return create_app(config, catalog=catalog, clock=clock)

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


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real redis-server for the session; tests flush it (redis_url)."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied before the test."""
    redis_server.flush()
    return redis_server.url
