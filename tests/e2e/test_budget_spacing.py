"""Issue 12, item 8: a burst of upstream calls from several gunicorn workers
reaches the Creators API (the wire-format stub-server) spaced at least
1/TPS apart, whichever worker makes each call.

The gaps are measured where the upstream sees them: the arrival stamps of a
stub-server in a process of its own. They include the time each request
spends in transit, so on a machine loaded far past its cores a stalled
process can show a shorter gap than the service kept: rerun it alone then.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.amazon import amazon_env
from tests.e2e.servers import gunicorn
from tests.e2e.servers import stub_server_process
from widget.models import Topic
from widget.store import make_store

pytestmark = pytest.mark.e2e

TOKEN = "budget-spacing-admin-token"
TPS = 10
CALLS = 60
WORDS = ("nasa", "space", "science", "fiction", "moon", "mars")


def min_gap_of_a_burst(base: str, stub_server) -> float:
    """Refresh CALLS topics at once; the smallest gap between the calls the
    stub-server saw."""
    stub_server.reset()

    def refresh(n: int) -> int:
        return requests.post(
            f"{base}/api/v1/topics/t{n}/refresh",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(CALLS) as pool:
        assert list(pool.map(refresh, range(CALLS))) == [200] * CALLS
    calls = stub_server.calls("searchItems")
    assert len(calls) == CALLS and {c["status"] for c in calls} == {200}
    arrivals = sorted(c["at"] for c in calls)
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    return min(gaps)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_burst_from_several_workers_is_spaced_one_over_tps(
    tmp_path, backend, request
):
    store_url = (
        request.getfixturevalue("redis_url")
        if backend == "redis"
        else f"sqlite:///{tmp_path}/widget.db"
    )
    store = make_store(store_url)
    for n in range(CALLS):
        store.add_topic(Topic(f"t{n}", f"Topic {n}", WORDS[n % len(WORDS)]))
    store.set_meta("seeded", "1")
    store.close()
    with stub_server_process(tmp_path) as stub_server:
        env = amazon_env(
            stub_server,
            WIDGET_STORE=store_url,
            WIDGET_AMAZON_TPS=str(TPS),
            WIDGET_ADMIN_TOKEN=TOKEN,
            WIDGET_LEASE_TTL="30",
            WIDGET_LOG_LEVEL="warning",
        )
        with gunicorn(
            tmp_path,
            workers=4,
            env=env,
            extra_args=("-k", "gthread", "--threads", "16"),
        ) as base:
            gap = min_gap_of_a_burst(base, stub_server)
    print(f"{backend}: minimum gap {gap * 1000:.1f} ms between {CALLS} calls")
    assert gap >= 1 / TPS
