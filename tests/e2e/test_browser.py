"""Widgets as a reader sees them: a blog post on 127.0.0.1 embeds widgets from
the service on localhost, in Debian's headless Chromium.

One browser for the module, a fresh context (no shared cookies, cache or
storage) per case. Every request outside the two origins is aborted and
recorded, so nothing leaves the machine and a stray request fails the test.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.visit import Visit
from tests.e2e.visit import origin

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAYOUTS = ("list", "grid", "compact")
THEMES = ("light", "dark", "auto")
LIGHT_BG, DARK_BG = "rgb(255, 255, 255)", "rgb(24, 24, 27)"


@pytest.fixture
def visit(browser, service, host):
    opened = []

    def factory(width=1200, **options):
        opened.append(Visit(browser, service, host, width, **options))
        return opened[-1]

    yield factory
    for each in opened:
        each.close()


@pytest.mark.parametrize("width", [320, 1200])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_widget_fits_the_host_page(visit, layout, theme, width):
    # "auto" follows the reader's colour scheme: give it the dark one.
    scheme = "dark" if theme == "auto" else "light"
    v = visit(width, color_scheme=scheme).open(layout=layout, theme=theme)
    box, content = v.fitted_height()
    frame = v.frame()
    plain = v.frame("#plain")

    assert frame.locator("ol > li").count() == 10
    assert plain.locator("ol > li").count() == 10
    assert box == content
    # No inner scrollbar either way, and nothing wider than the box.
    assert frame.evaluate(
        "(d => d.scrollHeight <= d.clientHeight && d.scrollWidth <= d.clientWidth)"
        "(document.documentElement)"
    )
    assert v.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    expected_bg = DARK_BG if theme == "dark" or theme == "auto" else LIGHT_BG
    assert (
        frame.evaluate(
            "getComputedStyle(document.querySelector('.bw')).backgroundColor"
        )
        == expected_bg
    )
    assert frame.locator(".bw-disc").is_visible()
    assert frame.locator("footer").inner_text().startswith("Last update on ")
    assert v.layout_shift() == 0
    assert v.errors == []
    assert v.outside == []
    assert {origin(url) for url in v.requests} <= v.allowed
    assert v.context.cookies() == []
    ARTIFACTS.mkdir(exist_ok=True)
    v.embedded().screenshot(path=ARTIFACTS / f"widget-{layout}-{theme}-{width}.png")


@pytest.mark.parametrize("lang", ["de", "fr", "es", "it", "ja"])
def test_every_language_fits_a_280px_box(visit, lang):
    # 312 px viewport minus the host page's 16 px margins: a 280 px widget.
    v = visit(312).open(layout="list", lang=lang, topic="science-fiction")
    assert v.embedded().evaluate("f => f.getBoundingClientRect().width") == 280
    box, content = v.fitted_height()
    frame = v.frame()
    assert box == content
    assert frame.evaluate("document.documentElement.lang") == lang
    # The heading, disclosure and footer are whole, not clipped.
    assert frame.evaluate(
        "['h2', '.bw-disc', 'footer'].every(s =>"
        " (e => e.scrollHeight <= e.clientHeight)(document.querySelector(s)))"
    )
    assert frame.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert v.layout_shift() == 0
    assert v.errors == []


def test_height_follows_the_content(visit):
    v = visit(1200).open(layout="list")
    wide, _ = v.fitted_height()
    v.page.set_viewport_size({"width": 320, "height": 3000})
    v.page.wait_for_timeout(50)
    narrow, content = v.fitted_height()
    assert narrow == content
    assert narrow > wide
    # The price disclaimer opens over the list: the box keeps its height
    # and the footer stays in view.
    v.frame().locator("summary").click()
    assert v.frame().locator("details p").is_visible()
    opened, content = v.fitted_height()
    assert opened == content == narrow
    assert v.frame().evaluate(
        "document.querySelector('footer').getBoundingClientRect().bottom <= innerHeight"
    )


def test_clicking_a_product_opens_its_url_unchanged(visit, service):
    expected = requests.get(f"{origin(service)}/api/v1/topics/nasa-artemis", timeout=5)
    first_url = expected.json()["products"][0]["url"]
    v = visit(1200).open(layout="grid")
    link = v.frame().locator("ol > li a.bw-title").first
    assert link.get_attribute("href") == first_url
    assert link.get_attribute("rel") == "sponsored nofollow noopener"
    with v.context.expect_page() as opened:
        link.click()
    product_page = opened.value
    product_page.wait_for_load_state()
    assert product_page.url == first_url
    assert v.outside == [first_url]


def test_keyboard_focus_is_visible(visit):
    v = visit(1200).open(layout="list")
    frame = v.frame()
    frame.locator("a.bw-title").first.focus()
    v.page.keyboard.press("Tab")
    v.page.keyboard.press("Shift+Tab")
    outline = frame.evaluate(
        "(s => [s.outlineStyle, s.outlineWidth])"
        "(getComputedStyle(document.activeElement))"
    )
    assert outline == ["solid", "3px"]
    ARTIFACTS.mkdir(exist_ok=True)
    v.embedded().screenshot(path=ARTIFACTS / "focus-list-1200.png")


def test_height_messages_are_accepted_only_from_the_widget(visit):
    v = visit(1200).open(layout="compact")
    box, _ = v.fitted_height()
    # A message from the host page itself (another origin) is ignored.
    v.page.evaluate(
        "window.postMessage({type: 'bw:height', slug: 'nasa-artemis', height: 5}, '*')"
    )
    v.page.wait_for_timeout(200)
    assert v.embedded().evaluate("f => f.getBoundingClientRect().height") == box
    # The plain iframe posts its height too (same origin, another window):
    # embed.js only sizes the iframes it made, so the plain one keeps 1200.
    v.frame("#plain")
    plain = v.page.locator("#plain")
    assert plain.evaluate("f => f.getBoundingClientRect().height") == 1200


def test_without_javascript_the_plain_iframe_still_works(visit):
    v = visit(1200, java_script_enabled=False).open(layout="list")
    assert v.frame("#plain").locator("ol > li").count() == 10
    # The embed div keeps the blogger's fallback link.
    assert (
        v.page.locator("div[data-widget-topic] a")
        .get_attribute("href")
        .endswith("/widget/nasa-artemis")
    )
    assert v.errors == []


def test_preview_page_shows_the_snippet_it_hands_out(visit, service):
    v = visit(1200)
    v.page.goto(f"{service}/")
    boxes = v.page.locator("div[data-widget-topic]")
    assert boxes.count() == 2
    reserved = boxes.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    v.page.wait_for_function(
        "[...document.querySelectorAll('div[data-widget-topic]')]"
        ".every(b => b.shadowRoot && b.shadowRoot.querySelector('footer time'))"
    )
    shown = boxes.evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    assert shown == reserved
    assert v.page.locator("section#nasa-artemis .bw ol > li").count() == 10
    assert v.errors == []
    assert v.context.cookies() == []


@pytest.mark.parametrize("layout", ["list", "grid"])
@pytest.mark.parametrize("width", [280, 320, 1200])
def test_prices_with_their_time_fit_without_truncation(
    visit, aged_service, layout, width
):
    port = urlsplit(aged_service).port
    v = visit(width).open(layout=layout, lang="de", service=port)
    box, content = v.fitted_height()
    frame = v.frame()
    assert box == content
    assert v.layout_shift() == 0
    prices = frame.locator(".bw-price")
    assert prices.count() == 10
    # The time follows the price; a saving after it may wrap out of sight.
    assert " (12:00 UTC*)" in prices.first.inner_text()
    # No price line is cut off: its "as of" time is always readable.
    assert frame.evaluate(
        "[...document.querySelectorAll('.bw-price')]"
        ".every(p => p.scrollWidth <= p.clientWidth)"
    )
    assert "Preise Stand 26.11.2026, 12:00 UTC" in frame.locator("summary").inner_text()
    assert v.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    v.embedded().screenshot(path=ARTIFACTS / f"aged-de-{layout}-{width}.png")


@pytest.mark.parametrize("mode", ["iframe", "inline"])
def test_pages_outside_frame_ancestors_get_the_fallback(visit, host, mode):
    # Same blog page, reached as localhost: not in WIDGET_FRAME_ANCESTORS,
    # so it may neither frame a widget nor read its fragment.
    v = visit(1200)
    v.allowed.add(host.replace("127.0.0.1", "localhost"))
    v.page.goto(host.replace("127.0.0.1", "localhost") + f"/post?mode={mode}")
    refused = "frame-ancestors" if mode == "iframe" else "CORS policy"
    deadline = time.monotonic() + 10
    while not any(refused in e for e in v.errors):
        assert time.monotonic() < deadline, v.errors
        v.page.wait_for_timeout(50)
    # embed.js gives up on the box (an iframe that never reports is an
    # error page) and the blogger's fallback link is back.
    fallback = v.page.locator("div[data-widget-topic] > a")
    fallback.wait_for(timeout=10000)
    assert fallback.get_attribute("href").endswith("/widget/nasa-artemis")
    assert v.page.locator("div[data-widget-topic] iframe").count() == 0
    assert v.page.locator("div[data-widget-topic] .bw").count() == 0
