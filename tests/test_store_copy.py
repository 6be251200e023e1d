"""widget store copy FROM TO: SQLite to Redis and back, safe to run again."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from tests.fakes import ARTEMIS
from tests.fakes import FakeCatalog
from tests.fakes import make_product
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import Source
from widget.models import Topic
from widget.models import TopList
from widget.store import make_store

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PENDING = Topic(slug="pending", title="Pending", keywords="pending", item_count=5)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/source.db"


@pytest.fixture
def cli(fake_app):
    runner = fake_app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["store", *args])

    return invoke


def fill(url):
    store = make_store(url)
    store.add_topic(ARTEMIS)
    store.add_topic(PENDING)
    for minute in range(3):
        store.add_history(
            HistoryEntry("artemis", T0 + timedelta(minutes=minute), "cli", True, "ok")
        )
    store.save_snapshot(
        TopList("artemis", (make_product(1), make_product(2)), T0, Source("fake"))
    )
    store.record_error(
        "artemis", RefreshError("throttled", "throttled", T0 + timedelta(hours=1))
    )
    de = Source("fake", "www.amazon.de", "mysite-21")
    store.save_snapshot(TopList("artemis", (make_product(3),), T0, de), "de")
    store.set_meta("seeded", "1")
    store.close()


def contents(url):
    store = make_store(url)
    try:
        states = store.list_states()
        return (
            [(s.topic, s.snapshot, s.error, s.last_attempt) for s in states],
            [
                (de.snapshot, de.error)
                for de in (store.get_state(s.topic.slug, "de") for s in states)
            ],
            {s.topic.slug: store.history(s.topic.slug) for s in states},
            store.get_meta("seeded"),
        )
    finally:
        store.close()


def test_copy_sqlite_to_redis_and_back(cli, sqlite_url, redis_url, tmp_path):
    fill(sqlite_url)
    there = cli("copy", sqlite_url, redis_url)
    assert there.exit_code == 0, there.output
    assert there.output == (
        f"Copied {sqlite_url} to {redis_url}: 2 topics (2 added, 0 updated,"
        " 0 unchanged), 2 lists, 1 errors, 3 history entries\n"
    )
    assert contents(redis_url) == contents(sqlite_url)

    back_url = f"sqlite:///{tmp_path}/back.db"
    back = cli("copy", redis_url, back_url)
    assert back.exit_code == 0, back.output
    assert contents(back_url) == contents(sqlite_url)


def test_copying_again_changes_nothing(cli, sqlite_url, redis_url):
    fill(sqlite_url)
    cli("copy", sqlite_url, redis_url)
    target = make_store(redis_url)
    versions = [s.version for s in target.list_states()]
    again = cli("copy", sqlite_url, redis_url)
    assert (
        "2 topics (0 added, 0 updated, 2 unchanged), 0 lists, 0 errors, 0 history"
        in (again.output)
    )
    assert [s.version for s in target.list_states()] == versions
    assert len(target.history("artemis")) == 3
    target.close()


def test_a_newer_list_in_the_target_stays(cli, sqlite_url, redis_url):
    fill(sqlite_url)
    target = make_store(redis_url)
    target.add_topic(ARTEMIS.with_changes(title="Artemis (new host)"))
    newer = TopList("artemis", (make_product(9),), T0 + timedelta(hours=2), Source("t"))
    target.save_snapshot(newer)
    result = cli("copy", sqlite_url, redis_url)
    # the default list stays the target's; the de list (fill) is copied
    assert "1 added, 1 updated, 0 unchanged), 1 lists, 0 errors" in result.output
    state = target.get_state("artemis")
    assert (state.topic, state.snapshot, state.error) == (ARTEMIS, newer, None)
    target.close()


def test_the_service_serves_copied_lists_without_calling_the_catalog(
    cli, make_app, sqlite_url, redis_url
):
    fill(sqlite_url)
    cli("copy", sqlite_url, redis_url)
    catalog = FakeCatalog()
    app = make_app(catalog=catalog, WIDGET_STORE=redis_url)
    html = app.test_client().get("/widget/artemis").get_data(as_text=True)
    assert html.count("<li>") == 2
    assert catalog.calls == []
    # "seeded" came along, so the demo topics were not added again.
    assert [s.topic.slug for s in app.extensions["widget"].store.list_states()] == [
        "artemis",
        "pending",
    ]
    app.extensions["widget"].store.close()


def test_bad_urls_fail_with_a_message_and_no_password(cli, sqlite_url):
    unknown = cli("copy", sqlite_url, "postgres://db/widgets")
    assert unknown.exit_code == 1
    assert "unsupported store URL scheme 'postgres'" in unknown.output
    same = cli("copy", sqlite_url, sqlite_url)
    assert same.exit_code == 2
    assert "FROM and TO are the same store" in same.output
    from tests.conftest import free_port

    dead = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    down = cli("copy", dead, sqlite_url)
    assert down.exit_code == 1
    assert "copy stopped" in down.output
    assert "hunter2" not in down.output
