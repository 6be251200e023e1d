"""Many threads against gthread workers (the shipped gunicorn.conf.py), with
edits and refreshes interleaved with widget requests: no 500, and every
widget body is the one its ETag names (no response torn or shared)."""

import hashlib
import random
import threading
import time
from collections import Counter

import pytest
import requests

from tests.e2e.servers import ROOT
from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

TOKEN = "e2e-admin-token-threads"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SLUGS = ("nasa-artemis", "science-fiction")
CLIENTS = 24
SECONDS = 10.0


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class Client:
    def __init__(self, base: str, seed: int) -> None:
        self.base = base
        self.session = requests.Session()
        self.random = random.Random(seed)
        self.seen: list[str] = []
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.torn: list[str] = []

    def widget(self) -> None:
        slug = self.random.choice(SLUGS)
        kind = self.random.choice(("", "/fragment"))
        query = {
            "count": self.random.randint(1, 10),
            "layout": self.random.choice(("list", "grid", "compact")),
            "theme": self.random.choice(("light", "dark", "auto")),
            "lang": self.random.choice(("en", "de", "ja")),
        }
        headers = {}
        if self.seen and self.random.random() < 0.2:
            headers["If-None-Match"] = self.random.choice(self.seen)
        response = self.session.get(
            f"{self.base}/widget/{slug}{kind}",
            params=query,
            headers=headers,
            timeout=30,
        )
        self.statuses["widget", response.status_code] += 1
        etag = response.headers.get("ETag", "")
        if response.status_code == 200:
            if etag != etag_of(response.content) or "," in etag:
                self.torn.append(f"{response.url}: ETag {etag}")
            self.seen.append(etag)
        elif response.status_code == 304 and etag != headers.get("If-None-Match"):
            # A 304 names the version the client holds, nothing else.
            self.torn.append(f"{response.url}: 304 for {etag}")

    def read(self) -> None:
        slug = self.random.choice(SLUGS)
        response = self.session.get(f"{self.base}/api/v1/topics/{slug}", timeout=30)
        self.statuses["read", response.status_code] += 1
        if response.status_code == 200 and response.json()["slug"] != slug:
            self.torn.append(f"{response.url}: another topic's JSON")

    def edit(self) -> None:
        slug = self.random.choice(SLUGS)
        body = {
            "title": f"{slug.replace('-', ' ').title()} {self.random.randint(1, 99)}",
            "item_count": self.random.randint(3, 10),
        }
        response = self.session.put(
            f"{self.base}/api/v1/topics/{slug}", json=body, headers=AUTH, timeout=30
        )
        self.statuses["edit", response.status_code] += 1

    def refresh(self) -> None:
        slug = self.random.choice(SLUGS)
        response = self.session.post(
            f"{self.base}/api/v1/topics/{slug}/refresh", headers=AUTH, timeout=30
        )
        self.statuses["refresh", response.status_code] += 1

    def run(self, until: float) -> None:
        actions = [self.widget] * 14 + [self.read] * 3 + [self.edit] * 2
        actions.append(self.refresh)
        while time.monotonic() < until:
            self.random.choice(actions)()


@pytest.mark.timeout(180)
def test_threads_edits_and_refreshes_interleaved_give_no_500(tmp_path):
    env = {
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_LOG_LEVEL": "warning",
        # A small cache: nearly every request evicts, where unlocked caches
        # fail under threads.
        "WIDGET_CACHE_SIZE": "8",
    }
    shipped = ("-c", str(ROOT / "gunicorn.conf.py"))
    with gunicorn(tmp_path, workers=2, env=env, extra_args=shipped) as base:
        for slug in SLUGS:  # first lists, so every widget request can be a 200
            assert requests.get(f"{base}/widget/{slug}", timeout=30).ok
        clients = [Client(base, seed) for seed in range(CLIENTS)]
        until = time.monotonic() + SECONDS
        threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sum((c.statuses for c in clients), Counter())
    torn = [t for c in clients for t in c.torn]
    total = sum(statuses.values())
    errors = sum(n for (_, status), n in statuses.items() if status >= 500)
    print(f"\n{total} requests from {CLIENTS} threads: {dict(statuses)}; 5xx {errors}")
    assert total > 500
    assert errors == 0 and torn == []
    allowed = {
        "widget": {200, 304},
        "read": {200},
        "edit": {200},
        "refresh": {200, 202, 409},
    }
    assert all(status in allowed[kind] for kind, status in statuses), statuses
    assert statuses["edit", 200] > 0 and statuses["refresh", 200] > 0
