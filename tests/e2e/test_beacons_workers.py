"""Beacon counts agree whichever worker or host takes each beacon: three
gunicorn workers on SQLite, and two hosts (two workers each) on one Redis.

Every visitor clicks twice, each time through another connection (and on
two hosts, another host): the day's salt and "first click today" live in
the store, so every visitor is one unique click however their clicks were
spread.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from itertools import cycle

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)
SLUG = "nasa-artemis"
VISITORS = 40
ENV = {
    "WIDGET_LOG_LEVEL": "warning",
    "WIDGET_ADMIN_TOKEN": ADMIN_TOKEN,
    "WIDGET_SCHEDULER": "off",
    # Visitors differ by X-Forwarded-For, as behind one reverse proxy.
    "WIDGET_TRUSTED_PROXIES": "1",
    "WIDGET_SECRET_KEY": "beacon-workers-secret-key-0123456789abcdef",
}


def shown(url: str) -> tuple[str, str]:
    """The first item's ASIN and the store, as the widget shows them."""
    html = requests.get(f"{url}/widget/{SLUG}", timeout=30).text
    asin = re.search(r'class="bw-title" href="https://[^/]+/dp/(\w{10})', html).group(1)
    store = re.search(r'data-store="([^"]+)"', html).group(1)
    return asin, store


def beacon(url: str, visitor: int, event: dict) -> int:
    response = requests.post(
        f"{url}/api/v1/events",
        data=json.dumps(event),
        headers={
            "Content-Type": "text/plain;charset=UTF-8",
            "User-Agent": BROWSER,
            "X-Forwarded-For": f"198.51.{visitor // 200}.{visitor % 200 + 1}",
        },
        timeout=30,
    )
    return response.status_code


def visit_and_click_twice(urls: list[str]) -> None:
    asin, store = shown(urls[0])
    seen = {
        "type": "impression",
        "topic": SLUG,
        "store": store,
        "page": "https://b.example/p",
    }
    click = seen | {"type": "click", "asin": asin, "position": 1}
    hosts = cycle(urls)
    jobs = []
    for visitor in range(VISITORS):
        jobs += [(next(hosts), visitor, seen), (next(hosts), visitor, click)]
        jobs += [(next(hosts), visitor, click)]
    with ThreadPoolExecutor(24) as pool:
        statuses = list(pool.map(lambda job: beacon(*job), jobs))
    assert statuses == [204] * len(jobs)


def totals(url: str) -> dict:
    response = requests.get(
        f"{url}/api/v1/topics/{SLUG}/stats?days=1", headers=AUTH, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["total"]


EXPECTED = {
    "period": "total",
    "impressions": VISITORS,
    "clicks": 2 * VISITORS,
    "unique_clicks": VISITORS,
    "ctr": 2.0,
}


def test_three_workers_agree_on_the_counts(tmp_path):
    with gunicorn(tmp_path, app="widget:create_app()", workers=3, env=ENV) as url:
        # Many connections: the beacons land on all three workers.
        visit_and_click_twice([url] * 4)
        answers = [totals(url) for _ in range(6)]
    assert answers == [EXPECTED] * 6


def test_two_hosts_on_one_redis_agree_on_the_counts(tmp_path, redis_url):
    env = ENV | {"WIDGET_STORE": redis_url}
    with ExitStack() as stack:
        urls = [
            stack.enter_context(
                gunicorn(tmp_path, app="widget:create_app()", workers=2, env=env)
            )
            for _ in range(2)
        ]
        visit_and_click_twice(urls)
        answers = [totals(url) for url in urls for _ in range(3)]
    assert answers == [EXPECTED] * 6
