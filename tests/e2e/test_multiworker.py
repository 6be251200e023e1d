"""Three real gunicorn workers on one SQLite store: the schedule calls the
catalog once per due topic (not once per worker), and a change made through
one worker is served by every worker on its next request."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import gunicorn
from widget.models import Topic
from widget.store.sqlite import SQLiteStore

pytestmark = pytest.mark.e2e

WORKERS = 3
TOKEN = "e2e-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def stub_catalog(path: Path) -> Path:
    items = [
        {
            "asin": f"B0E2E{n:05d}",
            "title": f"{subject} Book {n}",
            "authors": [f"Author {n}"],
            "search_index": "Books",
            "keywords": [subject.lower()],
            "browse_nodes": [],
            "sales_rank": n,
            "price": {"amount": 10 + n, "currency": "USD"},
            "availability": "IN_STOCK",
            "rating": 4.0,
            "image": {
                "url": f"https://m.media-amazon.com/images/I/e2e{n}.jpg",
                "width": 107,
                "height": 160,
            },
        }
        for subject in ("Dune", "Mars")
        for n in range(1, 11)
    ]
    path.write_text(json.dumps({"items": items}))
    return path


@pytest.fixture(params=[(), ("--preload",)], ids=["forked", "preload"])
def server(tmp_path, request):
    """gunicorn -w 3 wsgi:app (and with --preload, where the app is built once
    in the master and forked); yields (base_url, store, access log path)."""
    db = tmp_path / "widget.db"
    store = SQLiteStore(db)
    for slug in ("dune", "mars"):
        store.add_topic(Topic(slug, slug.title(), slug))
    store.set_meta("seeded", "1")  # no demo topics
    access_log = tmp_path / "access.log"
    env = {
        "WIDGET_STUB_CATALOG": str(stub_catalog(tmp_path / "catalog.json")),
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_SCHEDULE_EVERY": "0.3",
        "WIDGET_LOG_LEVEL": "warning",
    }
    access = ("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s")
    try:
        with gunicorn(
            tmp_path, workers=WORKERS, env=env, extra_args=access + request.param
        ) as base:
            yield base, store, access_log
    finally:
        store.close()


def pids_serving(access_log: Path, path: str) -> set[str]:
    lines = access_log.read_text().splitlines()
    return {line.split()[0] for line in lines if line.split()[1:] == [path]}


def hit_every_worker(base: str, path: str, access_log: Path, check) -> None:
    """Request ``path`` until every worker has answered it, checking each answer."""
    for _ in range(600):
        response = requests.get(base + path, timeout=10)
        check(response)
        time.sleep(0.01)  # let the access log line land
        if len(pids_serving(access_log, path)) == WORKERS:
            return
    pytest.fail(f"not every worker answered {path}: {pids_serving(access_log, path)}")


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting")
        time.sleep(0.1)


@pytest.mark.timeout(120)
def test_schedule_runs_once_per_topic_and_changes_show_on_every_worker(server):
    base, store, access_log = server

    # Every worker starts its scheduler on its first request.
    hit_every_worker(base, "/healthz", access_log, lambda r: r.raise_for_status())
    wait_for(lambda: store.history("dune") and store.history("mars"))
    time.sleep(2.0)  # about six more looks by each of the three workers
    for slug in ("dune", "mars"):
        entries = store.history(slug)
        assert [(e.trigger, e.ok) for e in entries] == [("schedule", True)], slug

    # Every worker caches the current widget.
    def old_widget(response):
        assert response.status_code == 200
        assert "Dune Book 10" in response.text

    hit_every_worker(base, "/widget/dune", access_log, old_widget)
    before = requests.get(base + "/api/v1/topics/dune", timeout=10).json()

    # An edit and a refresh through one worker...
    response = requests.put(
        base + "/api/v1/topics/dune",
        json={"title": "Dune Saga", "item_count": 3},
        headers=AUTH,
        timeout=10,
    )
    assert response.status_code == 200
    time.sleep(1.1)  # so the new snapshot's stamp differs to the second
    response = requests.post(
        base + "/api/v1/topics/dune/refresh", headers=AUTH, timeout=10
    )
    assert response.status_code == 200
    after = response.json()
    assert len(after["products"]) == 3
    assert after["last_update"] > before["last_update"]

    # ...is what every worker serves on its very next request.
    def new_widget(response):
        assert response.status_code == 200
        assert "Dune Saga" in response.text
        assert "Dune Book 3" in response.text and "Dune Book 4" not in response.text

    access_log.write_text("")
    hit_every_worker(base, "/widget/dune", access_log, new_widget)

    def new_json(response):
        body = response.json()
        assert body["title"] == "Dune Saga" and len(body["products"]) == 3
        assert body["last_update"] == after["last_update"]

    hit_every_worker(base, "/api/v1/topics/dune", access_log, new_json)
    # The scheduler did not fetch again meanwhile: refreshes are the admin's.
    assert [e.trigger for e in store.history("dune")] == ["api", "schedule"]
