"""The snapshot-store seam: topics, their last good lists, and coordination.

One store is shared by every worker (and, with Redis, every host), so it is
also where workers agree: ``version`` tells a worker its cache is out of
date, leases let exactly one of them refresh a topic, and budget counters
keep upstream calls within the account's rate.

Every implementation passes ``tests/test_store_contract.py``.
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod

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


class SnapshotStore(ABC):
    #: short name shown in /healthz
    name: str = "store"

    # -- topics -------------------------------------------------------------
    @abstractmethod
    def add_topic(self, topic: Topic) -> None:
        """:raises TopicExists: if the slug is taken."""

    @abstractmethod
    def update_topic(self, topic: Topic) -> None:
        """Replace a topic's settings, keeping its snapshot.

        :raises TopicNotFound:
        """

    @abstractmethod
    def remove_topic(self, slug: str) -> None:
        """Remove a topic with its snapshot and history.

        :raises TopicNotFound:
        """

    @abstractmethod
    def get_state(self, slug: str) -> TopicState | None: ...

    @abstractmethod
    def list_states(self) -> list[TopicState]:
        """Every topic, ordered by title."""

    @abstractmethod
    def version(self, slug: str) -> int | None:
        """A number that changes whenever the topic, its list or its error
        changes, and is never reused; None if there is no such topic.

        Called on every widget request, so it must be cheap.
        """

    # -- snapshots ----------------------------------------------------------
    @abstractmethod
    def save_snapshot(self, snapshot: TopList) -> int | None:
        """Store a good list and clear the topic's error, atomically; returns
        the topic's new version.

        Returns None (and changes nothing) when the topic is gone or holds a
        newer snapshot already: a list is only ever replaced by a newer one.
        """

    @abstractmethod
    def record_error(self, slug: str, error: RefreshError) -> int | None:
        """Note a failed refresh beside the last good list, which stays;
        returns the topic's new version (None when the topic is gone)."""

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
    def take_budget(self, bucket: str, limit: int, window: int, now: float) -> bool:
        """Count one use in the current ``window``-second window of
        ``bucket``; False (and no count) when ``limit`` is reached."""

    @abstractmethod
    def budget_used(self, bucket: str, window: int, now: float) -> int: ...

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

    # -- housekeeping -------------------------------------------------------
    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
