"""Click and impression beacons in real Chromium, from a blog post on
another origin (127.0.0.1) than the service (localhost, gunicorn).

Each embedding way (embed.js inline, embed.js iframe, the fragment pasted
by the blog's server) gets its own topic, placed below the fold: nothing
counts until the reader scrolls to it; then one impression; a click opens
exactly the product URL and counts one click; a second click the same day
is no second unique click; the page gets no cookies and no storage.

Headless Chromium says "HeadlessChrome" in its user agent, which the
service does not count (as any headless browser): these contexts present a
desktop Chrome user agent, and one test checks the headless one is ignored.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from widget.stubserver import serve_in_thread

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)
#: "strict": inline on a page whose CSP allows only our scripts (no inline ones)
MODES = ("inline", "iframe", "ssi", "strict")
FOLD = '<div style="height:2400px">The post begins.</div>'


@pytest.fixture(scope="module", autouse=True)
def topics(service):
    """A topic per way of embedding, so each test counts alone (``service``
    is gunicorn over the stub catalog, tests/e2e/conftest.py)."""
    for mode in (*MODES, "headless"):
        topic = {"title": f"Beacons {mode}", "keywords": "nasa artemis"}
        created = requests.post(
            f"{service}/api/v1/topics", json=topic, headers=AUTH, timeout=30
        )
        assert created.status_code == 201, created.text


def post_page(service: str, mode: str, slug: str) -> str:
    if mode == "ssi":  # what the blog's server-side include puts in the page
        box = requests.get(f"{service}/widget/{slug}/fragment", timeout=30).text
    else:
        box = (
            f'<div data-widget-topic="{slug}"'
            f' data-mode="{"iframe" if mode == "iframe" else "inline"}">'
            f'<a href="{service}/widget/{slug}">Books</a></div>'
            f'<script async src="{service}/embed.js"></script>'
        )
    csp = ""
    if mode == "strict":
        csp = (
            '<meta http-equiv="Content-Security-Policy"'
            f' content="script-src {service}; connect-src {service}">'
        )
    return (
        f"<!doctype html><html><head><meta charset=utf-8>{csp}<title>Post</title>"
        f'</head><body>{FOLD}<div id="box">{box}</div>{FOLD}</body></html>'
    )


@pytest.fixture(scope="module")
def host(service):
    def blog(environ, start_response):
        mode, _, slug = environ["PATH_INFO"].strip("/").partition("/")
        if mode not in MODES:
            start_response("204 No Content", [])
            return [b""]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [post_page(service, mode, slug).encode()]

    with serve_in_thread(blog) as url:
        yield url


def counts(service: str, slug: str) -> dict:
    response = requests.get(
        f"{service}/api/v1/topics/{slug}/stats?days=1", headers=AUTH, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(service: str, slug: str, **expected) -> dict:
    """The topic's totals once they are ``expected`` (beacons are async)."""
    deadline = time.monotonic() + 15
    while True:
        total = counts(service, slug)["total"]
        if all(total[k] == v for k, v in expected.items()):
            return total
        assert time.monotonic() < deadline, (total, expected)
        time.sleep(0.2)


class Reader:
    """One reader's browser context on the blog, with Amazon answered locally."""

    def __init__(self, browser, user_agent: str | None):
        options = {"user_agent": user_agent} if user_agent else {}
        self.context = browser.new_context(
            viewport={"width": 1000, "height": 800}, **options
        )
        self.opened: list[str] = []
        self.context.route("https://www.amazon.com/**", self._amazon)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # A script a page's CSP refuses is logged as a console error.
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )

    def _amazon(self, route):
        self.opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Amazon")

    def box(self, mode: str):
        """Where the first title link is: the page (shadow roots are pierced)
        or the widget's iframe."""
        if mode == "iframe":
            return self.page.frame_locator("div[data-widget-topic] iframe")
        return self.page

    def click_first_title(self, mode: str) -> str:
        with self.context.expect_page() as opened:
            self.box(mode).locator("a.bw-title").first.click()
        product = opened.value
        product.wait_for_load_state()
        url = product.url
        product.close()
        return url

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser):
    made = []

    def factory(user_agent: str | None = DESKTOP_CHROME) -> Reader:
        made.append(Reader(browser, user_agent))
        return made[-1]

    yield factory
    for each in made:
        each.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_box_counts_what_a_reader_sees_and_clicks(service, host, reader, mode):
    slug = f"beacons-{mode}"
    product_url = requests.get(f"{service}/api/v1/topics/{slug}", timeout=30).json()[
        "products"
    ][0]["url"]
    visit = reader()
    visit.page.goto(f"{host}/{mode}/{slug}")
    visit.box(mode).locator("footer time").wait_for()
    visit.page.wait_for_timeout(1500)
    # Below the fold: not seen, not counted.
    assert counts(service, slug)["total"]["impressions"] == 0

    visit.page.locator("#box").scroll_into_view_if_needed()
    wait_for(service, slug, impressions=1)
    # Scrolled away and back: still the same page view, still one.
    visit.page.evaluate("window.scrollTo(0, 0)")
    visit.page.wait_for_timeout(300)
    visit.page.locator("#box").scroll_into_view_if_needed()
    visit.page.wait_for_timeout(1500)

    # The link goes to exactly the product URL the API returned.
    assert visit.click_first_title(mode) == product_url
    total = wait_for(service, slug, clicks=1)
    assert total == {
        "period": "total",
        "impressions": 1,
        "clicks": 1,
        "unique_clicks": 1,
        "ctr": 1.0,
    }
    assert visit.opened == [product_url]

    # A second click the same day is a click, not a second unique one.
    assert visit.click_first_title(mode) == product_url
    total = wait_for(service, slug, clicks=2)
    assert total["unique_clicks"] == 1 and total["impressions"] == 1

    report = counts(service, slug)
    assert [i["asin"] for i in report["items"]] == [product_url.split("/dp/")[1][:10]]
    [page] = report["pages"]
    # Inline boxes know the post; an iframe only what the referrer policy
    # tells it (the origin, by default).
    assert page["page"].startswith(host)
    if mode != "iframe":
        assert page["page"] == f"{host}/{mode}/{slug}"

    # Nothing stored in the browser, on the blog's origin or the service's.
    assert visit.context.cookies() == []
    storage = "[localStorage.length, sessionStorage.length]"
    assert visit.page.evaluate(storage) == [0, 0]
    if mode == "iframe":
        # A third-party frame may not even look (Chromium denies it).
        guarded = (
            f"(() => {{ try {{ return {storage} }} catch (e) {{ return [0, 0] }} }})()"
        )
        frame = visit.page.locator("div[data-widget-topic] iframe")
        assert frame.element_handle().content_frame().evaluate(guarded) == [0, 0]
    assert visit.errors == []


def test_a_headless_browser_is_not_counted(service, host, reader):
    slug = "beacons-headless"
    visit = reader(user_agent=None)  # Chromium's own: "HeadlessChrome"
    assert "HeadlessChrome" in visit.page.evaluate("navigator.userAgent")
    visit.page.goto(f"{host}/inline/{slug}")
    visit.page.locator("footer time").wait_for()
    visit.page.locator("#box").scroll_into_view_if_needed()
    visit.page.wait_for_timeout(1500)
    visit.click_first_title("inline")
    visit.page.wait_for_timeout(1000)
    assert counts(service, slug)["total"] == {
        "period": "total",
        "impressions": 0,
        "clicks": 0,
        "unique_clicks": 0,
        "ctr": None,
    }
