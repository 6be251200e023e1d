"""A hand-picked box and an open-data fallback box as a reader sees them, in
headless Chromium. Open Library's cover host is played by the stub-server
(the browser's requests to it are answered from there); any other request
off the service is aborted and fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.conftest import COVERS
from tests.e2e.visit import origin
from widget.stubserver import serve_in_thread

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PICKS = [
    {"isbn": "978-0-00-000011-8", "note": "The one on the desk"},
    {"isbn": "0000000019", "note": "Start here"},
    {"asin": "B0STUBKND1", "note": "The ebook, for the train"},
    {"isbn": "9780316769488"},
]


class Reader:
    """One page in a fresh context: covers fetched from the stub-server,
    everything else off the service refused and recorded."""

    def __init__(self, browser, service: str, open_library: str) -> None:
        self.service, self.open_library = service, open_library
        self.outside: list[str] = []
        self.context = browser.new_context(viewport={"width": 420, "height": 1400})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(COVERS + "/"):
            answer = requests.get(
                self.open_library + url.removeprefix(COVERS), timeout=5
            )
            route.fulfill(
                status=answer.status_code,
                body=answer.content,
                content_type=answer.headers.get("Content-Type", ""),
            )
        elif origin(url) == origin(self.service):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def box(self, slug: str):
        self.page.goto(f"{self.service}/widget/{slug}")
        self.page.wait_for_load_state("networkidle")
        return self.page.locator("section.bw")

    def loaded_covers(self) -> list[int]:
        return self.page.evaluate(
            "[...document.images].map(i => i.complete ? i.naturalWidth : 0)"
        )


@pytest.fixture
def reader(browser, open_library):
    opened = []

    def factory(app):
        server = serve_in_thread(app)
        url = server.__enter__()
        opened.append((server, Reader(browser, url, open_library.url)))
        return opened[-1][1]

    yield factory
    for server, each in opened:
        each.context.close()
        server.__exit__(None, None, None)


def test_a_hand_picked_box(manual_app, reader):
    api = manual_app.test_client()
    body = {"title": "Moon desk", "catalog": "manual", "items": PICKS, "item_count": 4}
    assert api.post("/api/v1/topics", json=body, headers=AUTH).status_code == 201
    page = reader(manual_app)
    box = page.box("moon-desk")
    assert box.locator("li").count() == 4
    assert box.locator(".bw-pick").first.inner_text() == "The one on the desk"
    assert box.locator(".bw-price").count() == 0
    assert all(width > 1 for width in page.loaded_covers())
    assert len(page.loaded_covers()) == 2  # the ebook and the unknown book have none
    assert "Covers from Open Library" in box.locator("footer").inner_text()
    assert page.outside == []
    ARTIFACTS.mkdir(exist_ok=True)
    box.screenshot(path=ARTIFACTS / "manual-box.png")


def test_an_open_data_fallback_box(amazon_app, open_library, clock, reader):
    api = amazon_app.test_client()
    refresh = "/api/v1/topics/nasa-artemis/refresh"
    assert api.post(refresh, headers=AUTH).status_code == 200
    open_library.options.ineligible = True
    clock.advance(hours=24)
    assert api.post(refresh, headers=AUTH).status_code == 502
    page = reader(amazon_app)
    box = page.box("nasa-artemis")
    assert box.locator("li").count() == 6
    assert box.locator(".bw-price").count() == 0
    hrefs = box.locator("a.bw-title").evaluate_all("as => as.map(a => a.href)")
    assert all("/dp/" in h and h.endswith("?tag=mysite-20") for h in hrefs)
    assert all(width > 1 for width in page.loaded_covers())
    assert "Last update on 2026-11-27" in box.locator("footer").inner_text()
    assert page.outside == []
    ARTIFACTS.mkdir(exist_ok=True)
    box.screenshot(path=ARTIFACTS / "fallback-box.png")
