"""Cached widget under gunicorn vs a minimal Flask app serving the same bytes.

    python3 bench/bench_widget.py [--seconds 5] [--rounds 3]

Prints requests per second for both and their ratio (target: 0.8 or better).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compare  # noqa: E402
from bench.common import scratch  # noqa: E402
from bench.common import serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with scratch() as tmp:
        env = {
            "WIDGET_STORE": f"sqlite:///{tmp}/widget.db",
            "WIDGET_INSTANCE_DIR": str(tmp / "instance"),
        }
        with serve("wsgi:app", env) as service:
            url = f"{service}/widget/nasa-artemis"
            body = requests.get(url, timeout=30).content  # warms every worker's cache
            (tmp / "body.html").write_bytes(body)
            with serve(
                "bench.baseline_app:app", {"BASELINE_BODY": str(tmp / "body.html")}
            ) as base:
                print(f"widget body: {len(body):,} bytes")
                compare(
                    "cached widget",
                    url,
                    f"{base}/widget/nasa-artemis",
                    rounds=args.rounds,
                    seconds=args.seconds,
                    connections=args.connections,
                )


if __name__ == "__main__":
    main()
