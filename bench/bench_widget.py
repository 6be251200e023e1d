"""Cached widget, 304 revalidation and the JSON API under gunicorn, each
against a minimal Flask app answering with the same bytes.

    python3 bench/bench_widget.py [--seconds 3] [--rounds 7] [--store redis]

One worker by default: with two, wrk's 16 connections sometimes piled onto
one worker and rounds were bimodal (1,400 or 3,500 req/s, either side).
A bare WSGI callable sending the same bytes (bench/bare_app.py) runs
alongside: the most gunicorn's own per-request work allows any app.

Prints requests per second for both and their ratio (targets, issue 18:
cached widget and 304 at least 1.3, the JSON API at least 1.0; with
``--store redis``, a real redis-server started for the run, at least 1.2).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compare  # noqa: E402
from bench.common import scratch  # noqa: E402
from bench.common import serve  # noqa: E402
from bench.common import service_env  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    args = parser.parse_args()
    load = {
        "rounds": args.rounds,
        "seconds": args.seconds,
        "connections": args.connections,
    }
    with scratch() as tmp, ExitStack() as stack:
        env = service_env(tmp)
        if args.store == "redis":
            redis = stack.enter_context(RedisServer(tmp / "redis"))
            env["WIDGET_STORE"] = redis.url
        with serve(tmp, "wsgi:app", env, workers=args.workers) as service:
            widget_url = f"{service}/widget/nasa-artemis"
            api_url = f"{service}/api/v1/topics/nasa-artemis"
            page = requests.get(widget_url, timeout=30)  # warms the cache
            (tmp / "widget.html").write_bytes(page.content)
            (tmp / "etag").write_text(page.headers["ETag"])
            (tmp / "topic.json").write_bytes(requests.get(api_url, timeout=30).content)
            baseline = {"BASELINE_DIR": str(tmp)}
            with (
                serve(
                    tmp, "bench.baseline_app:app", baseline, workers=args.workers
                ) as base,
                serve(
                    tmp, "bench.bare_app:app", baseline, workers=args.workers
                ) as bare,
            ):
                print(f"store: {args.store}; widget body: {len(page.content):,} bytes")
                compare(
                    "cached widget",
                    widget_url,
                    f"{base}/widget/nasa-artemis",
                    floor=f"{bare}/widget/nasa-artemis",
                    **load,
                )
                etag = {"If-None-Match": page.headers["ETag"]}
                compare(
                    "304 revalidation",
                    widget_url,
                    f"{base}/widget/nasa-artemis",
                    headers=etag,
                    floor=f"{bare}/widget/nasa-artemis",
                    **load,
                )
                compare(
                    "JSON API topic",
                    api_url,
                    f"{base}/api/v1/topics/nasa-artemis",
                    floor=f"{bare}/api/v1/topics/nasa-artemis",
                    **load,
                )


if __name__ == "__main__":
    main()
