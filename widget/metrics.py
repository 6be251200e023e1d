"""``/metrics`` in Prometheus text format, the same whichever worker answers.

Each worker counts in memory (cheap on the hot path) and a background thread
adds its counts to the store every ``FLUSH_EVERY`` seconds; the worker that
answers a scrape flushes its own first. Gauges (age of each list, budget
used) are read from the store at scrape time. So a scrape sees every
worker's counts to within ``FLUSH_EVERY`` seconds, and with a Redis store,
every host's.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from widget.freshness import topic_status
from widget.services import Services
from widget.services import services
from widget.store import StoreError

log = logging.getLogger(__name__)

FLUSH_EVERY = 2.0

bp = Blueprint("metrics", __name__)

HELP = {
    "widget_http_requests_total": ("counter", "HTTP requests by route and status."),
    "widget_cache_requests_total": ("counter", "Widget cache lookups by result."),
    "widget_upstream_calls_total": (
        "counter",
        "Catalog calls (refreshes and first fetches).",
    ),
    "widget_upstream_errors_total": ("counter", "Failed catalog calls by kind."),
    "widget_events_total": (
        "counter",
        "Click and impression beacons by type and outcome (counted, repeat,"
        " bot, unknown, own, limited).",
    ),
    "widget_store_fallbacks_total": (
        "counter",
        "Widgets served from memory because the store was unreachable.",
    ),
}
UNLABELLED = ("widget_upstream_calls_total", "widget_store_fallbacks_total")
STAT_NAMES = {
    "cache_hit": 'widget_cache_requests_total{result="hit"}',
    "cache_miss": 'widget_cache_requests_total{result="miss"}',
    "upstream_call": "widget_upstream_calls_total",
    "store_fallback": "widget_store_fallbacks_total",
}


def label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """This worker's counts not yet added to the store."""

    def __init__(self, found: Services) -> None:
        self._store = found.store
        self._lists = found.lists
        self._analytics = found.analytics
        self._pending: Counter[str] = Counter()
        self._requests: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._flusher_pid: int | None = None

    def count_request(self, route: str, status: int) -> None:
        # Keys are formatted at flush time, keeping the hot path to one increment.
        with self._lock:
            self._requests[route, status] += 1
        if self._flusher_pid != os.getpid():
            self._start_flusher()

    def _start_flusher(self) -> None:
        # Started in the worker itself: a thread started before gunicorn
        # forks would not exist in the workers.
        self._flusher_pid = os.getpid()
        threading.Thread(
            target=self._flush_forever, name="metrics", daemon=True
        ).start()

    def _flush_forever(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY)
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            requests, self._requests = self._requests, Counter()
        for (route, status), count in requests.items():
            labels = f'route="{label(route)}",status="{status}"'
            pending[f"widget_http_requests_total{{{labels}}}"] += count
        for name, count in self._lists.drain_stats().items():
            kind = name.partition("upstream_error:")[2]
            key = (
                f'widget_upstream_errors_total{{kind="{label(kind)}"}}'
                if kind
                else STAT_NAMES.get(name)
            )
            if key:
                pending[key] += count
        for name, count in self._analytics.drain_stats().items():
            kind, _, outcome = name.partition(":")
            labels = f'type="{label(kind)}",outcome="{label(outcome)}"'
            pending[f"widget_events_total{{{labels}}}"] += count
        if not pending:
            return
        try:
            self._store.add_counters(dict(pending))
        except StoreError:
            with self._lock:  # keep them for the next flush
                self._pending.update(pending)


def exposition(found: Services) -> str:
    lines: list[str] = []
    counters = found.store.counters()
    for family, (kind, text) in HELP.items():
        lines += [f"# HELP {family} {text}", f"# TYPE {family} {kind}"]
        samples = {k: v for k, v in counters.items() if k.partition("{")[0] == family}
        lines += [f"{key} {value}" for key, value in sorted(samples.items())]
        if not samples and family in UNLABELLED:
            lines.append(f"{family} 0")
    now = found.lists.now()
    states = found.store.list_states()
    lines += [
        "# HELP widget_list_age_seconds Age of each topic's current list.",
        "# TYPE widget_list_age_seconds gauge",
    ]
    for state in states:
        if state.snapshot is not None:
            age = (now - state.snapshot.updated_at).total_seconds()
            topic = label(state.topic.slug)
            lines.append(f'widget_list_age_seconds{{topic="{topic}"}} {age:.0f}')
    lines += [
        "# HELP widget_topic_failing 1 if a topic's last refresh failed, else 0.",
        "# TYPE widget_topic_failing gauge",
    ]
    for state in states:
        failing = int(topic_status(state, now) == "failing")
        lines.append(
            f'widget_topic_failing{{topic="{label(state.topic.slug)}"}} {failing}'
        )
    lines += ["# HELP widget_topics Configured topics.", "# TYPE widget_topics gauge"]
    lines.append(f"widget_topics {len(states)}")
    return "\n".join(lines) + "\n"


def worker_metrics() -> Metrics:
    """This worker's counts (the CLI flushes them before it exits)."""
    found: Metrics = current_app.extensions["widget_metrics"]
    return found


@bp.get("/metrics")
def metrics() -> Response:
    worker_metrics().flush()
    return Response(
        exposition(services()),
        headers={"Cache-Control": "no-store"},
        content_type="text/plain; version=0.0.4; charset=utf-8",
    )


def init_app(app: Flask, found: Services) -> None:
    counts = app.extensions["widget_metrics"] = Metrics(found)
    app.register_blueprint(bp)

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule
        counts.count_request(
            rule.endpoint if rule else "unmatched", response.status_code
        )
        return response
