"""Topic versions remembered between requests, kept true by a subscription.

Reading a topic's version from Redis on every widget request was a network
round trip for a number that changes a few times a day. Every write that
hands out a version also publishes on a channel (inside its Lua script, so
no writer can change a topic without telling), and each process keeps one
subscription to it: any message forgets every remembered version.

The subscription is trusted only while it is heard from: a thread pings
through it several times a second, and versions are taken from memory only
within ``STALENESS`` of the last answer. When it drops (Redis restarted, the
connection killed, a silent network), readers go back to Redis within that
second, and a new subscription starts by forgetting everything, since
messages sent meanwhile are lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

#: Versions are served from memory at most this long after the subscription
#: last answered: the longest a change can go unseen if it drops silently.
STALENESS = 1.0
#: How often the subscription is pinged (well inside STALENESS).
PING_EVERY = 0.25
#: Pause before subscribing again after a failure.
RETRY_AFTER = 0.2

Read = Callable[[str], int | None]


class VersionWatch:
    def __init__(self, client: redis.Redis, channel: str) -> None:
        self._client = client
        self.channel = channel
        self._known: dict[str, int | None] = {}
        #: bumped by every "forget": a read that started before one is not kept
        self._generation = 0
        self._heard_at = float("-inf")
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()

    def version(self, slug: str, read: Read) -> int | None:
        """The topic's version: from memory while the subscription is
        heard from, else by ``read`` (which may raise StoreError)."""
        if self._pid == os.getpid() and time.monotonic() - self._heard_at < STALENESS:
            try:
                return self._known[slug]
            except KeyError:
                pass
        generation = self._generation
        value = read(slug)
        if self._pid != os.getpid():
            self._start()  # only once Redis answers: none to a silent host
        with self._lock:
            if generation == self._generation:
                self._known[slug] = value
        return value

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._known.clear()

    def close(self) -> None:
        self._stop.set()

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked worker inherits the parent's memory but not its thread.
            self._pid = os.getpid()
            self._known.clear()
            self._heard_at = float("-inf")
        thread = threading.Thread(
            target=self._listen_forever, name="widget-version-watch", daemon=True
        )
        thread.start()

    def _listen_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # any failure: back to reading Redis
                log.debug("version subscription lost: %s", exc)
            self._heard_at = float("-inf")
            self.forget()
            self._stop.wait(RETRY_AFTER)

    def _listen(self) -> None:
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.channel)
            pinged = 0.0
            while not self._stop.is_set():
                if time.monotonic() - pinged >= PING_EVERY:
                    pubsub.ping()
                    pinged = time.monotonic()
                message = pubsub.get_message(timeout=PING_EVERY)
                if message is None:
                    continue
                if message["type"] != "pong":
                    # A change, or a (re)subscription: redis-py resubscribes by
                    # itself after a reconnect, and messages in between are lost.
                    self.forget()
                self._heard_at = time.monotonic()
        finally:
            pubsub.close()
