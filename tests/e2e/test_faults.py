"""Upstream faults, crashes and restarts under a real gunicorn, with the real
Amazon adapter talking to the wire-format stub-server."""

import html
import os
import re
import signal
import sqlite3
import threading
import time
from collections import Counter

import pytest
import requests

from tests.e2e.amazon import amazon_env
from tests.e2e.servers import gunicorn
from tests.e2e.servers import run_cli

pytestmark = pytest.mark.e2e

WIDGET = "/widget/nasa-artemis"


def footer(page: str) -> str:
    return re.search(r"Last update on [^<]+", html.unescape(page)).group(0)


def metric(base, name):
    text = requests.get(f"{base}/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


ADMIN_TOKEN = "faults-admin-token-0123456789"


def test_upstream_faults_never_blank_a_widget(tmp_path, stub_server):
    env = amazon_env(stub_server, WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with gunicorn(tmp_path, workers=2, env=env) as base:
        first = requests.get(base + WIDGET, timeout=30)
        assert first.status_code == 200 and first.text.count("<li>") == 10
        stamp = first.headers["Last-Modified"]
        for faults, kind in [
            (["malformed"], "bad_response"),
            (["429"] * 4, "throttled"),
            (["503"] * 4, "unavailable"),
        ]:
            stub_server.queue(*faults)
            refresh = run_cli(tmp_path, env, "refresh", "nasa-artemis")
            assert refresh.returncode == 1, refresh.stdout + refresh.stderr
            for _ in range(6):  # every worker keeps the list and its true date
                page = requests.get(base + WIDGET, timeout=30)
                assert page.status_code == 200 and page.text.count("<li>") == 10
                assert page.headers["Last-Modified"] == stamp
            health = requests.get(f"{base}/healthz", headers=admin, timeout=10)
            assert [f["kind"] for f in health.json()["failing"]] == [kind]
            detail = requests.get(
                f"{base}/api/v1/topics/nasa-artemis", timeout=10
            ).json()
            assert detail["status"] == "failing" and len(detail["products"]) == 10
            assert metric(base, f'widget_upstream_errors_total{{kind="{kind}"}}') >= 1
        # A stalled answer times out and the retry recovers.
        stub_server.queue("hang")
        assert run_cli(tmp_path, env, "refresh", "nasa-artemis").returncode == 0
        health = requests.get(f"{base}/healthz", headers=admin, timeout=10)
        assert health.json()["failing"] == []
        # Items with only a title and a link still make a widget, without covers.
        stub_server.queue("sparse")
        assert run_cli(tmp_path, env, "refresh", "nasa-artemis").returncode == 0
        page = requests.get(base + WIDGET, timeout=30)
        assert page.status_code == 200 and page.text.count("<li>") == 10
        assert "<img" not in page.text and "$" not in footer(page.text)
    per_second = Counter(int(call["at"]) for call in stub_server.calls("searchItems"))
    assert max(per_second.values()) <= 2  # WIDGET_AMAZON_TPS, retries included


def test_thundering_herd_makes_one_upstream_call(tmp_path, stub_server):
    stub_server.options.latency = 1.0
    env = amazon_env(
        stub_server, WIDGET_AMAZON_READ_TIMEOUT="10", WIDGET_LEASE_TTL="60"
    )
    options = ("-k", "gthread", "--threads", "25")
    with gunicorn(tmp_path, workers=3, env=env, extra_args=options) as base:
        results = []

        def visit():
            try:
                response = requests.get(base + WIDGET, timeout=60)
                results.append((response.status_code, response.text.count("<li>")))
            except requests.RequestException as exc:
                results.append((repr(exc), 0))

        threads = [threading.Thread(target=visit) for _ in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Counter(results) == Counter({(200, 10): 200})
    assert len(stub_server.calls("searchItems")) == 1


def lease_holder_pid(tmp_path):
    with sqlite3.connect(tmp_path / "widget.db") as db:
        row = db.execute(
            "SELECT holder FROM leases WHERE name = 'refresh:nasa-artemis'"
        ).fetchone()
    return int(row[0].split(":")[1]) if row else None


def test_killed_worker_mid_fetch_leaves_store_consistent(tmp_path, stub_server):
    stub_server.options.latency = 5.0
    env = amazon_env(stub_server, WIDGET_AMAZON_READ_TIMEOUT="10")
    with gunicorn(tmp_path, workers=2, env=env) as base:
        outcome = []

        def visit():  # its worker is about to be killed under it
            try:
                outcome.append(requests.get(base + WIDGET, timeout=60).status_code)
            except requests.ConnectionError:
                outcome.append("cut off")

        visitor = threading.Thread(target=visit, daemon=True)
        visitor.start()
        deadline = time.monotonic() + 10
        while (
            pid := lease_holder_pid(tmp_path)
        ) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        listing = run_cli(tmp_path, env, "topics", "list")
        assert "nasa-artemis" in listing.stdout and "pending" in listing.stdout
        # Once the dead worker's lease expires, another worker takes over.
        stub_server.options.latency = 0.0
        page = requests.get(base + WIDGET, timeout=60)
        assert page.status_code == 200 and page.text.count("<li>") == 10
        visitor.join(timeout=30)
        assert outcome == ["cut off"]


def test_restart_serves_every_topic_from_the_store(tmp_path, stub_server):
    env = amazon_env(stub_server)
    slugs = ["nasa-artemis", "science-fiction"]
    with gunicorn(tmp_path, workers=2, env=env) as base:
        pages = {s: requests.get(f"{base}/widget/{s}", timeout=30).text for s in slugs}
    calls = len(stub_server.calls())
    with gunicorn(tmp_path, workers=2, env=env) as base:
        for slug in slugs:
            again = requests.get(f"{base}/widget/{slug}", timeout=30)
            assert again.status_code == 200 and again.text == pages[slug]
    assert len(stub_server.calls()) == calls
