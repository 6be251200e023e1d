"""The list service: rendered widgets from memory, snapshots from the store,
fresh lists from the catalog, in that order.

A widget request costs one cheap ``store.version`` read and a dictionary
lookup: the cache holds finished bytes keyed by (topic, version, variant,
freshness), so a new snapshot, an edit or a clock crossing the one-hour or
24-hour line changes the key instead of needing an expiry. The catalog is
called only when a topic has no list it may serve (once, whatever the
number of waiting requests: one background thread per topic in the process,
a lease in the store across processes) and by explicit or scheduled
refreshes. No request waits on the catalog longer than its own budget.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from datetime import timedelta

from werkzeug.http import http_date

from widget.background import Background
from widget.cache import LockedLRU
from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.config import REFRESH_ALL_WITHIN
from widget.freshness import freshness
from widget.freshness import is_due
from widget.freshness import utc_now
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import TopicState
from widget.models import TopList
from widget.sources import current_snapshot
from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicNotFound

log = logging.getLogger(__name__)

#: After a failed first fetch, visitors do not trigger another for this long.
FIRST_FETCH_RETRY_AFTER = timedelta(seconds=60)
#: How often a first fetch looks whether another worker's fetch has landed.
FIRST_FETCH_POLL = 0.05


@dataclass(frozen=True)
class Variant:
    """Everything besides the snapshot that changes a widget's bytes."""

    kind: str = "document"  # "document" (iframe) or "fragment"
    count: int = 10
    layout: str = "list"
    theme: str = "light"
    lang: str = "en"
    base_url: str = ""


@dataclass(frozen=True)
class RenderedWidget:
    body: bytes
    etag: str
    last_modified: datetime | None
    has_list: bool
    #: Last-Modified in HTTP form, formatted once rather than per request
    http_last_modified: str | None = None


class Outcome(enum.Enum):
    REFRESHED = "refreshed"  # a new list, with changes
    UNCHANGED = "unchanged"  # a new list, the same ranking (its date moved on)
    FAILED = "failed"  # the catalog failed; the last good list stays
    BUSY = "busy"  # another worker holds the topic's lease right now
    SKIPPED = "skipped"  # not due (or no longer missing) once the lease was ours

    @property
    def ok(self) -> bool:
        """Whether the topic now has a list fetched by this refresh."""
        return self in (Outcome.REFRESHED, Outcome.UNCHANGED)


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did, and the topic's state after it."""

    slug: str
    outcome: Outcome
    state: TopicState
    items_changed: int = 0
    error: RefreshError | None = None


@dataclass(frozen=True)
class RefreshAll:
    results: tuple[RefreshResult, ...]
    #: topics not reached before the time limit, for the next run
    left: tuple[str, ...] = ()


Renderer = Callable[[TopicState, Variant, datetime, str], bytes]


class ListService:
    def __init__(
        self,
        store: SnapshotStore,
        catalog: Catalog,
        render: Renderer,
        *,
        now: Callable[[], datetime] = utc_now,
        cache_size: int = 2048,
        lease_ttl: float = 120.0,
        first_visit_wait: float = 5.0,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.source = catalog.source
        self._render = render
        self.now = now
        self._bodies: LockedLRU[tuple[object, ...], RenderedWidget] = LockedLRU(
            cache_size
        )
        self._memo: LockedLRU[tuple[object, ...], bytes] = LockedLRU(cache_size)
        self._states: LockedLRU[tuple[str, int], TopicState] = LockedLRU(cache_size)
        self._last_version: dict[str, int] = {}
        self.lease_ttl = lease_ttl
        self._first_visit_wait = first_visit_wait
        self.background = Background()
        self._instance = uuid.uuid4().hex[:8]
        #: what happened since start: cache hits and misses, upstream calls...
        self.stats: Counter[str] = Counter()
        self._drained: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    def _count(self, name: str) -> None:
        with self._stats_lock:
            self.stats[name] += 1

    def drain_stats(self) -> Counter[str]:
        """What was counted since the last drain (for the metrics flusher)."""
        with self._stats_lock:
            delta = self.stats - self._drained
            self._drained = self.stats.copy()
        return delta

    @property
    def holder(self) -> str:
        """Who holds leases: read at each use, because ``gunicorn --preload``
        builds this service once and forks it into every worker."""
        return f"{os.uname().nodename}:{os.getpid()}:{self._instance}"

    # -- reading ------------------------------------------------------------
    def serving(self, state: TopicState) -> TopicState:
        """The state as it may be served: a list from another source is not."""
        snapshot = current_snapshot(state.snapshot, self.source)
        return (
            state if snapshot is state.snapshot else replace(state, snapshot=snapshot)
        )

    def states(self) -> list[TopicState]:
        """Every topic as it may be served, ordered by title."""
        return [self.serving(state) for state in self.store.list_states()]

    def state(self, slug: str) -> TopicState:
        """The topic's current state; for a topic without a list, after
        waiting up to ``first_visit_wait`` seconds for its first one.

        :raises TopicNotFound:
        """
        version = self._version(slug)
        state = self._states.get((slug, version))
        if state is None:
            state = self._remember(self._load(slug))
        if state.snapshot is None:
            state = self._remember(self._first_fetch(state))
        return state

    def _remember(self, state: TopicState) -> TopicState:
        slug = state.topic.slug
        self._states.put((slug, state.version), state)
        # Exactly what this worker serves if the store goes away next.
        self._last_version[slug] = state.version
        return state

    def widget(self, slug: str, variant: Variant) -> RenderedWidget:
        """Rendered bytes for a topic, from memory when nothing changed.

        :raises TopicNotFound:
        """
        state = self.state(slug)
        now = self.now()
        fresh = freshness(state.snapshot, now)
        key = (slug, state.version, fresh, variant)
        cached = self._bodies.get(key)
        if cached is not None:
            self._count("cache_hit")
            return cached
        self._count("cache_miss")
        body = self._render(state, variant, now, fresh)
        rendered = RenderedWidget(
            body=body,
            etag='"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
            last_modified=state.snapshot.updated_at if state.snapshot else None,
            has_list=state.snapshot is not None,
            http_last_modified=(
                http_date(state.snapshot.updated_at) if state.snapshot else None
            ),
        )
        if state.snapshot is not None:
            self._bodies.put(key, rendered)
        return rendered

    def memo(self, key: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
        """Bytes built once per key; keys must include the topic's version."""
        found = self._memo.get(key)
        if found is None:
            found = build()
            self._memo.put(key, found)
        return found

    def _version(self, slug: str) -> int:
        try:
            version = self.store.version(slug)
        except StoreError:
            # Store down: keep serving what this worker already has.
            if slug in self._last_version:
                self._count("store_fallback")
                return self._last_version[slug]
            raise
        if version is None:
            self._last_version.pop(slug, None)
            raise TopicNotFound(slug)
        self._last_version[slug] = version
        return version

    def _load(self, slug: str) -> TopicState:
        state = self.store.get_state(slug)
        if state is None:
            raise TopicNotFound(slug)
        return self.serving(state)

    # -- first lists --------------------------------------------------------
    def _first_fetch(self, state: TopicState) -> TopicState:
        """Have the topic's first list fetched in the background, and wait
        for it at most ``first_visit_wait`` seconds."""
        if self._recently_failed(state):
            return state
        slug = state.topic.slug
        future = self.background.submit(
            f"first-fetch:{slug}", lambda: self._fetch_first(slug)
        )
        try:
            return future.result(timeout=self._first_visit_wait)
        except TimeoutError:
            self._count("first_visit_timeout")
            return state

    def _fetch_first(self, slug: str) -> TopicState:
        """Fetch a first list under the topic's lease or, while another
        worker holds it, wait as long as a visitor would for its list."""
        deadline = time.monotonic() + self._first_visit_wait
        while True:
            result = self._refresh(slug, "first visit", self._lacks_list)
            state = result.state
            if result.outcome is not Outcome.BUSY or not self._lacks_list(state):
                return state
            if time.monotonic() > deadline:
                return state
            time.sleep(FIRST_FETCH_POLL)

    def _lacks_list(self, state: TopicState) -> bool:
        return state.snapshot is None and not self._recently_failed(state)

    def _recently_failed(self, state: TopicState) -> bool:
        return (
            state.error is not None
            and state.last_attempt is not None
            and self.now() - state.last_attempt < FIRST_FETCH_RETRY_AFTER
        )

    def _is_due(self, state: TopicState) -> bool:
        return is_due(state, self.now())

    # -- refreshing ---------------------------------------------------------
    def refresh(
        self, slug: str, *, trigger: str = "admin", only_if_due: bool = False
    ) -> RefreshResult:
        """Fetch a new list now; on failure the last good list stays.

        Only one worker refreshes a topic at a time: a caller that finds the
        lease taken gets ``BUSY`` and the state as it is. With
        ``only_if_due``, the topic is checked once the lease is held, so a
        worker that saw it due a moment before another refreshed it does not
        call the catalog a second time (``SKIPPED``).

        :raises TopicNotFound:
        """
        return self._refresh(slug, trigger, self._is_due if only_if_due else None)

    def _refresh(
        self,
        slug: str,
        trigger: str,
        wanted: Callable[[TopicState], bool] | None,
    ) -> RefreshResult:
        lease, holder = f"refresh:{slug}", self.holder
        if not self.store.acquire_lease(lease, holder, self.lease_ttl):
            return RefreshResult(slug, Outcome.BUSY, self._load(slug))
        try:
            state = self._load(slug)  # the one read: under the lease
            if wanted is not None and not wanted(state):
                return RefreshResult(slug, Outcome.SKIPPED, state)
            return self._fetch(state, trigger)
        finally:
            self.store.release_lease(lease, holder)

    def refresh_all(
        self,
        *,
        trigger: str,
        due_only: bool = False,
        within: float | None = None,
        progress: Callable[[RefreshResult], None] | None = None,
    ) -> RefreshAll:
        """Refresh every topic (or, with ``due_only``, every due one), oldest
        list first, starting no new topic after ``within`` seconds (default
        ``REFRESH_ALL_WITHIN``); ``progress`` hears of each result."""
        limit = REFRESH_ALL_WITHIN if within is None else within
        deadline = time.monotonic() + limit
        states = self.states()
        if due_only:
            states = [s for s in states if self._is_due(s)]
        states.sort(
            key=lambda s: s.snapshot.updated_at.timestamp() if s.snapshot else 0
        )
        results: list[RefreshResult] = []
        for number, state in enumerate(states):
            if results and time.monotonic() > deadline:
                return RefreshAll(tuple(results), tuple(_slugs(states[number:])))
            try:
                result = self.refresh(
                    state.topic.slug, trigger=trigger, only_if_due=due_only
                )
            except TopicNotFound:
                continue  # removed meanwhile
            results.append(result)
            if progress is not None:
                progress(result)
        return RefreshAll(tuple(results))

    def _fetch(self, state: TopicState, trigger: str) -> RefreshResult:
        topic = state.topic
        self._count("upstream_call")
        try:
            products = self.catalog.top_products(topic, topic.item_count)
        except CatalogError as exc:
            return self._failed(state, trigger, exc.message, exc.kind)
        except Exception:  # a bug in an adapter must not blank a widget
            log.exception(
                "catalog %s crashed refreshing %s", self.catalog.name, topic.slug
            )
            return self._failed(
                state, trigger, "internal error in the catalog", "internal"
            )
        snapshot = TopList(topic.slug, tuple(products), self.now(), self.source)
        version = self.store.save_snapshot(snapshot)
        if version is None:  # removed, or a newer list landed meanwhile
            return RefreshResult(topic.slug, Outcome.SKIPPED, self._load(topic.slug))
        changed = _items_changed(state.snapshot, snapshot)
        self.store.add_history(
            HistoryEntry(
                slug=topic.slug,
                at=snapshot.updated_at,
                trigger=trigger,
                ok=True,
                message=f"{len(products)} items",
                items_changed=changed,
            )
        )
        log.info("refreshed %s: %d items (%s)", topic.slug, len(products), trigger)
        new = replace(
            state,
            version=version,
            snapshot=snapshot,
            error=None,
            last_attempt=snapshot.updated_at,
        )
        outcome = Outcome.REFRESHED if changed else Outcome.UNCHANGED
        return RefreshResult(topic.slug, outcome, self._remember(new), changed)

    def _failed(
        self, state: TopicState, trigger: str, message: str, kind: str
    ) -> RefreshResult:
        self._count(f"upstream_error:{kind}")
        error = RefreshError(message, kind, self.now())
        slug = state.topic.slug
        version = self.store.record_error(slug, error)
        if version is None:
            raise TopicNotFound(slug)
        self.store.add_history(
            HistoryEntry(
                slug=slug, at=error.at, trigger=trigger, ok=False, message=message
            )
        )
        log.warning("refresh of %s failed (%s): %s", slug, kind, message)
        new = replace(state, version=version, error=error, last_attempt=error.at)
        return RefreshResult(slug, Outcome.FAILED, self._remember(new), error=error)


def _slugs(states: list[TopicState]) -> list[str]:
    return [state.topic.slug for state in states]


def _items_changed(old: TopList | None, new: TopList) -> int:
    """How many positions of the ranking now hold a different product."""
    before = [p.asin for p in old.products] if old else []
    after = [p.asin for p in new.products]
    length = max(len(before), len(after))
    before += [""] * (length - len(before))
    after += [""] * (length - len(after))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)
