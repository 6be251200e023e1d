"""The list service: rendered widgets from memory, snapshots from the store,
fresh lists from the catalog, in that order.

A widget request costs one cheap ``store.version`` read and a dictionary
lookup: the cache holds finished bytes keyed by (topic, version, variant,
freshness), so a new snapshot, an edit or a clock crossing the one-hour or
24-hour line changes the key instead of needing an expiry. The catalog is
called only when a topic has never had a list (once, whatever the number
of waiting requests: a lock per topic in the process, a lease in the store
across processes) and by explicit or scheduled refreshes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from cachetools import LRUCache
from werkzeug.http import http_date

from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.freshness import freshness
from widget.freshness import is_due
from widget.freshness import utc_now
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import TopicState
from widget.models import TopList
from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicNotFound

log = logging.getLogger(__name__)

#: After a failed first fetch, visitors do not trigger another for this long.
FIRST_FETCH_RETRY_AFTER = timedelta(seconds=60)


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


@dataclass(frozen=True)
class RefreshOutcome:
    slug: str
    ok: bool
    state: TopicState
    error: RefreshError | None = None
    busy: bool = False
    skipped: bool = False  # no longer due once the lease was ours


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
        fetch_wait: float = 60.0,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self._render = render
        self.now = now
        self._bodies: LRUCache[tuple[object, ...], RenderedWidget] = LRUCache(
            cache_size
        )
        self._memo: LRUCache[tuple[object, ...], bytes] = LRUCache(cache_size)
        self._states: LRUCache[tuple[str, int], TopicState] = LRUCache(cache_size)
        self._last_version: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._lease_ttl = lease_ttl
        self._fetch_wait = fetch_wait
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
    def state(self, slug: str) -> TopicState:
        """The topic's current state, fetching its first list if it has none.

        :raises TopicNotFound:
        """
        version = self._version(slug)
        state = self._states.get((slug, version))
        if state is None:
            state = self.store.get_state(slug)
            if state is None:
                raise TopicNotFound(slug)
            self._remember(state)
        if state.snapshot is None:
            state = self._first_fetch(slug)
            self._remember(state)
        return state

    def _remember(self, state: TopicState) -> None:
        slug = state.topic.slug
        self._states[(slug, state.version)] = state
        # Exactly what this worker serves if the store goes away next.
        self._last_version[slug] = state.version

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
            self._bodies[key] = rendered
        return rendered

    def memo(self, key: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
        """Bytes built once per key; keys must include the topic's version."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
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

    # -- fetching -----------------------------------------------------------
    def _lock(self, slug: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(slug, threading.Lock())

    def _first_fetch(self, slug: str) -> TopicState:
        """Fetch a topic's first list once, however many requests want it."""
        with self._lock(slug):
            deadline = time.monotonic() + self._fetch_wait
            while True:
                state = self._load(slug)
                if state.snapshot is not None or self._recently_failed(state):
                    return state
                if self.store.acquire_lease(_lease(slug), self.holder, self._lease_ttl):
                    try:
                        state = self._load(slug)
                        if state.snapshot is not None:
                            return state
                        return self._fetch(state, trigger="first visit").state
                    finally:
                        self.store.release_lease(_lease(slug), self.holder)
                if time.monotonic() > deadline:
                    return state
                time.sleep(0.05)

    def _recently_failed(self, state: TopicState) -> bool:
        return (
            state.error is not None
            and state.last_attempt is not None
            and self.now() - state.last_attempt < FIRST_FETCH_RETRY_AFTER
        )

    def _load(self, slug: str) -> TopicState:
        state = self.store.get_state(slug)
        if state is None:
            raise TopicNotFound(slug)
        return state

    def refresh(
        self, slug: str, *, trigger: str = "admin", only_if_due: bool = False
    ) -> RefreshOutcome:
        """Fetch a new list now; on failure the last good list stays.

        Only one worker refreshes a topic at a time: a caller that finds the
        lease taken gets ``busy=True`` and the state as it is. With
        ``only_if_due``, the topic is checked again once the lease is held, so
        a worker that saw it due a moment before another refreshed it does
        not call the catalog a second time (``skipped=True``).

        :raises TopicNotFound:
        """
        state = self._load(slug)
        if not self.store.acquire_lease(_lease(slug), self.holder, self._lease_ttl):
            return RefreshOutcome(slug, ok=False, state=state, busy=True)
        try:
            state = self._load(slug)
            if only_if_due and not is_due(state, self.now()):
                return RefreshOutcome(slug, ok=True, state=state, skipped=True)
            return self._fetch(state, trigger=trigger)
        finally:
            self.store.release_lease(_lease(slug), self.holder)

    def refresh_due(self, *, trigger: str = "schedule") -> list[RefreshOutcome]:
        """Refresh every topic whose interval is due; topics another worker
        is refreshing or has just refreshed are left out."""
        now = self.now()
        outcomes = []
        for state in self.store.list_states():
            if not is_due(state, now):
                continue
            try:
                outcome = self.refresh(
                    state.topic.slug, trigger=trigger, only_if_due=True
                )
            except TopicNotFound:
                continue  # removed while we were busy
            if not outcome.busy and not outcome.skipped:
                outcomes.append(outcome)
        return outcomes

    def _fetch(self, state: TopicState, *, trigger: str) -> RefreshOutcome:
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
        snapshot = TopList(topic.slug, tuple(products), self.now(), self.catalog.name)
        self.store.save_snapshot(snapshot)
        self.store.add_history(
            HistoryEntry(
                slug=topic.slug,
                at=snapshot.updated_at,
                trigger=trigger,
                ok=True,
                message=f"{len(products)} items",
                items_changed=_items_changed(state.snapshot, snapshot),
            )
        )
        log.info("refreshed %s: %d items (%s)", topic.slug, len(products), trigger)
        return RefreshOutcome(topic.slug, ok=True, state=self._load(topic.slug))

    def _failed(
        self, state: TopicState, trigger: str, message: str, kind: str
    ) -> RefreshOutcome:
        self._count(f"upstream_error:{kind}")
        error = RefreshError(message, kind, self.now())
        slug = state.topic.slug
        self.store.record_error(slug, error)
        self.store.add_history(
            HistoryEntry(
                slug=slug, at=error.at, trigger=trigger, ok=False, message=message
            )
        )
        log.warning("refresh of %s failed (%s): %s", slug, kind, message)
        return RefreshOutcome(slug, ok=False, state=self._load(slug), error=error)


def _lease(slug: str) -> str:
    return f"refresh:{slug}"


def _items_changed(old: TopList | None, new: TopList) -> int:
    """How many positions of the ranking now hold a different product."""
    before = [p.asin for p in old.products] if old else []
    after = [p.asin for p in new.products]
    length = max(len(before), len(after))
    before += [""] * (length - len(before))
    after += [""] * (length - len(after))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)
