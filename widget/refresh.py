"""Fetching new lists: what a refresh does and what it says it did.

One worker refreshes a topic at a time, whatever the number of workers and
hosts: a lease in the store. With several Amazon stores, each (topic, store)
pair is refreshed on its own: its own catalog (credential, budget), lease,
list and error, so one store's failure never touches another's list. The
topic is read once, under the lease; the store hands back the new version
with each write, so the state a refresh returns is what the store holds
without reading it again. A failure keeps the last good list and records
the error beside it.
"""

from __future__ import annotations

import enum
import logging
import os
import time
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.catalog.manual import ManualCatalog
from widget.config import REFRESH_ALL_WITHIN
from widget.curation import CANDIDATES
from widget.curation import curate
from widget.curation import previous_order
from widget.events import remember_previous
from widget.fallback import needs_open_data
from widget.fallback import open_data_list
from widget.freshness import is_due
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import Source
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList
from widget.sources import serving
from widget.sources import topic_source
from widget.store.base import SnapshotStore
from widget.store.base import TopicNotFound

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    REFRESHED = "refreshed"  # a new list, with changes
    UNCHANGED = "unchanged"  # a new list, the same ranking (its date moved on)
    FAILED = "failed"  # the catalog failed; the last good list stays
    BUSY = "busy"  # another worker holds the topic's lease right now
    SKIPPED = "skipped"  # not wanted (no longer due) once the lease was ours

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
    #: the store whose list this was (None: the default store)
    store: str | None = None


@dataclass(frozen=True)
class RefreshAll:
    results: tuple[RefreshResult, ...]
    #: topics not reached before the time limit, for the next run
    left: tuple[str, ...] = ()


class Refresher:
    def __init__(
        self,
        store: SnapshotStore,
        catalog: Catalog,
        *,
        now: Callable[[], datetime],
        lease_ttl: float,
        count: Callable[[str], None],
        manual: ManualCatalog | None = None,
        stores: Mapping[str, Catalog] | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        #: hand-picked topics' books, and open data standing in for API lists
        self.manual = manual
        self.source = catalog.source
        #: the catalog of each store besides the default one, by store key
        self.stores = dict(stores or {})
        self.now = now
        self.lease_ttl = lease_ttl
        self._count = count
        self._instance = uuid.uuid4().hex[:8]
        #: hears of every fetch's result, good or failed (widget.export)
        self.after_fetch: Callable[[RefreshResult], None] | None = None

    @property
    def holder(self) -> str:
        """Who holds leases: read at each use, because ``gunicorn --preload``
        builds the service once and forks it into every worker."""
        return f"{os.uname().nodename}:{os.getpid()}:{self._instance}"

    def catalog_for(self, topic: Topic, store: str | None = None) -> Catalog:
        """The catalog a topic's lists (for ``store``) come from: its own
        books (``manual``) or the store's search."""
        if topic.catalog == "manual" and self.manual is not None:
            return self.manual
        return self.catalog if store is None else self.stores[store]

    def source_for(self, topic: Topic, store: str | None = None) -> Source:
        """The catalog's source, with the topic's own tracking id."""
        return topic_source(self.catalog_for(topic, store).source, topic)

    def serving(self, state: TopicState, store: str | None = None) -> TopicState:
        """The state as it may be served: a list from another source is not."""
        return serving(state, self.source_for(state.topic, store))

    def load(self, slug: str, store: str | None = None) -> TopicState:
        """The topic as it may be served (with ``store``'s list).

        :raises TopicNotFound:
        """
        if store is None:
            state = self.store.get_state(slug)
        else:
            state = self.store.get_state(slug, store)
        if state is None:
            raise TopicNotFound(slug)
        return self.serving(state, store)

    def is_due(self, state: TopicState) -> bool:
        return is_due(state, self.now())

    def refresh(
        self,
        slug: str,
        trigger: str,
        wanted: Callable[[TopicState], bool] | None = None,
        store: str | None = None,
    ) -> RefreshResult:
        """Fetch a new list (for ``store``) now, under its lease: ``BUSY``
        while another worker holds it; ``SKIPPED`` when ``wanted`` says no
        once the lease is ours (a worker that saw a topic due a moment before
        another refreshed it does not call the catalog again).

        :raises TopicNotFound:
        """
        lease = f"refresh:{slug}" + ("" if store is None else f"@{store}")
        holder = self.holder
        if not self.store.acquire_lease(lease, holder, self.lease_ttl):
            return RefreshResult(
                slug, Outcome.BUSY, self.load(slug, store), store=store
            )
        try:
            state = self.load(slug, store)  # the one read: under the lease
            if (wanted is not None and not wanted(state)) or not self.per_store(
                state, store
            ):
                return RefreshResult(slug, Outcome.SKIPPED, state, store=store)
            result = self._fetch(state, trigger, store)
        finally:
            self.store.release_lease(lease, holder)
        if self.after_fetch is not None:
            self.after_fetch(result)
        return result

    @staticmethod
    def per_store(state: TopicState, store: str | None) -> bool:
        """Whether the topic has lists of its own in ``store``: the default
        store always; other stores for search topics (hand-picked books link
        to the default store, which every other store falls back to), in
        the stores the topic names (all when it names none)."""
        topic = state.topic
        if store is None:
            return True
        return topic.catalog != "manual" and (not topic.stores or store in topic.stores)

    def refresh_stores(
        self,
        slug: str,
        trigger: str,
        wanted: Callable[[TopicState], bool] | None = None,
    ) -> list[RefreshResult]:
        """Refresh the topic for every store besides the default one.

        :raises TopicNotFound:
        """
        topic = self.load(slug)
        keys = [key for key in self.stores if self.per_store(topic, key)]
        return [self.refresh(slug, trigger, wanted, key) for key in keys]

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
        wanted = self.is_due if due_only else None
        lists = self._lists_by_age(wanted)
        results: list[RefreshResult] = []
        for number, (_, slug, key) in enumerate(lists):
            if results and time.monotonic() > deadline:
                return RefreshAll(
                    tuple(results), tuple(s for _, s, _ in lists[number:])
                )
            try:
                result = self.refresh(slug, trigger, wanted, key)
            except TopicNotFound:
                continue  # removed meanwhile
            results.append(result)
            if progress is not None:
                progress(result)
        return RefreshAll(tuple(results))

    def _lists_by_age(
        self, wanted: Callable[[TopicState], bool] | None
    ) -> list[tuple[float, str, str | None]]:
        """Every topic's list (then each other store's) that ``wanted``
        allows, as (list time, slug, store), oldest first. Only these are
        kept: every worker's scheduler makes this pass each minute, and a
        thousand parsed lists held at once left a worker 20 MiB larger for
        good (bench/bench_memory.py); ``refresh`` reads each again anyway."""
        found: list[tuple[float, str, str | None]] = []
        others: list[tuple[float, str, str | None]] = []
        for stored in self.store.iter_states():
            state = self.serving(stored)
            if wanted is None or wanted(state):
                found.append((_list_time(state), state.topic.slug, None))
            others += self._other_stores(stored.topic, wanted)
        return sorted(found + others, key=lambda entry: entry[0])

    def _other_stores(
        self, topic: Topic, wanted: Callable[[TopicState], bool] | None
    ) -> list[tuple[float, str, str | None]]:
        """The topic's list in each other store, as it may be served."""
        if not self.stores or topic.catalog == "manual":
            return []  # hand-picked books link to the default store only
        found: list[tuple[float, str, str | None]] = []
        for key in topic.stores or self.stores:
            if key not in self.stores:
                continue  # no longer configured
            try:
                state = self.load(topic.slug, key)
            except TopicNotFound:
                break  # removed meanwhile
            if wanted is None or wanted(state):
                found.append((_list_time(state), topic.slug, key))
        return found

    def _stamp(self) -> datetime:
        """Now, to the second: what the store keeps, so the state a refresh
        returns renders exactly as the one every other worker reads."""
        return self.now().replace(microsecond=0)

    def _fetch(
        self, state: TopicState, trigger: str, store: str | None = None
    ) -> RefreshResult:
        topic = state.topic
        catalog = self.catalog_for(topic, store)
        self._count("upstream_call")
        try:
            if topic.catalog == "manual":  # the admin's own books, as listed
                products = catalog.top_products(topic, topic.item_count)
            else:
                found = catalog.top_products(topic, CANDIDATES)
                products = curate(
                    found,
                    topic,
                    today=self._stamp().date(),
                    lookup=catalog.products_by_asin,
                )
        except CatalogError as exc:
            return self._failed(state, trigger, exc.message, exc.kind, store)
        except Exception:  # a bug in an adapter must not blank a widget
            log.exception("catalog %s crashed refreshing %s", catalog.name, topic.slug)
            return self._failed(
                state, trigger, "internal error in the catalog", "internal", store
            )
        old = state.snapshot
        snapshot = TopList(
            topic.slug,
            tuple(products),
            self._stamp(),
            self.source_for(topic, store),
            previous=previous_order(
                None if old is None else [p.asin for p in old.products],
                None if old is None else old.previous,
                [p.asin for p in products],
            ),
        )
        changed = items_changed(state.snapshot, snapshot)
        message = _in_store(f"{len(products)} items", store)
        version = self._save_list(
            state.snapshot, snapshot, changed, trigger, message, store
        )
        if version is None:  # removed, or a newer list landed meanwhile
            return RefreshResult(
                topic.slug, Outcome.SKIPPED, self.load(topic.slug, store), store=store
            )
        log.info(
            "refreshed %s: %d items (%s)",
            _in_store(topic.slug, store),
            len(products),
            trigger,
        )
        new = replace(
            state,
            version=version,
            snapshot=snapshot,
            error=None,
            last_attempt=snapshot.updated_at,
        )
        outcome = Outcome.REFRESHED if changed else Outcome.UNCHANGED
        return RefreshResult(topic.slug, outcome, new, changed, store=store)

    def _save_list(
        self,
        old: TopList | None,
        new: TopList,
        changed: int,
        trigger: str,
        message: str,
        store: str | None = None,
    ) -> int | None:
        """Store ``new`` in place of ``old`` (``changed`` positions differ,
        see ``items_changed``) and say so in the history: the new version,
        or None when the topic was removed or a newer list landed meanwhile
        (then nothing is noted)."""
        if old is not None and store is None:
            # Beacons from pages still showing the old list keep counting
            # (kept first: the new version tells readers to look again).
            remember_previous(self.store, old)
        version = self.store.save_snapshot(new, store)
        if version is not None:
            self.store.add_history(
                HistoryEntry(
                    slug=new.slug,
                    at=new.updated_at,
                    trigger=trigger,
                    ok=True,
                    message=message,
                    items_changed=changed,
                    extra={} if store is None else {"store": store},
                )
            )
        return version

    def _failed(
        self,
        state: TopicState,
        trigger: str,
        message: str,
        kind: str,
        store: str | None = None,
    ) -> RefreshResult:
        self._count(f"upstream_error:{kind}")
        error = RefreshError(message, kind, self._stamp())
        slug = state.topic.slug
        if store is None:  # open data stands in for the default store only
            state = self._open_data_instead(state, trigger, error)
        version = self.store.record_error(slug, error, store)
        if version is None:
            raise TopicNotFound(slug)
        self.store.add_history(
            HistoryEntry(
                slug=slug,
                at=error.at,
                trigger=trigger,
                ok=False,
                message=_in_store(message, store),
                extra={} if store is None else {"store": store},
            )
        )
        log.warning(
            "refresh of %s failed (%s): %s", _in_store(slug, store), kind, message
        )
        new = replace(state, version=version, error=error, last_attempt=error.at)
        return RefreshResult(slug, Outcome.FAILED, new, error=error, store=store)

    def _open_data_instead(
        self, state: TopicState, trigger: str, error: RefreshError
    ) -> TopicState:
        """Store the books of an API list from open data when the API keeps
        refusing us and the list may not be shown much longer (see
        ``widget.fallback``); the state as it then is."""
        snapshot = state.snapshot
        if (
            self.manual is None
            or snapshot is None
            or not needs_open_data(state, error.kind, error.at)
        ):
            return state
        source = self.source_for(state.topic)
        stand_in = open_data_list(self.manual, snapshot, source, error.at)
        if stand_in is None:
            return state  # Open Library failed: the last open-data list stays
        message = f"{len(stand_in.products)} items from open data ({error.kind})"
        changed = items_changed(snapshot, stand_in)
        version = self._save_list(snapshot, stand_in, changed, trigger, message)
        if version is None:
            return state
        log.warning("%s: its books are shown from open data", stand_in.slug)
        return replace(state, version=version, snapshot=stand_in)


def _in_store(text: str, store: str | None) -> str:
    """``text`` marked with the store it is about (the default store: as is)."""
    return text if store is None else f"{text} [{store}]"


def items_changed(old: TopList | None, new: TopList) -> int:
    """How many positions of the ranking now hold a different product."""
    before = [p.asin for p in old.products] if old else []
    after = [p.asin for p in new.products]
    length = max(len(before), len(after))
    before += [""] * (length - len(before))
    after += [""] * (length - len(after))
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)


def _list_time(state: TopicState) -> float:
    """When the state's list was fetched; 0 for none (first in line)."""
    return state.snapshot.updated_at.timestamp() if state.snapshot else 0.0
