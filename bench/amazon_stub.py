"""How fast the Amazon adapter runs against the stub-server, and how long a
burst of refreshes takes under the request budget.

    python3 -m bench.amazon_stub [--searches 200] [--burst 6] [--tps 2]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from widget.catalog.amazon import AmazonCatalog
from widget.catalog.amazon_auth import Credentials
from widget.catalog.budget import Budget
from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import load_stub_items
from widget.config import Secret
from widget.models import Topic
from widget.store import SQLiteStore
from widget.stubserver import StubOptions
from widget.stubserver import create_stub_app
from widget.stubserver import serve_in_thread

TOPIC = Topic(slug="nasa-artemis", title="NASA Artemis", keywords="nasa artemis")


def catalog(base: str, budget: Budget | None = None) -> AmazonCatalog:
    return AmazonCatalog(
        requests.Session(),
        base,
        Credentials(Secret("stub-client"), Secret("stub-secret"), "2.1"),
        marketplace="www.amazon.com",
        partner_tag="bench-20",
        token_url=base + "/oauth2/token",
        budget=budget,
    )


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log
    parser = argparse.ArgumentParser()
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--burst", type=int, default=6)
    parser.add_argument("--tps", type=float, default=2.0)
    args = parser.parse_args()
    items = load_stub_items(BUNDLED_CATALOG)
    app = create_stub_app(items, BUNDLED_CATALOG.parent / "covers", StubOptions())
    with serve_in_thread(app) as base, tempfile.TemporaryDirectory() as tmp:
        plain = catalog(base)
        plain.top_products(TOPIC, 10)  # token and connection warm-up
        start = time.perf_counter()
        for _ in range(args.searches):
            plain.top_products(TOPIC, 10)
        took = time.perf_counter() - start
        print(
            f"{args.searches} top-ten searches, no budget: {took:.2f}s,"
            f" {1000 * took / args.searches:.1f} ms each"
        )
        store = SQLiteStore(Path(tmp) / "bench.db")
        budgeted = catalog(base, Budget(store, tps=args.tps, tpd=100_000))
        budgeted.top_products(TOPIC, 10)
        app.extensions["stub"].calls.clear()
        threads = [
            threading.Thread(target=budgeted.top_products, args=(TOPIC, 10))
            for _ in range(args.burst)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - start
        seconds = Counter(int(c["at"]) for c in app.extensions["stub"].calls)
        print(
            f"burst of {args.burst} refreshes at {args.tps:g} TPS: {took:.2f}s,"
            f" busiest second served {max(seconds.values())} calls"
        )
        store.close()


if __name__ == "__main__":
    main()
