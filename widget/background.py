"""Work that may outlast the request that asked for it.

Each piece of work runs in a daemon thread of this worker, at most one per
key at a time: a request that asks for work already running gets the same
``Future`` and waits on it as long as its own budget allows, then answers
without it while the work goes on. Daemon threads die with their worker; the
store's leases and job records make that visible to the other workers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Background:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}

    def submit(self, key: str, work: Callable[[], T]) -> Future[T]:
        """Start ``work`` in a thread unless work under ``key`` is running
        already; either way, the future of the work running under ``key``."""
        with self._lock:
            running = self._running.get(key)
            if running is not None and not running.done():
                return running
            future: Future[T] = Future()
            self._running[key] = future
        threading.Thread(
            target=self._run, args=(key, work, future), name=key, daemon=True
        ).start()
        return future

    def _run(self, key: str, work: Callable[[], T], future: Future[T]) -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to whoever waits, and logged
            log.exception("background work %s failed", key)
            future.set_exception(exc)
        else:
            future.set_result(result)
        finally:
            with self._lock:
                if self._running.get(key) is future:
                    del self._running[key]
