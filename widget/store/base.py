"""The snapshot-store seam: topics, their last good lists, and coordination.

One store is shared by every worker (and, with Redis, every host), so it is
also where workers agree: ``version`` tells a worker its cache is out of
date, leases let exactly one of them refresh a topic, and budget counters
keep upstream calls within the account's rate.

Every implementation passes ``tests/test_store_contract.py``.
"""

from __future__ import annotations

import random
import time
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from datetime import timedelta

from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList


class StoreError(Exception):
    """The store could not be reached or answered nonsense."""


class TopicExists(StoreError):
    pass


class TopicNotFound(StoreError):
    pass


class VersionConflict(StoreError):
    """The topic changed after the version the caller based its change on."""


#: Where stores local to one host read the time (seconds since the epoch).
Clock = Callable[[], float]


def days_before(day: str, days: int) -> str:
    """The ``YYYY-MM-DD`` day ``days`` days before ``day``."""
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


#: Compare-and-set attempts of ``change_topic`` before it gives up: enough
#: for dozens of writers changing one topic at the same moment.
CHANGE_ATTEMPTS = 50


class SnapshotStore(ABC):
    #: short name shown in /healthz
    name: str = "store"

    # -- topics -------------------------------------------------------------
    @abstractmethod
    def add_topic(self, topic: Topic) -> None:
        """:raises TopicExists: if the slug is taken."""

    @abstractmethod
    def update_topic(self, topic: Topic, *, if_version: int | None = None) -> int:
        """Replace a topic's settings, keeping its snapshot; returns the new
        version. With ``if_version``, only while the topic still has that
        version (compare-and-set, atomic in the store).

        :raises TopicNotFound:
        :raises VersionConflict: if the version moved on.
        """

    def change_topic(
        self,
        slug: str,
        change: Callable[[TopicState], Topic],
        *,
        if_version: int | None = None,
    ) -> int:
        """Apply ``change`` to the topic's current state without losing a
        concurrent change: read, change, compare-and-set on the version, and
        on a lost race read again and retry. With ``if_version`` the caller
        insists on that version and gets ``VersionConflict`` instead of a
        retry. Returns the new version; exceptions from ``change`` (such as
        invalid input) pass through unchanged.

        :raises TopicNotFound:
        :raises VersionConflict:
        """
        for attempt in range(CHANGE_ATTEMPTS):
            state = self.get_state(slug)
            if state is None:
                raise TopicNotFound(slug)
            if if_version is not None and state.version != if_version:
                raise VersionConflict(slug)
            try:
                return self.update_topic(change(state), if_version=state.version)
            except VersionConflict:
                if if_version is not None:
                    raise
            # Spread the retries of writers that collided.
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise VersionConflict(slug)

    @abstractmethod
    def remove_topic(self, slug: str) -> None:
        """Remove a topic with its snapshot and history.

        :raises TopicNotFound:
        """

    @abstractmethod
    def get_state(self, slug: str, store: str | None = None) -> TopicState | None:
        """The topic with its last good list, error and last attempt; with
        ``store`` (a store key other than the default store's), that store's
        list, error and last attempt instead, each kept apart from the
        default store's and every other store's."""

    @abstractmethod
    def list_states(self) -> list[TopicState]:
        """Every topic, ordered by title."""

    def iter_states(self) -> Iterator[TopicState]:
        """``list_states``, each parsed only when reached: for passes over
        every topic that keep little of each (the scheduler's), so that a
        worker never holds a thousand parsed lists at once."""
        return iter(self.list_states())

    @abstractmethod
    def version(self, slug: str) -> int | None:
        """A number that changes whenever the topic, its list or its error
        changes, and is never reused; None if there is no such topic.

        Called on every widget request, so it must be cheap.
        """

    # -- snapshots ----------------------------------------------------------
    @abstractmethod
    def save_snapshot(self, snapshot: TopList, store: str | None = None) -> int | None:
        """Store a good list (for ``store``, see ``get_state``) and clear its
        error, atomically; returns the topic's new version.

        Returns None (and changes nothing) when the topic is gone or holds a
        newer snapshot already: a list is only ever replaced by a newer one.
        """

    @abstractmethod
    def record_error(
        self, slug: str, error: RefreshError, store: str | None = None
    ) -> int | None:
        """Note a failed refresh beside the last good list (of ``store``),
        which stays; returns the topic's new version (None when the topic is
        gone)."""

    # -- history ------------------------------------------------------------
    @abstractmethod
    def add_history(self, entry: HistoryEntry, keep: int = 50) -> None:
        """Append a refresh record, keeping the newest ``keep`` per topic."""

    @abstractmethod
    def history(self, slug: str, limit: int = 20) -> list[HistoryEntry]:
        """Newest first."""

    # -- coordination -------------------------------------------------------
    @abstractmethod
    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Take the named lease for ``ttl`` seconds unless someone else holds
        an unexpired one. Taking a lease one already holds extends it."""

    @abstractmethod
    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease back; a no-op unless ``holder`` holds it."""

    @abstractmethod
    def revoke(self, key: str, ttl: float) -> None:
        """Mark ``key`` (e.g. a session id) revoked for ``ttl`` seconds;
        afterwards the store may forget it."""

    @abstractmethod
    def is_revoked(self, key: str) -> bool: ...

    @abstractmethod
    def take_budget(self, bucket: str, limit: int, window: int, now: float) -> bool:
        """Count one use in the current ``window``-second window of
        ``bucket``; False (and no count) when ``limit`` is reached."""

    @abstractmethod
    def budget_used(self, bucket: str, window: int, now: float) -> int: ...

    @abstractmethod
    def reserve_slot(
        self, bucket: str, spacing: float, max_wait: float, clock: Clock
    ) -> float | None:
        """Reserve the next start time of ``bucket``: at least ``spacing``
        seconds after the one reserved before (GCRA's "next allowed time"),
        atomically. Returns the seconds to wait until it, or None (and
        reserves nothing) when that is more than ``max_wait``.

        ``clock`` is read once the bucket is held; a store shared by several
        hosts reads its own clock instead, so hosts whose clocks differ
        still keep the spacing.
        """

    @abstractmethod
    def claim_departure(self, bucket: str, spacing: float, clock: Clock) -> float:
        """Record a departure now, unless the last one recorded in ``bucket``
        was less than ``spacing`` seconds ago: then record nothing and return
        the seconds still to wait (0 means recorded). Atomic; same clocks as
        ``reserve_slot``."""

    # -- jobs -----------------------------------------------------------------
    @abstractmethod
    def put_job(self, job_id: str, record: str, ttl: float) -> None:
        """Keep a background job's record (JSON) for ``ttl`` seconds, so any
        worker can report on it; writing it again replaces it."""

    @abstractmethod
    def get_job(self, job_id: str) -> str | None:
        """The job's record, or None when unknown or expired."""

    # -- metrics --------------------------------------------------------------
    @abstractmethod
    def add_counters(self, deltas: dict[str, int]) -> None:
        """Add to named counters, atomically (workers flush their counts here
        so /metrics is the same whichever worker answers)."""

    @abstractmethod
    def counters(self) -> dict[str, int]: ...

    # -- analytics ------------------------------------------------------------
    @abstractmethod
    def claim(self, key: str, value: str, ttl: float) -> str:
        """Keep ``value`` under ``key`` for ``ttl`` seconds unless an unexpired
        value is there already; returns the value kept. Atomic, so every
        worker and host claiming a key at once gets the same answer (the
        day's salt; "first click of this visitor today")."""

    @abstractmethod
    def add_daily_counts(
        self, slug: str, day: str, deltas: dict[str, int], keep_days: int
    ) -> None:
        """Add to a topic's named counts of ``day`` (``YYYY-MM-DD``),
        atomically; counts more than ``keep_days`` days old are deleted."""

    @abstractmethod
    def daily_counts(self, slug: str, days: list[str]) -> dict[str, dict[str, int]]:
        """Each of ``days`` that has counts: day -> name -> count."""

    # -- housekeeping -------------------------------------------------------
    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
