"""Redis snapshot store: one store shared by every worker on every host.

Layout (all keys under ``widget:``)::

    seq                  INCR counter: every version ever handed out; also
                         the channel each new version is published on
    topics               set of slugs
    topic:<slug>         hash: data, title, version, snapshot, snapshot_at,
                         error, last_attempt; the same four fields ending in
                         "@<store key>" for each other store's list
    history:<slug>       list of JSON entries, newest first, trimmed to keep
    lease:<name>         holder id, with a PX expiry
    revoked:<key>        a revoked session id, until its session would expire
    job:<id>             a refresh job's JSON record, with a PX expiry
    budget:<bucket>:<t>  use count of the window starting at t, with EXPIRE
    slot:<bucket>        budget spacing: the next allowed start time, or the
                         last departure (Redis clock), with PEXPIRE
    meta                 hash
    claim:<key>          a claimed value (the day's analytics salt, a visitor's
                         first click of a day), with a PX expiry
    counts:<slug>:<day>  hash: a topic's analytics counts of one day, with an
                         EXPIRE at the end of the retention

Every write that reads before it writes is one Lua script
(``redis_scripts.py``), atomic on the server. Versions come from one global
INCR, so a removed and re-added topic never repeats a number.
Scripts touch several keys in different hash slots, so this needs a single
Redis (or a primary with replicas), not Redis Cluster.

Every redis-py error is translated into ``StoreError`` at this boundary.
Timeouts are short (``REDIS_TIMEOUT``) so a dead Redis fails a request fast
and the list service serves from memory; after a timeout, calls fail at once
for a few seconds rather than each waiting again. redis-py reconnects by
itself once Redis is back.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from widget.config import REDIS_TIMEOUT
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList
from widget.serialize import error_to_dict
from widget.serialize import history_from_dict
from widget.serialize import history_to_dict
from widget.serialize import iso
from widget.serialize import state_from_stored
from widget.serialize import topic_to_dict
from widget.serialize import toplist_to_dict
from widget.store.base import Clock
from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicExists
from widget.store.base import TopicNotFound
from widget.store.base import VersionConflict
from widget.store.redis_scripts import ACQUIRE_LEASE
from widget.store.redis_scripts import ADD_COUNTS
from widget.store.redis_scripts import ADD_TOPIC
from widget.store.redis_scripts import CLAIM
from widget.store.redis_scripts import CLAIM_DEPARTURE
from widget.store.redis_scripts import RELEASE_LEASE
from widget.store.redis_scripts import REMOVE_TOPIC
from widget.store.redis_scripts import RESERVE_SLOT
from widget.store.redis_scripts import SAVE_SNAPSHOT
from widget.store.redis_scripts import SET_FIELDS
from widget.store.redis_scripts import TAKE_BUDGET
from widget.store.redis_scripts import UPDATE_TOPIC
from widget.store.redis_watch import VersionWatch

#: URL query options passed to redis-py; anything else is a typo.
URL_OPTIONS = frozenset(
    {
        "ssl_ca_certs",
        "ssl_certfile",
        "ssl_keyfile",
        "ssl_cert_reqs",
        "ssl_check_hostname",
        "socket_timeout",
        "socket_connect_timeout",
    }
)

_STATE_FIELDS = ("data", "version", "snapshot", "error", "last_attempt")


def _suffix(store: str | None) -> str:
    """What the fields of ``store``'s list end in ("" for the default)."""
    return "" if store is None else "@" + store


def client_options(url: str) -> dict[str, Any]:
    """redis-py keyword arguments for a store URL: short timeouts, one quick
    retry (a pooled connection may be stale after Redis restarted).

    :raises ValueError: for unknown query options or a missing CA file.
    """
    parts = urlsplit(url)
    options = set(parse_qs(parts.query))
    unknown = sorted(options - URL_OPTIONS)
    if unknown:
        raise ValueError(
            f"WIDGET_STORE: unknown Redis URL option {unknown[0]!r}"
            f" (known: {', '.join(sorted(URL_OPTIONS))})"
        )
    if parts.scheme != "rediss" and any(o.startswith("ssl_") for o in options):
        raise ValueError("WIDGET_STORE: ssl_* options need a rediss:// URL")
    for name in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
        for path in parse_qs(parts.query).get(name, []):
            if not os.path.isfile(path):
                raise ValueError(f"WIDGET_STORE: {name} file {path!r} not found")
    connect, read = REDIS_TIMEOUT
    defaults: dict[str, Any] = {
        "socket_connect_timeout": connect,
        "socket_timeout": read,
        "retry": Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        "decode_responses": True,
    }
    # The URL's own socket_* options win over the defaults.
    return {k: v for k, v in defaults.items() if k not in options}


class RedisStore(SnapshotStore):
    name = "redis"

    #: After a timeout, calls fail at once for this many seconds instead of
    #: each waiting for its own timeout (a Redis host that vanished from the
    #: network answers nothing): widgets are served from memory meanwhile.
    pause_after_timeout = 5.0

    def __init__(self, client: redis.Redis, *, prefix: str = "widget:") -> None:
        self.client = client
        self.prefix = prefix
        self._paused_until = 0.0
        self._pause_reason = ""
        self._add_topic = client.register_script(ADD_TOPIC)
        self._set_fields = client.register_script(SET_FIELDS)
        self._update_topic = client.register_script(UPDATE_TOPIC)
        self._remove_topic = client.register_script(REMOVE_TOPIC)
        self._save_snapshot = client.register_script(SAVE_SNAPSHOT)
        self._versions = VersionWatch(client, self._key("seq"))
        self._acquire = client.register_script(ACQUIRE_LEASE)
        self._release = client.register_script(RELEASE_LEASE)
        self._take_budget = client.register_script(TAKE_BUDGET)
        self._reserve_slot = client.register_script(RESERVE_SLOT)
        self._claim_departure = client.register_script(CLAIM_DEPARTURE)
        self._claim = client.register_script(CLAIM)
        self._add_counts = client.register_script(ADD_COUNTS)

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        """:raises ValueError: for a malformed URL or option."""
        return cls(redis.Redis.from_url(url, **client_options(url)))

    # -- keys and errors ----------------------------------------------------
    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if time.monotonic() < self._paused_until:
            raise StoreError(self._pause_reason)
        try:
            yield
        except redis.TimeoutError as exc:
            self._pause_reason = f"Redis store: {exc} (not retried for a few seconds)"
            self._paused_until = time.monotonic() + self.pause_after_timeout
            raise StoreError(f"Redis store: {exc}") from exc
        except redis.RedisError as exc:
            raise StoreError(f"Redis store: {exc}") from exc

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """A write that hands out a version: this process forgets its
        remembered versions at once, not only when the message arrives."""
        try:
            with self._guard():
                yield
        finally:
            self._versions.forget()

    # -- topics -------------------------------------------------------------
    def add_topic(self, topic: Topic) -> None:
        with self._changing():
            added = self._add_topic(
                keys=[
                    self._key("topic", topic.slug),
                    self._key("seq"),
                    self._key("topics"),
                ],
                args=[topic.slug, json.dumps(topic_to_dict(topic)), topic.title],
            )
        if not added:
            raise TopicExists(topic.slug)

    def _set(self, slug: str, fields: dict[str, str]) -> int | None:
        """Set fields of a topic; its new version, None if there is none."""
        args = [item for pair in fields.items() for item in pair]
        with self._changing():
            version = self._set_fields(
                keys=[self._key("topic", slug), self._key("seq")], args=args
            )
        return int(version) or None

    def update_topic(self, topic: Topic, *, if_version: int | None = None) -> int:
        with self._changing():
            version = int(
                self._update_topic(
                    keys=[self._key("topic", topic.slug), self._key("seq")],
                    args=[
                        json.dumps(topic_to_dict(topic)),
                        topic.title,
                        "" if if_version is None else str(if_version),
                    ],
                )
            )
        if version == -1:
            raise TopicNotFound(topic.slug)
        if version == -2:
            raise VersionConflict(topic.slug)
        return version

    def remove_topic(self, slug: str) -> None:
        with self._changing():
            removed = self._remove_topic(
                keys=[
                    self._key("topic", slug),
                    self._key("history", slug),
                    self._key("topics"),
                    self._key("seq"),
                ],
                args=[slug],
            )
        if not removed:
            raise TopicNotFound(slug)

    @staticmethod
    def _state(values: list[Any]) -> TopicState | None:
        # decode_responses=True: every value is a str or None.
        data, version, snapshot, error, last_attempt = values
        if data is None or version is None:
            return None  # removed between listing and reading
        return state_from_stored(data, version, snapshot, error, last_attempt)

    def get_state(self, slug: str, store: str | None = None) -> TopicState | None:
        fields = _STATE_FIELDS[:2] + tuple(
            f + _suffix(store) for f in _STATE_FIELDS[2:]
        )
        with self._guard():
            values = self.client.hmget(self._key("topic", slug), fields)
        return self._state(values)

    def list_states(self) -> list[TopicState]:
        return list(self.iter_states())

    def iter_states(self) -> Iterator[TopicState]:
        with self._guard():
            slugs = sorted(map(str, self.client.smembers(self._key("topics"))))
            pipe = self.client.pipeline(transaction=True)
            for slug in slugs:
                pipe.hmget(self._key("topic", slug), _STATE_FIELDS)
            rows = pipe.execute() if slugs else []
        # Removed between listing and reading: left out.
        rows = [row for row in rows if row[0] is not None and row[1] is not None]
        # Same order as SQLite's ORDER BY title COLLATE NOCASE (ASCII folding),
        # from the topic's settings alone: lists are parsed only when reached.
        rows.sort(key=lambda row: _nocase(json.loads(row[0])["title"]))
        return (state for state in map(self._state, rows) if state is not None)

    def version(self, slug: str) -> int | None:
        # From memory while the change subscription is alive (redis_watch.py).
        return self._versions.version(slug, self._read_version)

    def _read_version(self, slug: str) -> int | None:
        with self._guard():
            value = self.client.hget(self._key("topic", slug), "version")
        return None if value is None else int(value)

    # -- snapshots ----------------------------------------------------------
    def save_snapshot(self, snapshot: TopList, store: str | None = None) -> int | None:
        with self._changing():
            version = self._save_snapshot(
                keys=[self._key("topic", snapshot.slug), self._key("seq")],
                args=[
                    json.dumps(toplist_to_dict(snapshot)),
                    iso(snapshot.updated_at),
                    _suffix(store),
                ],
            )
        return int(version) or None

    def record_error(
        self, slug: str, error: RefreshError, store: str | None = None
    ) -> int | None:
        suffix = _suffix(store)
        return self._set(
            slug,
            {
                "error" + suffix: json.dumps(error_to_dict(error)),
                "last_attempt" + suffix: iso(error.at),
            },
        )

    # -- history ------------------------------------------------------------
    def add_history(self, entry: HistoryEntry, keep: int = 50) -> None:
        key = self._key("history", entry.slug)
        with self._guard():
            pipe = self.client.pipeline(transaction=True)
            pipe.lpush(key, json.dumps(history_to_dict(entry)))
            if keep > 0:
                pipe.ltrim(key, 0, keep - 1)
            else:
                pipe.delete(key)
            pipe.execute()

    def history(self, slug: str, limit: int = 20) -> list[HistoryEntry]:
        if limit <= 0:
            return []
        with self._guard():
            rows = self.client.lrange(self._key("history", slug), 0, limit - 1)
        return [history_from_dict(json.loads(row)) for row in rows]

    # -- coordination -------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        with self._guard():
            taken = self._acquire(
                keys=[self._key("lease", name)],
                args=[holder, max(1, int(ttl * 1000))],
            )
        return bool(taken)

    def release_lease(self, name: str, holder: str) -> None:
        with self._guard():
            self._release(keys=[self._key("lease", name)], args=[holder])

    def revoke(self, key: str, ttl: float) -> None:
        with self._guard():
            self.client.set(self._key("revoked", key), "1", px=max(1, int(ttl * 1000)))

    def is_revoked(self, key: str) -> bool:
        with self._guard():
            return bool(self.client.exists(self._key("revoked", key)))

    def _budget_key(self, bucket: str, window: int, now: float) -> str:
        return self._key("budget", bucket, str(int(now // window) * window))

    def take_budget(self, bucket: str, limit: int, window: int, now: float) -> bool:
        with self._guard():
            taken = self._take_budget(
                keys=[self._budget_key(bucket, window, now)],
                # Kept past its window's end so budget_used still sees it;
                # then Redis drops it, as SQLite deletes old windows.
                args=[limit, 2 * window + 60],
            )
        return bool(taken)

    def budget_used(self, bucket: str, window: int, now: float) -> int:
        with self._guard():
            value = self.client.get(self._budget_key(bucket, window, now))
        return int(value) if value else 0

    def reserve_slot(
        self, bucket: str, spacing: float, max_wait: float, clock: Clock
    ) -> float | None:
        with self._guard():
            wait = self._reserve_slot(
                keys=[self._key("slot", bucket)], args=[spacing, max_wait]
            )
        return None if wait is None else float(wait)

    def claim_departure(self, bucket: str, spacing: float, clock: Clock) -> float:
        with self._guard():
            left = self._claim_departure(
                keys=[self._key("slot", bucket)], args=[spacing]
            )
        return float(left)

    # -- metrics --------------------------------------------------------------
    def put_job(self, job_id: str, record: str, ttl: float) -> None:
        with self._guard():
            self.client.set(self._key("job", job_id), record, px=int(ttl * 1000))

    def get_job(self, job_id: str) -> str | None:
        with self._guard():
            record = self.client.get(self._key("job", job_id))
        return None if record is None else str(record)

    def add_counters(self, deltas: dict[str, int]) -> None:
        with self._guard():
            pipe = self.client.pipeline(transaction=True)
            for name, delta in deltas.items():
                pipe.hincrby(self._key("counters"), name, delta)
            pipe.execute()

    def counters(self) -> dict[str, int]:
        with self._guard():
            values = self.client.hgetall(self._key("counters"))
        return {str(name): int(value) for name, value in values.items()}

    # -- analytics ------------------------------------------------------------
    def claim(self, key: str, value: str, ttl: float) -> str:
        with self._guard():
            held = self._claim(
                keys=[self._key("claim", key)], args=[value, max(1, int(ttl * 1000))]
            )
        return str(held)

    def add_daily_counts(
        self, slug: str, day: str, deltas: dict[str, int], keep_days: int
    ) -> None:
        key = self._key("counts", slug, day)
        # Expires when the day falls out of the retention, as SQLite deletes it.
        ends = date.fromisoformat(day) + timedelta(days=keep_days + 1)
        expire_at = int(datetime.combine(ends, datetime.min.time(), UTC).timestamp())
        args: list[str | int] = [expire_at]
        for name, delta in deltas.items():
            args += [name, delta]
        with self._guard():
            self._add_counts(keys=[key], args=args)

    def daily_counts(self, slug: str, days: list[str]) -> dict[str, dict[str, int]]:
        with self._guard():
            pipe = self.client.pipeline(transaction=False)
            for day in days:
                pipe.hgetall(self._key("counts", slug, day))
            found = pipe.execute()
        return {
            day: {str(name): int(value) for name, value in values.items()}
            for day, values in zip(days, found, strict=True)
            if values
        }

    # -- housekeeping -------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._guard():
            value = self.client.hget(self._key("meta"), key)
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        with self._guard():
            self.client.hset(self._key("meta"), key, value)

    def close(self) -> None:
        self._versions.close()
        self.client.close()


def _nocase(text: str) -> str:
    """SQLite's NOCASE: fold ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
