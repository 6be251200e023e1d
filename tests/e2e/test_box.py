"""The box as a reader sees it, in Debian's headless Chromium: buttons,
ratings, savings, covers and badges in every layout and theme at 320 and
1,200 px, with the contrast of every piece of text computed and a
screenshot of each in ``test-artifacts/box-<layout>-<theme>-<width>.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_embedding import contrast
from widget.embed import box_height
from widget.stubserver import serve_in_thread

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAYOUTS = ("list", "grid", "compact")
THEMES = ("light", "dark")
WIDTHS = (320, 1200)

#: Every visible piece of text in the box: its colour and the colour behind
#: it (the nearest ancestor with an opaque background).
TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.bw'),
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const rect = el.getBoundingClientRect();
    if (!node.textContent.trim() || rect.width <= 1 || rect.height <= 1) continue;
    let bg = 'rgba(0, 0, 0, 0)';
    for (let at = el; at; at = at.parentElement) {
      bg = getComputedStyle(at).backgroundColor;
      if (!bg.startsWith('rgba') || !bg.endsWith(' 0)')) break;
    }
    out.push({text: node.textContent.trim().slice(0, 30), cls: el.className,
              fg: getComputedStyle(el).color, bg: bg});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def badged(tmp_path_factory):
    """The app in a thread with the demo topic's second list: its first
    book excluded since the first, so the others moved up and one is new."""
    from tests.conftest import Clock
    from widget import create_app

    folder = tmp_path_factory.mktemp("box")
    app = create_app(
        {
            "WIDGET_STORE": f"sqlite:///{folder}/widget.db",
            "WIDGET_INSTANCE_DIR": str(folder),
            "WIDGET_SCHEDULER": False,
        },
        clock=Clock(),
    )
    services = app.extensions["widget"]
    client = app.test_client()
    assert client.get("/widget/nasa-artemis").status_code == 200
    first = services.store.get_state("nasa-artemis").snapshot.products[0].asin
    services.store.change_topic(
        "nasa-artemis",
        lambda s: s.topic.with_changes(badges=True, excluded_asins=(first,)),
    )
    assert services.lists.refresh("nasa-artemis").outcome.ok
    with serve_in_thread(app) as url:
        yield url.replace("127.0.0.1", "localhost")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_and_theme_is_readable_and_fits(
    browser, badged, layout, theme, width
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{badged}/widget/nasa-artemis?layout={layout}&theme={theme}")
        page.wait_for_load_state("load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=ARTIFACTS / f"box-{layout}-{theme}-{width}.png", full_page=True
        )
        # The height embed.js and the snippets reserve, exactly.
        height = page.evaluate("document.querySelector('.bw').offsetHeight")
        assert height == box_height(layout, 10, "en", width)
        # Nothing wider than the box, no inner scrolling.
        assert page.evaluate(
            "(d => d.scrollWidth <= d.clientWidth)(document.documentElement)"
        )
        texts = page.evaluate(TEXTS)
        low = [t for t in texts if contrast(t["fg"], t["bg"]) < 4.5]
        assert low == [], low
        shown = {t["cls"] for t in texts}
        assert "bw-btn" in shown and "bw-badge" in shown
        buttons = page.locator("a.bw-btn")
        assert buttons.count() == 10
        first_title = page.locator("a.bw-title").first.inner_text()
        # Its name says which book it opens (Chromium reads "Amazon : Title").
        named = re.compile(rf"^View on Amazon ?: {re.escape(first_title)}$")
        name = page.get_by_role("link", name=named)
        assert name.get_attribute("href") == buttons.first.get_attribute("href")
        if layout == "grid":
            # Covers sit in the middle of their cells.
            offsets = page.evaluate(
                "[...document.querySelectorAll('.bw li')].map(li => {"
                " const c = li.querySelector('.bw-cover').getBoundingClientRect();"
                " const r = li.getBoundingClientRect();"
                " return Math.abs((c.left + c.right) - (r.left + r.right)) / 2; })"
            )
            assert max(offsets) <= 1
        if layout != "compact":
            assert page.locator(".bw-rate").count() >= 5  # new books have none
            assert page.locator(".bw-save").count() >= 1
    finally:
        context.close()
