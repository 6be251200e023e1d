"""Scheduled refreshes that no visitor waits for.

Each worker runs one daemon thread that looks for due topics every
``WIDGET_SCHEDULE_EVERY`` seconds and refreshes them. Several workers (or
hosts) may look at the same moment: ``ListService.refresh_due`` takes the
topic's lease in the store and checks again that it is still due, so each
due topic costs one catalog call whatever the number of workers.

The thread starts lazily on a worker's first request, not in
``create_app``: gunicorn builds the app in its master and then forks, and
threads do not survive a fork. ``gunicorn wsgi:app`` needs no extra config.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time

from flask import Flask

from widget.lists import ListService
from widget.lists import RefreshOutcome
from widget.store import TopicNotFound

log = logging.getLogger(__name__)

#: "Refresh all" from a request stops starting new fetches after this many
#: seconds, well inside gunicorn's default 30-second worker timeout.
REFRESH_ALL_WITHIN = 20.0

#: The first look comes within this many seconds of a worker's first request,
#: spread at random so that workers started together do not look together.
FIRST_LOOK_WITHIN = 10.0


def refresh_all(
    lists: ListService, *, trigger: str, within: float | None = None
) -> tuple[list[RefreshOutcome], list[str]]:
    """Refresh every topic, oldest list first, for as long as ``within``
    allows; returns the outcomes and the slugs left for later."""
    limit = REFRESH_ALL_WITHIN if within is None else within
    deadline = time.monotonic() + limit
    states = sorted(
        lists.store.list_states(),
        key=lambda s: s.snapshot.updated_at.timestamp() if s.snapshot else 0.0,
    )
    outcomes: list[RefreshOutcome] = []
    for number, state in enumerate(states):
        if outcomes and time.monotonic() > deadline:
            return outcomes, [s.topic.slug for s in states[number:]]
        try:
            outcomes.append(lists.refresh(state.topic.slug, trigger=trigger))
        except TopicNotFound:
            continue  # removed meanwhile
    return outcomes, []


class Scheduler:
    def __init__(self, lists: ListService, every: float) -> None:
        self.lists = lists
        self.every = every
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()

    def run_once(self) -> list[RefreshOutcome]:
        """Refresh every due topic now; never raises (the loop must go on)."""
        try:
            outcomes = self.lists.refresh_due(trigger="schedule")
        except Exception:  # store down, a bug: log it and try next time
            log.exception("scheduled refresh failed")
            return []
        for outcome in outcomes:
            if not outcome.ok:
                log.warning("scheduled refresh of %s failed", outcome.slug)
        return outcomes

    @property
    def running(self) -> bool:
        return (
            self._pid == os.getpid()
            and self._thread is not None
            and self._thread.is_alive()
        )

    def ensure_running(self) -> None:
        """Start this process's thread unless it runs already (cheap to call
        on every request)."""
        if self.running:
            return
        with self._guard:
            if self.running or self._stop.is_set():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._loop, name="widget-scheduler", daemon=True
            )
            self._thread.start()
            log.info(
                "scheduler started in process %d, every %gs", self._pid, self.every
            )

    def _loop(self) -> None:
        delay = random.uniform(0, min(self.every, FIRST_LOOK_WITHIN))
        while not self._stop.wait(delay):
            self.run_once()
            delay = self.every

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def init_app(app: Flask) -> None:
    if not app.config["WIDGET_SCHEDULER"]:
        return
    scheduler = Scheduler(
        app.extensions["widget"].lists, app.config["WIDGET_SCHEDULE_EVERY"]
    )
    app.extensions["widget_scheduler"] = scheduler

    @app.before_request
    def start_scheduler() -> None:
        scheduler.ensure_running()
