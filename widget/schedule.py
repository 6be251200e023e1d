"""Scheduled refreshes that no visitor waits for.

Each worker runs one daemon thread that looks for due topics every
``WIDGET_SCHEDULE_EVERY`` seconds and refreshes them through
``ListService.refresh_all(due_only=True)``, the same "refresh all" as the
CLI, the admin pages and the API. Several workers (or hosts) may look at the
same moment: each refresh takes the topic's lease in the store and checks
again that it is still due, so each due topic costs one catalog call
whatever the number of workers.

The thread starts lazily on a worker's first request, not in
``create_app``: gunicorn builds the app in its master and then forks, and
threads do not survive a fork. ``gunicorn wsgi:app`` needs no extra config.
"""

from __future__ import annotations

import logging
import os
import random
import threading

from flask import Flask

from widget.lists import ListService
from widget.refresh import Outcome
from widget.refresh import RefreshResult

log = logging.getLogger(__name__)

#: The first look comes within this many seconds of a worker's first request,
#: spread at random so that workers started together do not look together.
FIRST_LOOK_WITHIN = 10.0


class Scheduler:
    def __init__(self, lists: ListService, every: float) -> None:
        self.lists = lists
        self.every = every
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()

    def run_once(self) -> list[RefreshResult]:
        """Refresh every due topic now; never raises (the loop must go on).
        Topics another worker refreshed or is refreshing are left out."""
        try:
            done = self.lists.refresh_all(trigger="schedule", due_only=True)
        except Exception:  # store down, a bug: log it and try next time
            log.exception("scheduled refresh failed")
            return []
        for result in done.results:
            if result.outcome is Outcome.FAILED:
                log.warning("scheduled refresh of %s failed", result.slug)
        return [
            r for r in done.results if r.outcome not in (Outcome.BUSY, Outcome.SKIPPED)
        ]

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
