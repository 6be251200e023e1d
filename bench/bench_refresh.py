"""Upstream calls per refresh cycle against the number of topics.

    python3 bench/bench_refresh.py [--topics 10 50]

For each size: N topics in Amazon mode against the wire-format stub-server,
gunicorn with 3 workers each running the scheduler, plus 3 cron-style
`widget refresh --due` processes started at the same moment: 6 refreshers
competing for every due topic. Prints the stub-server's own count of
searchItems calls against N; the ratio must be 1.00 (one call per topic per
cycle, whatever the number of workers).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_memory import import_topics  # noqa: E402
from bench.common import ROOT  # noqa: E402
from bench.common import scratch  # noqa: E402
from bench.common import serve  # noqa: E402
from bench.common import service_env  # noqa: E402
from tests.e2e.servers import service_env as process_env  # noqa: E402
from widget.catalog.stub import BUNDLED_CATALOG  # noqa: E402
from widget.catalog.stub import load_stub_items  # noqa: E402
from widget.stubserver import StubOptions  # noqa: E402
from widget.stubserver import create_stub_app  # noqa: E402
from widget.stubserver import serve_in_thread  # noqa: E402


def cycle(topics: int, stub_url: str) -> int:
    requests.post(stub_url + "/_stub/reset", timeout=5)
    with scratch() as tmp:
        env = service_env(
            tmp,
            WIDGET_SEED_DEMO="false",
            WIDGET_CATALOG="amazon",
            WIDGET_AMAZON_CREDENTIAL_ID="stub-client",
            WIDGET_AMAZON_CREDENTIAL_SECRET="stub-secret",
            WIDGET_AMAZON_PARTNER_TAG="bench-20",
            WIDGET_AMAZON_API_URL=stub_url,
            WIDGET_AMAZON_TOKEN_URL=stub_url + "/oauth2/token",
            WIDGET_AMAZON_TPS="100",
            WIDGET_SCHEDULE_EVERY="1",
        )
        import_topics(tmp, env, topics)
        widget = [sys.executable, "-m", "widget"]
        environ = process_env(tmp, env)
        with serve(tmp, "wsgi:app", env, workers=3) as base:
            for _ in range(12):  # wake every worker's scheduler
                requests.get(base + "/healthz", timeout=10)
            crons = [
                subprocess.Popen(
                    [*widget, "refresh", "--due"],
                    cwd=ROOT,
                    env=environ,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(3)
            ]
            for cron in crons:
                cron.wait(timeout=300)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                listed = requests.get(base + "/api/v1/topics", timeout=10).json()
                if all(t["last_update"] for t in listed["topics"]):
                    break
                time.sleep(0.5)
            time.sleep(3)  # a few more scheduler passes: nothing is due now
    calls = requests.get(stub_url + "/_stub/calls", timeout=5).json()["calls"]
    return sum(1 for call in calls if call["operation"] == "searchItems")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topics", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_stub_app(
        load_stub_items(BUNDLED_CATALOG),
        BUNDLED_CATALOG.parent / "covers",
        StubOptions(),
    )
    with serve_in_thread(app) as stub_url:
        for topics in args.topics:
            calls = cycle(topics, stub_url)
            print(
                f"refresh cycle with {topics} topics, 3 workers + 3 cron processes:"
                f" {calls} upstream calls -> ratio {calls / topics:.2f}"
            )


if __name__ == "__main__":
    main()
