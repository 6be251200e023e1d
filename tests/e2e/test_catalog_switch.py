"""Switching WIDGET_CATALOG from the stub to Amazon under real gunicorn: the
demo lists are never served again, and each topic is refetched at once."""

import time

import pytest
import requests

from tests.e2e.amazon import amazon_env
from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

SLUGS = ("nasa-artemis", "science-fiction")
PUBLIC = (
    "/",
    "/api/v1/topics",
    *(f"/widget/{slug}" for slug in SLUGS),
    *(f"/widget/{slug}/fragment" for slug in SLUGS),
    *(f"/api/v1/topics/{slug}" for slug in SLUGS),
)


@pytest.mark.timeout(120)
def test_no_demo_link_is_served_after_switching_to_amazon(tmp_path, stub_server):
    with gunicorn(tmp_path, workers=2) as base:  # WIDGET_CATALOG=stub
        for slug in SLUGS:
            page = requests.get(f"{base}/widget/{slug}", timeout=30)
            assert "tag=stubdemo-20" in page.text
    env = amazon_env(
        stub_server, WIDGET_SCHEDULER="true", WIDGET_SCHEDULE_EVERY="1"
    )  # partner tag mysite-20
    with gunicorn(tmp_path, workers=2, env=env) as base:
        served = []
        deadline = time.monotonic() + 60
        while True:
            pages = {path: requests.get(base + path, timeout=30) for path in PUBLIC}
            served += [(path, r.status_code, r.text) for path, r in pages.items()]
            if all("tag=mysite-20" in pages[f"/widget/{slug}"].text for slug in SLUGS):
                break
            assert time.monotonic() < deadline, "the topics were not refetched"
            time.sleep(0.2)
        health = requests.get(f"{base}/healthz", timeout=10).json()
    assert health["catalog"] == "amazon" and health["stub_lists"] == 0
    for path, status, text in served:
        assert "stubdemo-20" not in text, path
        assert status in (200, 503), path
    # Refetched at once, not after their 12-hour interval. Known race (see the
    # closing note of issue 12): under load a first visit and the schedule's
    # first look can both fetch one topic, so up to one extra call.
    calls = len(stub_server.calls("searchItems"))
    assert len(SLUGS) <= calls <= len(SLUGS) + 1
