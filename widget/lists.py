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

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from werkzeug.http import http_date

from widget.background import Background
from widget.cache import LockedLRU
from widget.cache import PackedLRU
from widget.catalog.base import Catalog
from widget.catalog.manual import ManualCatalog
from widget.freshness import freshness
from widget.freshness import freshness_at
from widget.freshness import utc_now
from widget.models import TopicState
from widget.refresh import Outcome
from widget.refresh import Refresher
from widget.refresh import RefreshResult
from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicNotFound

#: After a failed first fetch, visitors do not trigger another for this long.
FIRST_FETCH_RETRY_AFTER = timedelta(seconds=60)
#: Parsed topic states kept (about 20 KB each): cached bodies need only the
#: list's time (``_stamps``), so a state is read again only to render.
STATES_KEPT = 128
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
    #: a store besides the default one (None: the default store)
    store: str | None = None


@dataclass(frozen=True)
class RenderedWidget:
    body: bytes
    etag: str
    last_modified: datetime | None
    has_list: bool
    #: Last-Modified in HTTP form, formatted once rather than per request
    http_last_modified: str | None = None


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
        manual: ManualCatalog | None = None,
        stores: Mapping[str, Catalog] | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self._render = render
        self.now = now
        self._bodies: PackedLRU[tuple[object, ...]] = PackedLRU(cache_size)
        self._memo: LockedLRU[tuple[object, ...], bytes] = LockedLRU(cache_size)
        self._states: LockedLRU[tuple[str, int, str | None], TopicState] = LockedLRU(
            min(cache_size, STATES_KEPT)
        )
        #: each topic's version and list time per asked-for store, for
        #: cached bodies' freshness
        self._stamps: dict[tuple[str, str | None], tuple[int, datetime]] = {}
        self._last_version: dict[str, int] = {}
        #: the version of each topic in ``_states``: older ones are dropped
        self._state_version: dict[tuple[str, str | None], int] = {}
        self._first_visit_wait = first_visit_wait
        self.background = Background()
        self.refresher = Refresher(
            store,
            catalog,
            now=now,
            lease_ttl=lease_ttl,
            count=self._count,
            manual=manual,
            stores=stores,
        )
        #: The one "refresh all" that the scheduler, the CLI, the admin pages
        #: and the API call: every topic (or every due one), oldest list
        #: first, within a time limit.
        self.refresh_all = self.refresher.refresh_all
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
    def lease_ttl(self) -> float:
        return self.refresher.lease_ttl

    @property
    def holder(self) -> str:
        return self.refresher.holder

    # -- reading ------------------------------------------------------------
    def serving(self, state: TopicState) -> TopicState:
        """The state as it may be served: a list from another source is not."""
        return self.refresher.serving(state)

    def states(self) -> list[TopicState]:
        """Every topic as it may be served, ordered by title."""
        return [self.serving(state) for state in self.store.list_states()]

    def state(self, slug: str, store: str | None = None) -> TopicState:
        """The topic's current state; for a topic without a list, after
        waiting up to ``first_visit_wait`` seconds for its first one. With
        ``store``, that store's list; while it has none, the default store's
        (never an empty box).

        :raises TopicNotFound:
        """
        if store not in self.refresher.stores:
            store = None
        version = self._version(slug)
        state = self._states.get((slug, version, store))
        if state is None:
            state = self._remember(self.refresher.load(slug, store), store)
        if not self.refresher.per_store(state, store):
            return self.state(slug)  # a store the topic has no lists in
        if state.snapshot is None:
            state = self._remember(self._first_fetch(state, store), store)
        if state.snapshot is None and store is not None:
            return self.state(slug)
        return state

    def _remember(self, state: TopicState, store: str | None = None) -> TopicState:
        slug = state.topic.slug
        self._states.put((slug, state.version, store), state)
        # A parsed list is the biggest thing a worker keeps per topic: keep
        # only the newest (a request that read an older version still renders).
        older = self._state_version.get((slug, store))
        self._state_version[slug, store] = state.version
        if older is not None and older != state.version:
            self._states.pop((slug, older, store))
        # Exactly what this worker serves if the store goes away next.
        self._last_version[slug] = state.version
        return state

    def widget(self, slug: str, variant: Variant) -> RenderedWidget:
        """Rendered bytes for a topic, from memory when nothing changed.

        :raises TopicNotFound:
        """
        cached = self.cached(slug, variant)
        if cached is not None:
            return cached
        state = self.state(slug, variant.store)
        now = self.now()
        fresh = freshness(state.snapshot, now)
        key = (slug, state.version, fresh, variant)
        self._count("cache_miss")
        rendered = self.render(state, variant, now, fresh)
        if state.snapshot is not None:
            self._bodies.put(key, rendered)
            self._stamps[slug, variant.store] = (
                state.version,
                state.snapshot.updated_at,
            )
        return rendered

    def render(
        self, state: TopicState, variant: Variant, now: datetime, fresh: str
    ) -> RenderedWidget:
        """A widget rendered now, cached nowhere (``widget`` caches it;
        widget.export writes it to a file)."""
        body = self._render(state, variant, now, fresh)
        return RenderedWidget(
            body=body,
            etag='"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
            last_modified=state.snapshot.updated_at if state.snapshot else None,
            has_list=state.snapshot is not None,
            http_last_modified=(
                http_date(state.snapshot.updated_at) if state.snapshot else None
            ),
        )

    def cached(self, slug: str, variant: Variant) -> RenderedWidget | None:
        """What ``widget`` would return, if that is already in memory; None
        otherwise (or for any trouble), never fetching or rendering: for
        widget.hotpath, which hands everything else to ``widget``."""
        try:
            version = self._version(slug)
        except StoreError:
            return None
        # The list's time is all a cached body needs of its state.
        stamp = self._stamps.get((slug, variant.store))
        if stamp is None or stamp[0] != version:
            return None
        fresh = freshness_at(stamp[1], self.now())
        found = self._bodies.get((slug, version, fresh, variant))
        if found is not None:
            self._count("cache_hit")
        return found

    def memo_cached(self, key: tuple[object, ...]) -> bytes | None:
        """``memo``'s bytes if built already."""
        return self._memo.get(key)

    def cached_state(self, slug: str) -> TopicState | None:
        """The topic's current state if in memory (with its list), else None;
        never reads more of the store than its version."""
        try:
            version = self._version(slug)
        except StoreError:
            return None
        state = self._states.get((slug, version, None))
        return state if state is not None and state.snapshot is not None else None

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

    # -- first lists --------------------------------------------------------
    def _first_fetch(self, state: TopicState, store: str | None = None) -> TopicState:
        """Have the topic's first list (for ``store``) fetched in the
        background, and wait for it at most ``first_visit_wait`` seconds."""
        if self._recently_failed(state):
            return state
        slug = state.topic.slug
        name = f"first-fetch:{slug}" + ("" if store is None else f"@{store}")
        future = self.background.submit(name, lambda: self._fetch_first(slug, store))
        try:
            return future.result(timeout=self._first_visit_wait)
        except TimeoutError:
            self._count("first_visit_timeout")
            return state

    def _fetch_first(self, slug: str, store: str | None = None) -> TopicState:
        """Fetch a first list under the topic's lease or, while another
        worker holds it, wait as long as a visitor would for its list."""
        deadline = time.monotonic() + self._first_visit_wait
        while True:
            result = self.refresher.refresh(
                slug, "first visit", self._lacks_list, store
            )
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

    # -- refreshing (see widget.refresh) --------------------------------------
    def refresh(
        self,
        slug: str,
        *,
        trigger: str = "admin",
        only_if_due: bool = False,
        store: str | None = None,
    ) -> RefreshResult:
        """Fetch a new list (for ``store``) now; with ``only_if_due``, only
        if the topic is still due once its lease is held (else ``SKIPPED``).

        :raises TopicNotFound:
        """
        wanted = self.refresher.is_due if only_if_due else None
        return self.refresher.refresh(slug, trigger, wanted, store)
