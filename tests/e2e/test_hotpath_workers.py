"""Real gunicorn workers answering cached widgets on the hot path: an edit
through one worker is served by every worker within a second, with SQLite
and with Redis (whose workers learn of it by subscription)."""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.servers import gunicorn
from tests.e2e.test_multiworker import AUTH
from tests.e2e.test_multiworker import TOKEN
from tests.e2e.test_multiworker import WORKERS
from tests.e2e.test_multiworker import hit_every_worker
from tests.e2e.test_multiworker import stub_catalog
from widget.models import Topic
from widget.store import make_store

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", "redis"])
def server(tmp_path, request):
    url = (
        request.getfixturevalue("redis_url")
        if request.param == "redis"
        else f"sqlite:///{tmp_path}/widget.db"
    )
    store = make_store(url)
    store.add_topic(Topic("dune", "Dune", "dune"))
    store.set_meta("seeded", "1")
    access_log = tmp_path / "access.log"
    env = {
        "WIDGET_STORE": url,
        "WIDGET_STUB_CATALOG": str(stub_catalog(tmp_path / "catalog.json")),
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_SCHEDULER": "false",
        "WIDGET_LOG_LEVEL": "warning",
    }
    access = ("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s")
    try:
        with gunicorn(tmp_path, workers=WORKERS, env=env, extra_args=access) as base:
            yield base, access_log
    finally:
        store.close()


@pytest.mark.timeout(120)
def test_an_edit_through_one_worker_is_served_by_all_within_a_second(server):
    base, access_log = server

    def cached_old(response):
        assert response.status_code == 200
        assert "Dune Book 1" in response.text and "Spice" not in response.text

    hit_every_worker(base, "/widget/dune", access_log, cached_old)
    hit_every_worker(base, "/widget/dune", access_log, cached_old)  # now cached
    response = requests.patch(
        base + "/api/v1/topics/dune",
        json={"title": "Spice Saga"},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 200
    changed_at = time.monotonic()
    time.sleep(1.0)
    offset = len(access_log.read_bytes())

    def workers_since() -> int:
        lines = access_log.read_bytes()[offset:].decode().splitlines()
        return len({line.split()[0] for line in lines})

    seen = 0
    # Fresh connections, so every worker answers some of them.
    while workers_since() < WORKERS:
        page = requests.get(base + "/widget/dune", timeout=10)
        assert "Spice Saga" in page.text, time.monotonic() - changed_at
        seen += 1
        time.sleep(0.01)
        assert seen < 600
