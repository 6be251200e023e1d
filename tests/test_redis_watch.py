"""With Redis, a cached widget costs no round trip, and a change through
another process is still served within a second, also when the change
subscription is killed."""

import time

import pytest
import redis

from tests.fakes import make_topic
from widget.store import make_store

SLUG = "nasa-artemis"


@pytest.fixture
def stores(redis_url):
    """(the worker's store, another process's store)"""
    ours, theirs = make_store(redis_url), make_store(redis_url)
    theirs.add_topic(make_topic(SLUG))
    yield ours, theirs
    ours.close()
    theirs.close()


def commands_processed(redis_url) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.info("stats")["total_commands_processed"])
    finally:
        client.close()


def wait_until(check, within=1.0):
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "not seen within the deadline"
        time.sleep(0.01)
    return time.monotonic() - (deadline - within)


def rename(store, title):
    topic = store.get_state(SLUG).topic
    return store.update_topic(topic.with_changes(title=title))


def test_versions_come_from_memory_while_subscribed(stores, redis_url):
    ours, _ = stores
    version = ours.version(SLUG)
    time.sleep(0.3)  # subscribed
    before = commands_processed(redis_url)
    for _ in range(500):
        assert ours.version(SLUG) == version
    # The watch's own pings (a few per second) and INFO: not 500 HGETs.
    assert commands_processed(redis_url) - before < 20


def test_a_change_elsewhere_is_seen_within_a_second(stores):
    ours, theirs = stores
    ours.version(SLUG)
    time.sleep(0.3)
    new = rename(theirs, "Moon Again")
    wait_until(lambda: ours.version(SLUG) == new)
    theirs.remove_topic(SLUG)
    wait_until(lambda: ours.version(SLUG) is None)


def test_a_killed_subscription_still_sees_changes_within_a_second(stores, redis_url):
    ours, theirs = stores
    admin = redis.Redis.from_url(redis_url)
    for _ in range(5):
        ours.version(SLUG)
        time.sleep(0.3)
        killed = admin.client_kill_filter(_type="pubsub")
        assert killed >= 1
        new = rename(theirs, f"Title {time.monotonic()}")  # while it is down
        wait_until(lambda new=new: ours.version(SLUG) == new)
    admin.close()
