"""Two "hosts" (separate gunicorn instances, two workers each) on one Redis.

The stub catalog comes from a file the test writes, so a refresh made with
a new edition of that file is visible in the widgets.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from contextlib import contextmanager
from pathlib import Path
from threading import Barrier

import pytest
import requests

from tests.conftest import free_port
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


@contextmanager
def host(tmp_path: Path, env: dict[str, str], name: str):
    """gunicorn with two workers on a free loopback port; yields its base URL."""
    port = free_port()
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", "widget:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / f"{name}.log").read_text()
            try:
                requests.get(base + "/healthz", timeout=15)
                break
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or a worker still booting on a busy box.
                assert time.monotonic() < deadline, f"{name} did not start"
                time.sleep(0.1)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def test_two_hosts_share_lists_first_fetches_and_refreshes(tmp_path, redis_url):
    first = write_catalog(tmp_path / "first.json", "First")
    env = environment(tmp_path, redis_url, first)
    with ExitStack() as stack:
        hosts = [stack.enter_context(host(tmp_path, env, n)) for n in ("a", "b")]

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
        assert [e.trigger for e in history] == ["first visit"]  # one catalog call

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
        assert [e.trigger for e in store.history(SLUG)] == ["cli", "first visit"]
        store.close()
