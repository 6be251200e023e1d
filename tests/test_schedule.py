import threading
import time

import pytest

from tests.fakes import FakeCatalog
from widget.catalog.base import CatalogUnavailable
from widget.models import Topic
from widget.refresh import Outcome
from widget.schedule import Scheduler


def add(app, slug, interval_hours=1):
    from datetime import timedelta

    app.extensions["widget"].store.add_topic(
        Topic(
            slug, slug.title(), slug, refresh_interval=timedelta(hours=interval_hours)
        )
    )


def history(app, slug):
    return app.extensions["widget"].store.history(slug)


@pytest.fixture
def sched_app(make_app, fake_catalog, clock):
    app = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    add(app, "dune", 1)
    add(app, "mars", 6)
    return app


@pytest.fixture
def scheduler(sched_app):
    return Scheduler(sched_app.extensions["widget"].lists, every=60)


def test_first_look_fetches_every_topic_without_a_list(
    scheduler, fake_catalog, sched_app
):
    outcomes = scheduler.run_once()
    assert sorted(o.slug for o in outcomes) == ["dune", "mars"]
    assert sorted(fake_catalog.calls) == ["dune", "mars"]
    assert history(sched_app, "dune")[0].trigger == "schedule"


def test_each_topic_is_refreshed_when_its_interval_is_due(
    scheduler, fake_catalog, clock
):
    scheduler.run_once()
    fake_catalog.calls.clear()
    clock.advance(minutes=59)
    assert scheduler.run_once() == []
    clock.advance(minutes=1)
    scheduler.run_once()
    assert fake_catalog.calls == ["dune"]
    clock.advance(hours=5)
    scheduler.run_once()
    assert sorted(fake_catalog.calls) == ["dune", "dune", "mars"]


def test_intervals_never_exceed_24_hours(make_app, fake_catalog, clock):
    app = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    store = app.extensions["widget"].store
    from datetime import timedelta

    # A topic stored with a longer interval (e.g. by an older version) still
    # gets a fresh list within Amazon's 24 hours.
    store.add_topic(Topic("old", "Old", "old", refresh_interval=timedelta(days=3)))
    scheduler = Scheduler(app.extensions["widget"].lists, every=60)
    scheduler.run_once()
    clock.advance(hours=24)
    scheduler.run_once()
    assert fake_catalog.calls == ["old", "old"]


def test_a_failing_topic_is_retried_after_15_minutes_not_every_look(
    scheduler, fake_catalog, clock, sched_app
):
    scheduler.run_once()
    fake_catalog.error = CatalogUnavailable("down")
    clock.advance(hours=1)
    scheduler.run_once()
    calls = len(fake_catalog.calls)
    clock.advance(minutes=14)
    scheduler.run_once()
    assert len(fake_catalog.calls) == calls
    clock.advance(minutes=1)
    fake_catalog.error = None
    scheduler.run_once()
    assert fake_catalog.calls[calls:] == ["dune"]
    assert [h.ok for h in history(sched_app, "dune")] == [True, False, True]


def test_a_failing_first_fetch_is_not_retried_in_a_loop(scheduler, fake_catalog, clock):
    fake_catalog.error = CatalogUnavailable("down")
    scheduler.run_once()
    scheduler.run_once()
    assert sorted(fake_catalog.calls) == ["dune", "mars"]


def test_visitors_never_wait_on_the_catalog_once_a_list_exists(
    scheduler, fake_catalog, clock, sched_app
):
    scheduler.run_once()
    fake_catalog.calls.clear()
    clock.advance(hours=30)  # far past every interval, nobody refreshed
    response = sched_app.test_client().get("/widget/dune")
    assert response.status_code == 200
    assert fake_catalog.calls == []


def test_workers_looking_at_once_call_the_catalog_once_per_topic(
    make_app, clock, tmp_path
):
    """Four "workers" (apps on one store file), each with its own scheduler,
    look for due topics at the same moment."""
    catalog = FakeCatalog(delay=0.2)
    apps = [
        make_app(catalog=catalog, clock=clock, WIDGET_SEED_DEMO=False) for _ in range(4)
    ]
    add(apps[0], "dune")
    add(apps[0], "mars")
    schedulers = [Scheduler(a.extensions["widget"].lists, every=60) for a in apps]
    start = threading.Barrier(len(schedulers))

    def look(scheduler):
        start.wait()
        scheduler.run_once()

    threads = [threading.Thread(target=look, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(catalog.calls) == ["dune", "mars"]
    assert len(history(apps[0], "dune")) == 1


def test_a_topic_refreshed_by_another_worker_meanwhile_is_skipped(
    make_app, fake_catalog, clock
):
    one = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    two = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    add(one, "dune")
    # Worker two saw "dune" due; worker one refreshes it before two acts.
    one.extensions["widget"].lists.refresh("dune", trigger="schedule")
    result = two.extensions["widget"].lists.refresh(
        "dune", trigger="schedule", only_if_due=True
    )
    assert result.outcome is Outcome.SKIPPED
    assert fake_catalog.calls == ["dune"]


def test_the_scheduler_thread_starts_on_a_workers_first_request(make_app, fake_catalog):
    app = make_app(
        catalog=fake_catalog,
        WIDGET_SEED_DEMO=False,
        WIDGET_SCHEDULER=True,
        WIDGET_SCHEDULE_EVERY=0.05,
    )
    scheduler = app.extensions["widget_scheduler"]
    try:
        add(app, "dune")
        assert not scheduler.running
        app.test_client().get("/healthz")
        assert scheduler.running
        deadline = time.monotonic() + 10
        while not history(app, "dune") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert history(app, "dune")[0].trigger == "schedule"
        assert fake_catalog.calls == ["dune"]  # not again: it is not due
    finally:
        scheduler.stop()
    assert not scheduler.running


def test_scheduler_off_starts_nothing(make_app):
    app = make_app(WIDGET_SCHEDULER=False)
    app.test_client().get("/healthz")
    assert "widget_scheduler" not in app.extensions


def test_a_look_that_fails_does_not_stop_the_schedule(scheduler, sched_app):
    store = sched_app.extensions["widget"].store
    from widget.store import StoreError

    def broken():
        raise StoreError("database is locked")

    store.iter_states, original = broken, store.iter_states
    assert scheduler.run_once() == []
    store.iter_states = original
    assert len(scheduler.run_once()) == 2


def test_cli_refresh_due_does_the_same_from_cron(sched_app, fake_catalog, clock):
    runner = sched_app.test_cli_runner()
    result = runner.invoke(args=["refresh", "--due"])
    assert result.exit_code == 0, result.output
    assert "dune: refreshed" in result.output and "mars: refreshed" in result.output
    clock.advance(hours=1)
    result = runner.invoke(args=["refresh", "--due"])
    assert "dune: refreshed" in result.output and "mars" not in result.output
    result = runner.invoke(args=["refresh", "--due"])
    assert "Nothing to refresh." in result.output
    assert [h.trigger for h in history(sched_app, "dune")] == ["cli", "cli"]


def test_each_forked_worker_holds_leases_under_its_own_name(sched_app, monkeypatch):
    """gunicorn --preload builds the app once and forks it: workers must not
    share a lease holder name, or all would "hold" the same lease."""
    lists = sched_app.extensions["widget"].lists
    parent = lists.holder
    monkeypatch.setattr("os.getpid", lambda: 999_999)
    assert lists.holder != parent
    store = sched_app.extensions["widget"].store
    assert store.acquire_lease("refresh:dune", parent, 60)
    assert lists.refresh("dune", trigger="schedule").outcome is Outcome.BUSY
