"""The upstream request budget: counted in the store, shared by workers."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from widget.catalog.base import CatalogBudgetExhausted
from widget.catalog.budget import Budget
from widget.config import ConfigError
from widget.models import Topic
from widget.refresh import Outcome
from widget.store import SQLiteStore


class FakeTime:
    def __init__(self, now=1_000_000.25):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def store(tmp_path):
    found = SQLiteStore(tmp_path / "budget.db")
    yield found
    found.close()


def test_calls_are_spaced_one_over_tps_apart(store):
    fake = FakeTime()
    budget = Budget(store, tps=2, tpd=100, clock=fake, sleep=fake.sleep)
    started = []
    for _ in range(3):
        budget.take()
        started.append(fake.now)
    gaps = [b - a for a, b in zip(started, started[1:], strict=False)]
    assert all(0.5 <= gap < 0.56 for gap in gaps), gaps


def test_calls_straddling_a_second_boundary_are_still_spaced(store):
    """Issue 12, item 8: 0.2 s apart across a second boundary used to pass."""
    fake = FakeTime(now=1_000_000.9)
    budget = Budget(store, tps=1, tpd=100, clock=fake, sleep=fake.sleep)
    budget.take()
    first = fake.now
    fake.now += 0.2  # 1_000_001.1: a new second
    budget.take()
    assert fake.now - first >= 1.0


def test_a_caller_that_left_late_still_gets_its_spacing(store):
    """A process that woke late from its wait (a busy machine) recorded its
    real departure: the next caller waits a full 1/TPS after that."""
    fake = FakeTime()
    late = fake.now + 0.5
    store.claim_departure("amazon:sent", 1.0, lambda: late)
    budget = Budget(store, tps=1, tpd=100, clock=fake, sleep=fake.sleep)
    budget.take()
    assert fake.now - late >= 1.0


def test_two_budgets_on_one_store_share_the_count(store):
    fake = FakeTime()
    first = Budget(store, tps=1, tpd=100, clock=fake, sleep=fake.sleep)
    second = Budget(store, tps=1, tpd=100, clock=fake, sleep=fake.sleep)
    first.take()
    second.take()
    assert len(fake.sleeps) == 1
    assert first.used_today() == 2


def test_a_rate_below_one_spreads_calls_over_seconds(store):
    fake = FakeTime(now=1_000_000.0)
    budget = Budget(store, tps=0.5, tpd=100, clock=fake, sleep=fake.sleep)
    budget.take()
    budget.take()
    assert fake.now >= 1_000_002


def test_a_spent_day_raises_without_waiting(store):
    fake = FakeTime()
    budget = Budget(store, tps=10, tpd=2, clock=fake, sleep=fake.sleep)
    budget.take()
    budget.take()
    waited = len(fake.sleeps)
    with pytest.raises(CatalogBudgetExhausted, match="day"):
        budget.take()
    assert len(fake.sleeps) == waited


def test_the_day_budget_comes_back_the_next_day(store):
    fake = FakeTime(now=86400 * 100 + 10)
    budget = Budget(store, tps=10, tpd=1, clock=fake, sleep=fake.sleep)
    budget.take()
    fake.now += 86400
    budget.take()  # no exception


def test_a_busy_budget_gives_up_after_max_wait(store):
    fake = FakeTime()
    budget = Budget(store, tps=1, tpd=100, max_wait=0.5, clock=fake, sleep=fake.sleep)
    budget.take()
    with pytest.raises(CatalogBudgetExhausted, match="busy"):
        budget.take()


# -- the service over the stub-server ----------------------------------------------
def amazon_settings(stub_server, **extra):
    return {
        "WIDGET_CATALOG": "amazon",
        "WIDGET_SEED_DEMO": False,
        "WIDGET_AMAZON_API_URL": stub_server.url,
        "WIDGET_AMAZON_TOKEN_URL": stub_server.url + "/oauth2/token",
        "WIDGET_AMAZON_CREDENTIAL_ID": "stub-client",
        "WIDGET_AMAZON_CREDENTIAL_SECRET": "stub-secret",
        "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
    } | extra


TOPICS = [
    Topic(slug=f"t{n}", title=f"Topic {n}", keywords=words)
    for n, words in enumerate(
        ["nasa artemis", "science fiction", "moon", "mars", "space", "robots"]
    )
]


class RecordingStore(SQLiteStore):
    """Notes each departure the budget grants, at the store's clock reading."""

    def __init__(self, path, granted):
        super().__init__(path)
        self.granted = granted

    def claim_departure(self, bucket, spacing, clock):
        read = []

        def noted():
            read.append(clock())
            return read[-1]

        wait = super().claim_departure(bucket, spacing, noted)
        if wait <= 0:
            self.granted.append(read[-1])
        return wait


def test_a_burst_of_refreshes_from_two_workers_stays_within_tps(
    make_app, stub_server, tmp_path
):
    # Counted where the budget decides, on its own clock: the arrival times
    # at the stub-server also carry each call's trip, so on a loaded machine
    # a call granted at x.99 s may arrive in the next second.
    granted = []
    workers = [
        make_app(
            store=RecordingStore(tmp_path / "shared.db", granted),
            **amazon_settings(stub_server, WIDGET_AMAZON_TPS=2),
        )
        for _ in range(2)
    ]
    store = workers[0].extensions["widget"].store
    for topic in TOPICS:
        store.add_topic(topic)
    outcomes = []

    def refresh(app, slug):
        outcomes.append(app.extensions["widget"].lists.refresh(slug))

    threads = [
        threading.Thread(target=refresh, args=(workers[n % 2], topic.slug))
        for n, topic in enumerate(TOPICS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [o.outcome.ok for o in outcomes] == [True] * len(TOPICS)
    assert len(stub_server.calls("searchItems")) == len(granted) == len(TOPICS)
    per_second = Counter(int(moment) for moment in granted)
    assert max(per_second.values()) <= 2 and len(per_second) >= 3
    granted.sort()
    gaps = [b - a for a, b in zip(granted, granted[1:], strict=False)]
    assert min(gaps) >= 0.5  # 1/TPS, whichever worker called


def test_a_spent_day_keeps_the_last_good_list(make_app, stub_server):
    app = make_app(**amazon_settings(stub_server, WIDGET_AMAZON_TPD=1))
    found = app.extensions["widget"]
    found.store.add_topic(TOPICS[0])
    assert found.lists.refresh("t0").outcome.ok
    again = found.lists.refresh("t0")
    assert again.outcome is Outcome.FAILED
    assert again.error.kind == "budget"
    assert len(again.state.snapshot.products) == 10
    assert len(stub_server.calls("searchItems")) == 1


def test_the_amazon_catalog_serves_widgets_and_health(make_app, stub_server):
    app = make_app(
        **amazon_settings(stub_server, WIDGET_AMAZON_CREDENTIAL_VERSION="2.1")
    )
    client = app.test_client()
    assert client.get("/healthz").json["catalog"] == "amazon"
    app.extensions["widget"].store.add_topic(TOPICS[0])
    page = client.get("/widget/t0")
    assert page.status_code == 200
    assert b"https://www.amazon.com/dp/" in page.data
    assert b"tag=mysite-20" in page.data


def test_amazon_without_credentials_does_not_start(make_app, stub_server):
    settings = amazon_settings(stub_server)
    del settings["WIDGET_AMAZON_CREDENTIAL_SECRET"]
    with pytest.raises(ConfigError, match="WIDGET_AMAZON_CREDENTIAL_SECRET"):
        make_app(**settings)
