"""Two "hosts" (separate gunicorn instances, two workers each) on one Redis.

The stub catalog comes from a file the test writes, so a refresh made with
a new edition of that file is visible in the widgets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from threading import Barrier

import pytest
import requests
from werkzeug.http import http_date

from tests.e2e.amazon import amazon_env
from tests.e2e.servers import gunicorn
from tests.e2e.servers import run_cli
from widget.serialize import parse_iso
from widget.store import make_store

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SLUG = "nasa-artemis"  # a demo topic, seeded by whichever host starts first


def write_catalog(path: Path, edition: str) -> Path:
    items = [
        {
            "asin": f"B0TWOH{n:04d}",
            "title": f"{edition} Edition Moon Book {n}",
            "authors": ["A. Writer"],
            "search_index": "Books",
            "keywords": ["nasa", "artemis"],
            "sales_rank": n,
            "price": {"amount": 10 + n, "currency": "USD"},
            "availability": "IN_STOCK",
        }
        for n in range(1, 11)
    ]
    path.write_text(json.dumps({"items": items}))
    return path


def environment(tmp_path: Path, redis_url: str, catalog: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIDGET_")}
    env.update(
        WIDGET_STORE=redis_url,
        WIDGET_STUB_CATALOG=str(catalog),
        WIDGET_SECRET_KEY="two-hosts-test-secret-key-0123456789abcdef",
        WIDGET_INSTANCE_DIR=str(tmp_path / "instance"),
        PYTHONPATH=str(ROOT),
    )
    return env


def host(tmp_path: Path, env: dict[str, str]):
    """One "host": gunicorn with two workers on its own loopback port."""
    return gunicorn(tmp_path, app="widget:create_app()", workers=2, env=env)


def test_two_hosts_share_lists_first_fetches_and_refreshes(tmp_path, redis_url):
    first = write_catalog(tmp_path / "first.json", "First")
    env = environment(tmp_path, redis_url, first)
    with ExitStack() as stack:
        hosts = [stack.enter_context(host(tmp_path, env)) for _ in range(2)]

        # First visits to a topic without a list, all at once on both hosts.
        barrier = Barrier(16)

        def visit(n):
            barrier.wait(timeout=10)
            return requests.get(f"{hosts[n % 2]}/widget/{SLUG}", timeout=30)

        with ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(visit, range(16)))
        assert [r.status_code for r in responses] == [200] * 16
        assert all("First Edition Moon Book 1<" in r.text for r in responses)
        store = make_store(redis_url)
        history = store.history(SLUG)
        # One catalog call: a first visit's, or the schedule's first look if a
        # loaded machine started the hosts slowly enough for it to come first.
        first_fetch = [e.trigger for e in history]
        assert first_fetch in (["first visit"], ["schedule"])

        # Both hosts render the same bytes, so a CDN's revalidation works
        # whichever host answers it.
        etags = {
            requests.get(f"{h}/widget/{SLUG}", timeout=15).headers["ETag"]
            for h in hosts
        }
        assert len(etags) == 1
        again = requests.get(
            f"{hosts[1]}/widget/{SLUG}",
            headers={"If-None-Match": etags.pop()},
            timeout=15,
        )
        assert again.status_code == 304

        # A refresh from a third process (cron on any host), with a new catalog.
        second = write_catalog(tmp_path / "second.json", "Second")
        refreshed = subprocess.run(
            [sys.executable, "-c", "from widget.cli import main; main()",
             "refresh", SLUG],
            cwd=ROOT, env=environment(tmp_path, redis_url, second),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert refreshed.returncode == 0, refreshed.stderr
        # Every worker of both hosts shows it on its next request.
        for base in hosts:
            for _ in range(6):
                html = requests.get(f"{base}/widget/{SLUG}", timeout=15).text
                assert "Second Edition Moon Book 1<" in html
                assert "First Edition" not in html
        # The CLI's refresh, newest first, and nothing else fetched meanwhile.
        assert [e.trigger for e in store.history(SLUG)] == ["cli", *first_fetch]
        store.close()


TOKEN = "two-hosts-admin-token"


def test_two_hosts_share_schedule_budget_and_refreshes(
    tmp_path, redis_url, stub_server
):
    """The Creators API wire format upstream: both hosts' schedulers together
    make one call per due topic, within one shared request budget."""
    env = amazon_env(stub_server, WIDGET_STORE=redis_url) | {
        "WIDGET_SCHEDULER": "true",
        "WIDGET_SCHEDULE_EVERY": "1",
        "WIDGET_SEED_DEMO": "false",
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_SECRET_KEY": "two-hosts-test-secret-key-0123456789abcdef",
    }
    keywords = ["nasa", "mars", "python", "chess", "gardening", "cooking"]
    topics = {"topics": [{"title": f"Topic {k}", "keywords": k} for k in keywords]}
    (tmp_path / "topics.json").write_text(json.dumps(topics))
    imported = run_cli(tmp_path, env, "topics", "import", str(tmp_path / "topics.json"))
    assert imported.returncode == 0, imported.stderr
    with ExitStack() as stack:
        hosts = [stack.enter_context(host(tmp_path, env)) for _ in range(2)]
        for _ in range(8):  # wake every worker's scheduler
            for base in hosts:
                requests.get(f"{base}/healthz", timeout=15)
        deadline = time.monotonic() + 60
        while True:
            listed = requests.get(f"{hosts[0]}/api/v1/topics", timeout=15).json()
            if all(t["last_update"] for t in listed["topics"]):
                break
            assert time.monotonic() < deadline, listed
            time.sleep(0.5)
        time.sleep(3)  # more scheduler passes on every worker: nothing is due
        searches = stub_server.calls("searchItems")
        assert len(searches) == len(keywords)  # one upstream call per due topic
        per_second = Counter(int(call["at"]) for call in searches)
        assert max(per_second.values()) <= 2  # WIDGET_AMAZON_TPS, across hosts

        # An admin refresh through one host shows on the other's next requests.
        time.sleep(1)  # a new stamp, to the second
        refreshed = requests.post(
            f"{hosts[0]}/api/v1/topics/topic-nasa/refresh",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        assert refreshed.status_code == 200, refreshed.text
        stamp = refreshed.json()["last_update"]
        for _ in range(6):
            detail = requests.get(f"{hosts[1]}/api/v1/topics/topic-nasa", timeout=15)
            assert detail.json()["last_update"] == stamp
            widget = requests.get(f"{hosts[1]}/widget/topic-nasa", timeout=15)
            assert widget.headers["Last-Modified"] == http_date(parse_iso(stamp))
