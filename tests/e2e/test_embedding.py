"""A widget never breaks the page it is embedded in: a blog post on
127.0.0.1 (another origin than the service on localhost) pastes the
recommended snippet, in Debian's headless Chromium.

Every case runs under a hostile theme stylesheet at 320 and 1,200 px and
checks what a reader would notice: nothing moves (cumulative layout shift
0), no frame shows the browser's error page, the blogger's fallback comes
back where the box cannot be shown, the disclosure and the footer stay
readable, no console errors, no cookies.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.e2e.visit import Visit
from tests.e2e.visit import origin
from widget.embed import box_height

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = (320, 1200)
LOADS = ("plain", "async", "defer", "injected")
EMBEDS = ("inline", "iframe", "plain", "ssi")
MISTYPED = "nasa-artemsi"
REMOVED = "removed-topic"
BAD_PARAMS = ("count=99", "layout=foo", "lang=de-DE", "lang=EN", "theme=purple")
UNAVAILABLE = "This book list is not available."


@dataclass(frozen=True)
class Case:
    embed: str  # inline / iframe (embed.js), plain (iframe), ssi (fragment)
    load: str = "async"  # how the page loads embed.js
    topic: str = "nasa-artemis"
    param: str = ""  # one value a blogger changed by hand

    @property
    def shows_box(self) -> bool:
        return self.topic == "nasa-artemis"

    @property
    def uses_script(self) -> bool:
        return self.embed in ("inline", "iframe")

    def __str__(self) -> str:
        topic = {MISTYPED: "mistyped", REMOVED: "removed"}.get(self.topic, "")
        parts = [self.embed, self.load if self.uses_script else "", topic, self.param]
        return "-".join(re.sub(r"[^a-zA-Z0-9]+", "", p) for p in parts if p)


CASES = (
    [Case(embed, load) for embed in ("inline", "iframe") for load in LOADS]
    + [Case("plain"), Case("ssi")]
    + [Case(embed, topic=topic) for topic in (MISTYPED, REMOVED) for embed in EMBEDS]
    + [Case(embed, param=param) for param in BAD_PARAMS for embed in EMBEDS]
)


#: Measured cumulative layout shift per case and width, for the record.
MEASURED: dict[str, dict[int, float]] = {}


@pytest.fixture(scope="module", autouse=True)
def cls_table():
    """Write ``test-artifacts/embed-cls.txt``: the CLS of every case."""
    yield
    if MEASURED:
        ARTIFACTS.mkdir(exist_ok=True)
        rows = [f"{'case':<34} {'320 px':>8} {'1200 px':>8}"]
        for name, by_width in MEASURED.items():
            cells = [
                f"{by_width[w]:>8.4f}" if w in by_width else " " * 8 for w in WIDTHS
            ]
            rows.append(f"{name:<34} " + " ".join(cells))
        (ARTIFACTS / "embed-cls.txt").write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def removed_topic(service):
    """A topic that existed (and had its list) and was then removed."""
    api = f"{service}/api/v1/topics"
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    created = requests.post(
        api,
        json={"title": "Removed Topic", "slug": REMOVED, "keywords": "nasa artemis"},
        headers=auth,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert requests.get(f"{service}/widget/{REMOVED}", timeout=30).status_code == 200
    assert requests.delete(f"{api}/{REMOVED}", headers=auth, timeout=30).ok
    return REMOVED


@pytest.fixture
def blog(browser, service, host, removed_topic):
    opened = []

    def factory(width, **query):
        visit = Visit(browser, service, host, width)
        opened.append(visit)
        params = "&".join(f"{k}={quote(str(v))}" for k, v in query.items() if v)
        visit.page.goto(f"{host}/blog?hostile=1&{params}")
        return visit

    yield factory
    for each in opened:
        each.close()


# -- reading the page ----------------------------------------------------------
SETTLED = {
    # The box is in the shadow root, or embed.js has given up (the fragment
    # answered and no shadow root came).
    "inline": "(b => b.shadowRoot ? !!b.shadowRoot.querySelector('footer time')"
    " : !!b.getAttribute('data-widget-mounted'))"
    "(document.querySelector('div[data-widget-topic]'))",
    # The iframe fitted to its document, or the fallback back in its place.
    "iframe": "(b => !!b.shadowRoot && (!!b.shadowRoot.querySelector('slot') ||"
    " (f => f && f.getBoundingClientRect().height > 0)"
    "(b.shadowRoot.querySelector('iframe'))))"
    "(document.querySelector('div[data-widget-topic]'))",
}


def settle(visit: Visit, case: Case) -> None:
    """Wait until the widget is whatever it will be, then for two frames."""
    if case.load == "injected" and case.uses_script:
        visit.page.wait_for_timeout(3000)
    deadline = time.monotonic() + 20
    if case.embed in SETTLED:
        visit.page.wait_for_function(SETTLED[case.embed], timeout=20000)
    if case.embed == "inline":
        # A fragment that cannot be shown leaves nothing to wait for: wait
        # for its answer instead.
        while not any("/fragment" in url for url in visit.finished):
            assert time.monotonic() < deadline, visit.requests
            visit.page.wait_for_timeout(50)
    if case.embed in ("iframe", "plain") and case.shows_box:
        frame = widget_frame(visit, case)
        frame.wait_for_selector("footer time")
        if case.embed == "iframe":
            wait_fitted(visit, frame)
    if case.embed == "iframe" and not case.shows_box:
        visit.page.wait_for_function(
            "!!document.querySelector('div[data-widget-topic]').shadowRoot"
            ".querySelector('slot')",
            timeout=20000,
        )
    visit.page.wait_for_timeout(300)  # a late shift would have happened by now


def widget_frame(visit: Visit, case: Case):
    selector = "div[data-widget-topic] iframe" if case.embed == "iframe" else "iframe"
    frame = visit.page.locator(selector).element_handle().content_frame()
    assert frame is not None
    return frame


def wait_fitted(visit: Visit, frame) -> None:
    element = visit.page.locator("div[data-widget-topic] iframe")
    deadline = time.monotonic() + 10
    while True:
        content = frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        box = element.evaluate("f => f.getBoundingClientRect().height")
        if box == content:
            return
        assert time.monotonic() < deadline, (box, content)
        visit.page.wait_for_timeout(50)


COLOURS = """selector => {
  const find = root => {
    const found = root.querySelector(selector);
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const inner = find(el.shadowRoot); if (inner) return inner; }
    }
    return null;
  };
  const el = find(document);
  const style = getComputedStyle(el);
  let node = el, bg = 'rgb(255, 255, 255)';
  while (node) {
    const c = getComputedStyle(node).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    node = node.parentElement || (node.getRootNode().host || null);
  }
  const rect = el.getBoundingClientRect();
  const box = el.closest('.bw').getBoundingClientRect();
  return {fg: style.color, bg: bg, transform: style.textTransform,
          inside: rect.height > 0 && rect.bottom <= box.bottom + 0.5
                  && box.bottom <= (window.innerHeight || 1e9) + 0.5};
}"""


def luminance(rgb: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def box_context(visit: Visit, case: Case):
    """Where the box's document is: the page itself, or the widget's frame."""
    if case.embed in ("iframe", "plain"):
        return widget_frame(visit, case)
    return visit.page


def assert_box_is_readable(visit: Visit, case: Case) -> None:
    where = box_context(visit, case)
    for part in (".bw .bw-disc", ".bw footer"):
        found = where.evaluate(COLOURS, part)
        ratio = contrast(found["fg"], found["bg"])
        assert ratio >= 4.5, (part, found)
        assert found["inside"], part  # whole, not cut off or scrolled away
        assert found["transform"] == "none", part
    footer = "Stand: " if case.param == "lang=de-DE" else "Last update on "
    assert where.locator(".bw footer time").inner_text().startswith(footer)
    heading = where.evaluate(COLOURS, ".bw h2")
    assert heading["transform"] == "none" and "255, 0, 0" not in heading["fg"]
    title = where.locator(".bw a.bw-title").first
    assert title.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"


# -- the matrix ------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_page_never_breaks(blog, service, case, width):
    visit = blog(
        width,
        embed=case.embed,
        load=case.load,
        topic=case.topic,
        param=case.param,
    )
    settle(visit, case)

    shift = visit.layout_shift()
    MEASURED.setdefault(str(case), {})[width] = shift
    assert shift == 0
    # No frame is the browser's error page ("refused to connect").
    assert [f.url for f in visit.page.frames if f.url.startswith("chrome-error")] == []
    not_found = "" if case.shows_box else f"{service}/widget/"
    assert visit.unexpected_errors(not_found) == []
    assert visit.outside == []
    assert visit.context.cookies() == []

    page = visit.page
    fallback = page.locator("div[data-widget-topic] > div > a")
    if case.shows_box:
        where = box_context(visit, case)
        assert where.locator(".bw ol > li").count() == 10  # defaults, not broken
        assert where.locator(".bw").get_attribute("data-layout") == "list"
        assert_box_is_readable(visit, case)
        if case.uses_script:
            assert not fallback.is_visible()
    elif case.uses_script:
        # The blogger's own fallback, in the space kept for the box.
        assert fallback.is_visible()
        assert fallback.text_content() == "NASA Artemis books"
        assert page.locator(".bw").count() == 0
        assert page.locator("div[data-widget-topic] iframe").count() == 0
        assert page.locator("div[data-widget-topic]").evaluate(
            "b => b.getBoundingClientRect().height"
        ) == box_height("list", 10, "en", width - 32)
    else:
        # A plain iframe or an include: one neutral line, nothing else.
        where = box_context(visit, case)
        assert where.locator(".bw").inner_text().strip() == UNAVAILABLE
        assert where.locator(".bw footer, .bw h2").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(
        path=ARTIFACTS / f"embed-{case}-{width}.png",
        clip={"x": 0, "y": 0, "width": width, "height": min(height, 1600)},
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_an_old_snippet_shifts_the_page_unless_the_script_runs_at_once(blog, width):
    """The control: the measurement sees shifts. A div that reserves
    nothing is only safe with a plain script right after it."""
    shifts = {}
    for load in ("async", "plain"):
        visit = blog(width, embed="inline", load=load, legacy=1, hostile="")
        settle(visit, Case("inline", load))
        shifts[load] = visit.layout_shift()
    MEASURED.setdefault("old snippet, async (control)", {})[width] = shifts["async"]
    MEASURED.setdefault("old snippet, plain (control)", {})[width] = shifts["plain"]
    assert shifts["async"] > 0
    assert shifts["plain"] == 0


# -- what every layout and language reserves ------------------------------------
VARIANTS = ",".join(
    f"{layout}:{count}:{lang}"
    for layout in ("list", "grid", "compact")
    for count in (1, 3, 10)
    for lang in ("en", "fr", "ja")
)


@pytest.mark.parametrize(
    "mode, width",
    [("inline", w) for w in (312, 320, 700, 1200)]
    + [("iframe", 320), ("iframe", 1200)],
)
def test_every_layout_count_and_language_fills_exactly_its_reserved_space(
    blog, mode, width
):
    visit = blog(width, variants=VARIANTS, embed=mode)
    boxes = visit.page.locator("div[data-widget-topic]")
    assert boxes.count() == 27
    reserved = boxes.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    if mode == "inline":
        visit.page.wait_for_function(
            "[...document.querySelectorAll('div[data-widget-topic]')]"
            ".every(b => b.shadowRoot && b.shadowRoot.querySelector('footer time'))",
            timeout=30000,
        )
    else:
        for index in range(27):
            # The frames are lazy: each loads when the reader gets near it.
            boxes.nth(index).scroll_into_view_if_needed()
            frame = boxes.nth(index).locator("iframe").element_handle().content_frame()
            frame.wait_for_selector("footer time")
        visit.page.wait_for_timeout(500)  # every frame has reported its height
    visit.page.wait_for_timeout(300)
    shown = boxes.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    expected = [
        box_height(layout, int(count), lang, width - 32)
        for layout, count, lang in (v.split(":") for v in VARIANTS.split(","))
    ]
    assert reserved == expected
    assert shown == expected
    assert visit.layout_shift() == 0
    assert visit.unexpected_errors() == []


# -- where a click leaves from ------------------------------------------------------
@pytest.mark.parametrize(
    "referrer, expected",
    [
        # The blog's own policy decides, as for any link the blogger wrote.
        ("no-referrer-when-downgrade", "post"),
        ("", "blog origin"),
    ],
)
def test_a_click_in_inline_mode_leaves_from_the_blog_post(
    blog, service, host, referrer, expected
):
    product = requests.get(f"{service}/api/v1/topics/nasa-artemis", timeout=10)
    first_url = product.json()["products"][0]["url"]
    visit = blog(1200, embed="inline", referrer=referrer)
    link = visit.page.locator("div[data-widget-topic] a.bw-title").first
    link.wait_for()
    assert link.get_attribute("href") == first_url
    with visit.context.expect_page() as opened:
        link.click()
    product_page = opened.value
    product_page.wait_for_load_state()
    assert product_page.url == first_url  # exactly the product's URL
    assert visit.outside == [first_url]
    post = visit.page.url
    assert visit.referers == [post if expected == "post" else origin(host) + "/"]
    assert origin(service) not in visit.referers[0]


def test_in_an_iframe_the_click_leaves_from_the_widget_host(blog, service):
    visit = blog(1200, embed="iframe")
    frame = visit.page.locator("div[data-widget-topic] iframe").element_handle()
    link = frame.content_frame().locator("a.bw-title").first
    with visit.context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    assert visit.referers == [origin(service) + "/"]


# -- the price note opens over the list -------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_opening_the_price_note_does_not_move_anything(
    browser, aged_service, host, width
):
    port = aged_service.rsplit(":", 1)[1]
    visit = Visit(browser, aged_service, host, width)
    try:
        visit.allowed.add(origin(aged_service))
        visit.page.goto(f"{host}/blog?embed=inline&service={port}&hostile=1")
        summary = visit.page.locator("div[data-widget-topic] summary")
        summary.wait_for()
        box = visit.page.locator("div[data-widget-topic]")
        before = box.evaluate("b => b.getBoundingClientRect().height")
        summary.click()
        disclaimer = visit.page.locator("div[data-widget-topic] details p")
        disclaimer.wait_for()
        assert disclaimer.is_visible()
        assert box.evaluate("b => b.getBoundingClientRect().height") == before
        assert visit.page.locator("div[data-widget-topic] footer").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        box.screenshot(path=ARTIFACTS / f"embed-price-note-open-{width}.png")
    finally:
        visit.close()
