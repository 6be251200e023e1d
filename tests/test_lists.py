import threading
from datetime import timedelta

import pytest

from tests.fakes import ARTEMIS
from tests.fakes import FakeCatalog
from tests.fakes import make_product
from widget.catalog.base import CatalogUnavailable
from widget.freshness import freshness
from widget.freshness import is_due
from widget.freshness import topic_status
from widget.lists import ListService
from widget.lists import Variant
from widget.models import Topic
from widget.refresh import Outcome
from widget.store import SQLiteStore
from widget.store import TopicNotFound


def render(state, variant, now, fresh):
    titles = (
        ",".join(p.title for p in state.snapshot.products) if state.snapshot else ""
    )
    return f"{fresh}|{variant.count}|{titles}".encode()


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "w.db")
    store.add_topic(ARTEMIS)
    return store


@pytest.fixture
def service(store, fake_catalog, clock):
    return ListService(store, fake_catalog, render, now=clock)


def test_first_visit_fetches_and_stamps_the_list(service, fake_catalog, clock):
    rendered = service.widget("artemis", Variant())
    assert rendered.body.startswith(b"fresh|10|Fake Book 1,")
    assert rendered.last_modified == clock.moment
    assert fake_catalog.calls == ["artemis"]


def test_later_visits_do_not_call_the_catalog(service, fake_catalog):
    for _ in range(5):
        service.widget("artemis", Variant())
    assert len(fake_catalog.calls) == 1
    assert service.stats["cache_hit"] == 4


def test_concurrent_first_visits_share_one_catalog_call(store, clock):
    catalog = FakeCatalog(delay=0.3)
    service = ListService(store, catalog, render, now=clock)
    bodies = []
    threads = [
        threading.Thread(
            target=lambda: bodies.append(service.widget("artemis", Variant()))
        )
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(catalog.calls) == 1
    assert len(bodies) == 20 and all(b.has_list for b in bodies)


def test_two_workers_on_one_store_share_one_first_fetch(tmp_path, clock):
    catalog = FakeCatalog(delay=0.3)
    stores = [SQLiteStore(tmp_path / "shared.db") for _ in range(2)]
    stores[0].add_topic(ARTEMIS)
    workers = [ListService(s, catalog, render, now=clock) for s in stores]
    threads = [
        threading.Thread(target=w.widget, args=("artemis", Variant()))
        for w in workers * 5
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(catalog.calls) == 1


def test_failed_refresh_keeps_the_last_good_list_and_its_date(
    service, fake_catalog, clock
):
    first = service.widget("artemis", Variant())
    clock.advance(hours=13)
    fake_catalog.error = CatalogUnavailable("Amazon timed out")
    result = service.refresh("artemis")
    assert result.outcome is Outcome.FAILED
    assert result.error.message == "Amazon timed out"
    assert result.state.snapshot.updated_at == first.last_modified
    again = service.widget("artemis", Variant())
    assert b"Fake Book 1" in again.body
    assert again.last_modified == first.last_modified
    assert topic_status(service.state("artemis"), clock()) == "failing"


def test_a_crashing_catalog_is_recorded_not_raised(service, fake_catalog):
    service.widget("artemis", Variant())
    fake_catalog.error = RuntimeError("bug")
    result = service.refresh("artemis")
    assert result.outcome is Outcome.FAILED and result.error.kind == "internal"
    assert service.widget("artemis", Variant()).has_list


def test_refresh_replaces_the_list_and_every_worker_sees_it(tmp_path, clock):
    catalog = FakeCatalog()
    stores = [SQLiteStore(tmp_path / "shared.db") for _ in range(2)]
    stores[0].add_topic(ARTEMIS)
    one, two = (ListService(s, catalog, render, now=clock) for s in stores)
    assert b"Fake Book 1" in two.widget("artemis", Variant()).body
    catalog.products = [make_product(99)]
    clock.advance(minutes=1)
    assert one.refresh("artemis").outcome is Outcome.REFRESHED
    assert two.widget("artemis", Variant()).body == b"fresh|10|Fake Book 99"


def test_widget_bytes_follow_the_price_rules_as_time_passes(service, clock):
    service.widget("artemis", Variant())
    clock.advance(hours=2)
    assert service.widget("artemis", Variant()).body.startswith(b"aging|")
    clock.advance(hours=23)
    assert service.widget("artemis", Variant()).body.startswith(b"stale|")


def test_first_fetch_failure_is_not_retried_by_every_visitor(
    service, fake_catalog, clock
):
    fake_catalog.error = CatalogUnavailable("down")
    assert not service.widget("artemis", Variant()).has_list
    assert not service.widget("artemis", Variant()).has_list
    assert len(fake_catalog.calls) == 1
    clock.advance(minutes=2)
    fake_catalog.error = None
    assert service.widget("artemis", Variant()).has_list


def test_unknown_topic(service):
    with pytest.raises(TopicNotFound):
        service.widget("nope", Variant())


def test_busy_refresh_does_not_call_the_catalog(service, store, fake_catalog):
    assert store.acquire_lease("refresh:artemis", "someone-else", 60)
    result = service.refresh("artemis")
    assert result.outcome is Outcome.BUSY and fake_catalog.calls == []


def test_refresh_due_follows_each_topics_interval(service, store, fake_catalog, clock):
    store.add_topic(
        Topic(
            slug="mars",
            title="Mars",
            keywords="mars",
            refresh_interval=timedelta(hours=1),
        )
    )
    service.refresh_all(trigger="schedule", due_only=True)
    assert sorted(fake_catalog.calls) == ["artemis", "mars"]
    clock.advance(hours=2)
    service.refresh_all(trigger="schedule", due_only=True)
    assert sorted(fake_catalog.calls) == ["artemis", "mars", "mars"]


def test_freshness_and_due_boundaries(service, clock):
    state = service.state("artemis")
    assert freshness(state.snapshot, clock()) == "fresh"
    assert freshness(state.snapshot, clock() + timedelta(hours=1)) == "aging"
    assert freshness(state.snapshot, clock() + timedelta(hours=24)) == "stale"
    assert not is_due(state, clock() + timedelta(hours=11))
    assert is_due(state, clock() + timedelta(hours=12))


def test_a_refresh_says_what_happened_in_one_value(service, store, fake_catalog, clock):
    clock.advance(microseconds=123456)
    first = service.refresh("artemis")
    assert first.state == store.get_state("artemis")
    assert first.outcome is Outcome.REFRESHED and first.items_changed == 10
    clock.advance(minutes=5)
    same = service.refresh("artemis")
    assert same.outcome is Outcome.UNCHANGED and same.items_changed == 0
    assert same.state.snapshot.updated_at == clock().replace(microsecond=0)
    products = fake_catalog.products
    products[0], products[1] = products[1], products[0]
    clock.advance(minutes=5)
    moved = service.refresh("artemis")
    assert moved.outcome is Outcome.REFRESHED and moved.items_changed == 2
    # The state it hands back is exactly what the store now holds.
    assert moved.state == store.get_state("artemis")
    fake_catalog.error = CatalogUnavailable("down")
    failed = service.refresh("artemis")
    assert failed.outcome is Outcome.FAILED and not failed.outcome.ok
    assert failed.state == store.get_state("artemis")


def test_a_refresh_reads_the_topic_from_the_store_once(store, fake_catalog, clock):
    reads = []
    get_state = store.get_state
    store.get_state = lambda slug: reads.append(slug) or get_state(slug)
    service = ListService(store, fake_catalog, render, now=clock)
    assert service.refresh("artemis").outcome is Outcome.REFRESHED
    assert reads == ["artemis"]
    reads.clear()
    fake_catalog.error = CatalogUnavailable("down")
    assert service.refresh("artemis").outcome is Outcome.FAILED
    assert reads == ["artemis"]


def test_refresh_all_starts_with_the_oldest_list_and_keeps_to_its_time(
    service, store, fake_catalog, clock
):
    store.add_topic(Topic(slug="mars", title="Mars", keywords="mars"))
    service.refresh("mars")
    clock.advance(minutes=1)
    service.refresh("artemis")
    fake_catalog.calls.clear()
    clock.advance(minutes=1)
    done = service.refresh_all(trigger="cli", within=0)
    assert [r.slug for r in done.results] == ["mars"] and done.left == ("artemis",)
    done = service.refresh_all(trigger="cli")
    assert [r.slug for r in done.results] == ["artemis", "mars"] and done.left == ()
    assert fake_catalog.calls == ["mars", "artemis", "mars"]
