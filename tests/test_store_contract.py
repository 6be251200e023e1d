"""One contract every snapshot store keeps, run against SQLite and a real Redis."""

from __future__ import annotations

import threading
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from tests.fakes import ARTEMIS
from tests.fakes import make_product
from widget.models import HistoryEntry
from widget.models import Image
from widget.models import Price
from widget.models import RefreshError
from widget.models import Saving
from widget.models import Source
from widget.models import Topic
from widget.models import TopList
from widget.store import TopicExists
from widget.store import TopicNotFound
from widget.store import VersionConflict
from widget.store import make_store

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/contract.db"
    return request.getfixturevalue("redis_url")


@pytest.fixture
def store(store_url):
    opened = make_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


FAKE = Source("fake")


def snapshot(slug="artemis", at=T0, n=3, source=FAKE):
    return TopList(slug, tuple(make_product(i) for i in range(1, n + 1)), at, source)


def entry(slug="artemis", minute=0, ok=True):
    return HistoryEntry(
        slug=slug,
        at=T0 + timedelta(minutes=minute),
        trigger="test",
        ok=ok,
        message=f"entry {minute}",
        items_changed=minute,
    )


# -- topics -------------------------------------------------------------------
def test_a_new_topic_has_no_list_yet(store):
    store.add_topic(ARTEMIS)
    state = store.get_state("artemis")
    assert state.topic == ARTEMIS
    assert (state.snapshot, state.error, state.last_attempt) == (None, None, None)
    assert store.version("artemis") == state.version


def test_a_slug_is_taken_once(store):
    store.add_topic(ARTEMIS)
    with pytest.raises(TopicExists):
        store.add_topic(ARTEMIS.with_changes(title="Other"))
    assert store.get_state("artemis").topic.title == "NASA Artemis"


def test_unknown_topics_are_none_or_not_found(store):
    assert store.get_state("nope") is None
    assert store.version("nope") is None
    with pytest.raises(TopicNotFound):
        store.update_topic(ARTEMIS)
    with pytest.raises(TopicNotFound):
        store.remove_topic("nope")
    assert store.save_snapshot(snapshot("nope")) is None
    assert store.get_state("nope") is None


def test_updating_a_topic_keeps_its_list(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot())
    changed = ARTEMIS.with_changes(
        title="Artemis Program", item_count=5, refresh_interval=timedelta(hours=6)
    )
    store.update_topic(changed)
    state = store.get_state("artemis")
    assert state.topic == changed
    assert state.snapshot == snapshot()


def test_an_update_on_a_stale_version_changes_nothing(store):
    store.add_topic(ARTEMIS)
    read = store.version("artemis")
    store.save_snapshot(snapshot())  # a refresh moves the version on
    with pytest.raises(VersionConflict):
        store.update_topic(ARTEMIS.with_changes(title="Mine"), if_version=read)
    assert store.get_state("artemis").topic == ARTEMIS
    current = store.version("artemis")
    new = store.update_topic(ARTEMIS.with_changes(title="Mine"), if_version=current)
    assert new == store.version("artemis") > current
    assert store.get_state("artemis").topic.title == "Mine"
    with pytest.raises(TopicNotFound):
        store.update_topic(Topic("nope", "Nope", "x"), if_version=current)


def test_change_topic_insisting_on_an_old_version_conflicts(store):
    store.add_topic(ARTEMIS)
    read = store.version("artemis")
    store.update_topic(ARTEMIS.with_changes(item_count=3))
    with pytest.raises(VersionConflict):
        store.change_topic(
            "artemis", lambda s: s.topic.with_changes(title="Mine"), if_version=read
        )
    assert store.get_state("artemis").topic.title == "NASA Artemis"
    with pytest.raises(TopicNotFound):
        store.change_topic("nope", lambda s: s.topic)


def test_removing_a_topic_takes_its_list_and_history(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot())
    store.add_history(entry())
    store.remove_topic("artemis")
    assert store.get_state("artemis") is None
    assert store.list_states() == []
    assert store.history("artemis") == []
    store.add_topic(ARTEMIS)
    assert store.get_state("artemis").snapshot is None


def test_topics_are_listed_by_title_ignoring_case(store):
    for slug, title in [("b", "banana"), ("a", "Cherry"), ("c", "apple")]:
        store.add_topic(Topic(slug=slug, title=title, keywords=title))
    assert [s.topic.title for s in store.list_states()] == ["apple", "banana", "Cherry"]


def test_every_change_gets_a_new_never_reused_version(store):
    seen = []

    def version():
        seen.append(store.version("artemis"))

    store.add_topic(ARTEMIS)
    version()
    store.update_topic(ARTEMIS.with_changes(title="Artemis"))
    version()
    store.save_snapshot(snapshot())
    version()
    store.record_error("artemis", RefreshError("boom", "server", T0))
    version()
    store.remove_topic("artemis")
    store.add_topic(ARTEMIS)
    version()
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)


def test_a_version_does_not_move_without_a_change(store):
    store.add_topic(ARTEMIS)
    before = store.version("artemis")
    store.add_topic(Topic(slug="other", title="Other", keywords="x"))
    store.add_history(entry())
    store.set_meta("k", "v")
    assert store.version("artemis") == before


# -- snapshots ----------------------------------------------------------------
def test_a_snapshot_reads_back_exactly(store):
    store.add_topic(ARTEMIS)
    full = snapshot(n=10, source=Source("amazon", "www.amazon.de", "mysite-21"))
    version = store.save_snapshot(full)
    state = store.get_state("artemis")
    assert state.snapshot == full and state.version == version
    assert state.last_attempt == T0


def test_every_product_field_reads_back(store):
    store.add_topic(ARTEMIS)
    product = make_product(
        1,
        reviews=1320,
        list_price=Price(24.99, "USD", "$24.99"),
        saving=Saving(Price(13.99, "USD", "$13.99"), 56),
        published=date(2025, 3, 1),
        isbn="9780000000019",
        large_image=Image("https://m.media-amazon.com/images/I/x.jpg", 333, 500),
        note="Signed by the author",
    )
    full = TopList("artemis", (product, make_product(2)), T0, FAKE)
    store.save_snapshot(full)
    assert store.get_state("artemis").snapshot == full


def test_the_previous_ranking_and_curation_read_back(store):
    """Rank movement compares with the previous ranking's ASINs, kept beside
    the list; a topic's curation fields are kept with it."""
    from widget.models import Pin

    topic = ARTEMIS.with_changes(
        list_type="new_releases",
        heading="My {count} on {title}",
        pinned=(Pin("B0FAKE0009", 1),),
        excluded_asins=("B0FAKE0002",),
        excluded_words=("box set",),
        min_rating=4.5,
        badges=True,
    )
    store.add_topic(topic)
    first = snapshot(n=3)
    store.save_snapshot(first)
    assert store.get_state("artemis").snapshot.previous is None
    later = TopList(
        "artemis",
        first.products[::-1],
        T0 + timedelta(hours=1),
        FAKE,
        previous=("B0FAKE0001", "B0FAKE0002", "B0FAKE0003"),
    )
    store.save_snapshot(later)
    state = store.get_state("artemis")
    assert state.snapshot == later and state.topic == topic
    assert state.snapshot.previous == ("B0FAKE0001", "B0FAKE0002", "B0FAKE0003")


def test_a_list_is_only_replaced_by_a_newer_one(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot(at=T0, n=3))
    version = store.version("artemis")
    assert store.save_snapshot(snapshot(at=T0 - timedelta(hours=1), n=5)) is None
    assert store.get_state("artemis").snapshot == snapshot(at=T0, n=3)
    assert store.version("artemis") == version
    later = snapshot(at=T0 + timedelta(hours=1), n=4)
    assert store.save_snapshot(later) > version
    assert store.get_state("artemis").snapshot == later


def test_an_error_keeps_the_last_good_list(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot())
    failed_at = T0 + timedelta(hours=1)
    version = store.record_error(
        "artemis", RefreshError("throttled", "throttled", failed_at)
    )
    state = store.get_state("artemis")
    assert state.version == version
    assert state.snapshot == snapshot()
    assert state.error == RefreshError("throttled", "throttled", failed_at)
    assert state.last_attempt == failed_at


def test_a_good_list_clears_the_error(store):
    store.add_topic(ARTEMIS)
    store.record_error("artemis", RefreshError("down", "network", T0))
    assert store.get_state("artemis").snapshot is None
    store.save_snapshot(snapshot(at=T0 + timedelta(minutes=1)))
    assert store.get_state("artemis").error is None


def test_an_error_for_an_unknown_topic_changes_nothing(store):
    assert store.record_error("nope", RefreshError("down", "network", T0)) is None
    assert store.get_state("nope") is None
    assert store.list_states() == []


# -- a list per store ------------------------------------------------------------
DE = Source("fake", "www.amazon.de", "mysite-21")


def test_each_store_keeps_its_own_list_error_and_last_attempt(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot(n=3))
    assert store.get_state("artemis", "de").snapshot is None
    version = store.save_snapshot(snapshot(n=2, source=DE), "de")
    assert version == store.version("artemis")  # one version for every store
    de = store.get_state("artemis", "de")
    assert de.snapshot == snapshot(n=2, source=DE) and de.last_attempt == T0
    assert de.topic == ARTEMIS and de.version == version
    assert store.get_state("artemis").snapshot == snapshot(n=3)
    failed_at = T0 + timedelta(hours=1)
    error = RefreshError("throttled", "throttled", failed_at)
    assert store.record_error("artemis", error, "de") > version
    de = store.get_state("artemis", "de")
    assert de.error == error and de.snapshot == snapshot(n=2, source=DE)
    assert de.last_attempt == failed_at
    default = store.get_state("artemis")
    assert default.error is None and default.last_attempt == T0
    assert store.get_state("artemis", "jp").error is None


def test_a_stores_list_is_only_replaced_by_a_newer_one(store):
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot(at=T0, source=DE), "de")
    store.record_error("artemis", RefreshError("down", "network", T0), "de")
    earlier = snapshot(at=T0 - timedelta(hours=1), n=5, source=DE)
    assert store.save_snapshot(earlier, "de") is None
    later = snapshot(at=T0 + timedelta(hours=1), n=4, source=DE)
    assert store.save_snapshot(later, "de")
    state = store.get_state("artemis", "de")
    assert state.snapshot == later and state.error is None
    # The default store's list is not "newer" than any other store's.
    assert store.save_snapshot(snapshot(at=T0)) is not None


def test_a_removed_topic_takes_every_stores_list(store):
    assert store.save_snapshot(snapshot(source=DE), "de") is None
    assert store.record_error("artemis", RefreshError("x", "y", T0), "de") is None
    assert store.get_state("artemis", "de") is None
    store.add_topic(ARTEMIS)
    store.save_snapshot(snapshot(source=DE), "de")
    store.remove_topic("artemis")
    store.add_topic(ARTEMIS)
    assert store.get_state("artemis", "de").snapshot is None


# -- history ------------------------------------------------------------------
def test_history_is_newest_first_and_limited(store):
    store.add_topic(ARTEMIS)
    for minute in range(5):
        store.add_history(entry(minute=minute, ok=minute % 2 == 0))
    assert [e.at.minute for e in store.history("artemis")] == [4, 3, 2, 1, 0]
    assert store.history("artemis", limit=2) == [
        entry(minute=4),
        entry(minute=3, ok=False),
    ]
    assert store.history("other") == []


def test_history_keeps_the_newest_entries(store):
    for minute in range(8):
        store.add_history(entry(minute=minute), keep=3)
    assert [e.at.minute for e in store.history("artemis", limit=50)] == [7, 6, 5]


# -- leases -------------------------------------------------------------------
def test_a_lease_has_one_holder_until_released(store):
    assert store.acquire_lease("refresh:a", "one", 30) is True
    assert store.acquire_lease("refresh:a", "two", 30) is False
    assert store.acquire_lease("refresh:b", "two", 30) is True
    store.release_lease("refresh:a", "two")  # not the holder: no effect
    assert store.acquire_lease("refresh:a", "two", 30) is False
    store.release_lease("refresh:a", "one")
    assert store.acquire_lease("refresh:a", "two", 30) is True


def test_a_lease_expires(store):
    assert store.acquire_lease("refresh:a", "one", 0.2) is True
    time.sleep(0.35)
    assert store.acquire_lease("refresh:a", "two", 30) is True
    assert store.acquire_lease("refresh:a", "one", 30) is False


def test_taking_a_held_lease_again_extends_it(store):
    assert store.acquire_lease("refresh:a", "one", 0.2) is True
    assert store.acquire_lease("refresh:a", "one", 30) is True
    time.sleep(0.35)
    assert store.acquire_lease("refresh:a", "two", 30) is False


# -- budget -------------------------------------------------------------------
def test_a_budget_window_stops_at_its_limit(store):
    now = 1_000_000.0
    assert [store.take_budget("tps", 3, 1, now) for _ in range(5)] == [
        *[True] * 3,
        *[False] * 2,
    ]
    assert store.budget_used("tps", 1, now + 0.5) == 3
    assert store.take_budget("tps", 3, 1, now + 1) is True
    assert store.budget_used("tps", 1, now + 1) == 1
    assert store.budget_used("tpd", 86400, now) == 0


def test_budget_buckets_and_windows_are_separate(store):
    day = 86400
    now = 20_000 * day + 100.0
    for _ in range(2):
        store.take_budget("tpd", 10, day, now)
    store.take_budget("tps", 10, 1, now)
    assert store.budget_used("tpd", day, now + 3600) == 2
    assert store.budget_used("tpd", day, now + day) == 0
    assert store.budget_used("tps", 1, now) == 1


# -- metrics ------------------------------------------------------------------
def test_slots_are_reserved_spacing_apart_within_max_wait(store):
    clock = time.time  # Redis reads its own
    waits = [store.reserve_slot("amazon:next", 10.0, 25, clock) for _ in range(4)]
    assert waits[3] is None  # thirty seconds away: more than max_wait
    assert [round(w, -1) for w in waits[:3]] == [0, 10, 20]
    assert store.reserve_slot("other", 10.0, 25, clock) == pytest.approx(0, abs=1)
    assert store.reserve_slot("amazon:next", 10.0, 35, clock) > 25


def test_a_departure_too_soon_after_the_last_is_refused(store):
    assert store.claim_departure("sent", 0.5, time.time) == 0
    left = store.claim_departure("sent", 0.5, time.time)
    assert 0 < left <= 0.5
    assert store.claim_departure("other", 0.5, time.time) == 0
    time.sleep(left)
    assert store.claim_departure("sent", 0.5, time.time) == 0


def test_a_revocation_holds_for_its_time_then_is_forgotten(store):
    assert store.is_revoked("sid-1") is False
    store.revoke("sid-1", 0.3)
    store.revoke("sid-2", 60)
    assert store.is_revoked("sid-1") and store.is_revoked("sid-2")
    time.sleep(0.4)
    assert store.is_revoked("sid-1") is False
    assert store.is_revoked("sid-2") is True


def test_counters_add_up_and_keep_their_names(store):
    assert store.counters() == {}
    name = 'widget_http_requests_total{route="widget.widget_document",status="200"}'
    store.add_counters({name: 3, "widget_upstream_calls_total": 1})
    store.add_counters({name: 2})
    assert store.counters() == {name: 5, "widget_upstream_calls_total": 1}


def test_concurrent_counter_flushes_lose_nothing(store):
    run_threads(8, lambda n: [store.add_counters({"c": 1}) for _ in range(25)])
    assert store.counters() == {"c": 200}


# -- housekeeping -------------------------------------------------------------
def test_meta_values(store):
    assert store.get_meta("seeded") is None
    store.set_meta("seeded", "1")
    store.set_meta("seeded", "2")
    assert store.get_meta("seeded") == "2"


# -- concurrency --------------------------------------------------------------
def run_threads(count, target):
    errors = []

    def guarded(n):
        try:
            target(n)
        except Exception as exc:  # surfaced below, with the thread's number
            errors.append((n, exc))

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_concurrent_writers_never_lose_an_update(store_url):
    stores = [make_store(store_url) for _ in range(6)]

    def work(n):
        store = stores[n]
        for i in range(8):
            store.add_topic(Topic(slug=f"t{n}-{i}", title=f"T {n} {i}", keywords="x"))
            store.add_history(entry(slug="shared", minute=n * 100 + i), keep=1000)

    try:
        run_threads(len(stores), work)
        states = stores[0].list_states()
        assert len(states) == 48
        assert len({s.version for s in states}) == 48
        assert len(stores[0].history("shared", limit=1000)) == 48
    finally:
        for store in stores:
            store.close()


def test_concurrent_partial_changes_lose_no_field(store_url):
    """Eight writers, each changing its own field of one topic, eight rounds."""
    stores = [make_store(store_url) for _ in range(8)]
    stores[0].add_topic(ARTEMIS)
    fields = {
        "title": lambda r: f"Title {r}",
        "keywords": lambda r: f"keywords {r}",
        "search_index": lambda r: ("Books", "KindleStore")[r % 2],
        "browse_node": lambda r: str(1000 + r),
        "sort_by": lambda r: ("Relevance", "Featured")[r % 2],
        "item_count": lambda r: 1 + r,
        "refresh_interval": lambda r: timedelta(minutes=10 + r),
        "pages": lambda r: 1 + r % 3,
    }
    names = list(fields)
    lost = 0
    try:
        for round_ in range(8):
            barrier = threading.Barrier(len(stores))

            def work(n, round_=round_, barrier=barrier):
                name = names[n]
                barrier.wait(timeout=10)
                stores[n].change_topic(
                    "artemis",
                    lambda s: s.topic.with_changes(**{name: fields[name](round_)}),
                )

            run_threads(len(stores), work)
            topic = stores[0].get_state("artemis").topic
            lost += sum(getattr(topic, n) != fields[n](round_) for n in names)
        assert lost == 0
    finally:
        for store in stores:
            store.close()


def test_concurrent_callers_share_one_lease_and_one_budget(store_url):
    stores = [make_store(store_url) for _ in range(6)]
    leases, budget = [], []

    def work(n):
        leases.append(stores[n].acquire_lease("refresh:a", f"w{n}", 30))
        budget.extend(stores[n].take_budget("tps", 10, 60, 600.0) for _ in range(5))

    try:
        run_threads(len(stores), work)
        assert leases.count(True) == 1
        assert budget.count(True) == 10
        assert stores[0].budget_used("tps", 60, 610.0) == 10
    finally:
        for store in stores:
            store.close()


def test_concurrent_reservations_get_distinct_evenly_spaced_slots(store_url):
    # Ten seconds apart, so that however slow the machine, a slot given twice
    # or out of step cannot hide in how long the calls themselves took.
    stores = [make_store(store_url) for _ in range(6)]
    starts = []

    def work(n):
        for _ in range(5):
            now = time.time()
            starts.append(now + stores[n].reserve_slot("b", 10.0, 1000, time.time))

    try:
        began = time.time()
        run_threads(len(stores), work)
        after = stores[0].reserve_slot("b", 10.0, 1000, time.time)
        elapsed = time.time() - began
        assert 300 - elapsed - 1 <= after <= 300  # 30 slots taken, none twice
        starts.sort()
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert len(starts) == 30 and min(gaps) > 5, min(gaps)
    finally:
        for store in stores:
            store.close()


def test_concurrent_refreshes_keep_the_newest_list(store_url):
    stores = [make_store(store_url) for _ in range(4)]
    stores[0].add_topic(ARTEMIS)

    def work(n):
        for i in range(10):
            at = T0 + timedelta(minutes=i * 4 + n)
            stores[n].save_snapshot(snapshot(at=at, n=1 + (i * 4 + n) % 10))

    try:
        run_threads(len(stores), work)
        newest = T0 + timedelta(minutes=39)
        assert stores[0].get_state("artemis").snapshot.updated_at == newest
    finally:
        for store in stores:
            store.close()


# -- analytics -----------------------------------------------------------------
def test_claim_keeps_the_first_value_until_it_expires(store):
    assert store.claim("salt:2026-11-26", "first", 0.3) == "first"
    assert store.claim("salt:2026-11-26", "second", 0.3) == "first"
    assert store.claim("salt:2026-11-27", "other", 0.3) == "other"
    time.sleep(0.4)
    assert store.claim("salt:2026-11-26", "third", 10) == "third"


def test_one_claim_wins_when_many_workers_claim_at_once(store_url):
    won = []

    def claim(n):
        opened = make_store(store_url)
        try:
            won.append(opened.claim("visitor", f"w{n}", 60) == f"w{n}")
        finally:
            opened.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]


def test_daily_counts_add_up_per_topic_and_day(store):
    store.add_daily_counts("artemis", "2026-11-25", {"clicks": 1, "x|y": 2}, 30)
    store.add_daily_counts("artemis", "2026-11-25", {"clicks": 2}, 30)
    store.add_daily_counts("artemis", "2026-11-26", {"impressions": 5}, 30)
    store.add_daily_counts("other", "2026-11-26", {"impressions": 7}, 30)
    days = ["2026-11-24", "2026-11-25", "2026-11-26"]
    assert store.daily_counts("artemis", days) == {
        "2026-11-25": {"clicks": 3, "x|y": 2},
        "2026-11-26": {"impressions": 5},
    }
    assert store.daily_counts("artemis", ["2026-11-26"]) == {
        "2026-11-26": {"impressions": 5}
    }
    assert store.daily_counts("nobody", days) == {}


def test_daily_counts_past_the_retention_are_deleted(store):
    today = datetime.now(UTC).date()
    old = (today - timedelta(days=40)).isoformat()
    store.add_daily_counts("artemis", old, {"clicks": 1}, 30)
    store.add_daily_counts("artemis", today.isoformat(), {"clicks": 1}, 30)
    assert store.daily_counts("artemis", [old, today.isoformat()]) == {
        today.isoformat(): {"clicks": 1}
    }
