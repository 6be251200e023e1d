"""Issue 12, item 7, in Chromium: a title carrying a right-to-left override
is isolated, so the words after it in the heading keep their order."""

from __future__ import annotations

import pytest

from widget.models import Topic
from widget.stubserver import serve_in_thread

pytestmark = pytest.mark.e2e

#: Where each character of the heading is drawn, left to right on screen.
CHAR_LEFT = """(ch) => {
  const h2 = document.querySelector('h2');
  const walker = document.createTreeWalker(h2, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(ch);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      return range.getBoundingClientRect().left;
    }
  }
  return null;
}"""


def test_an_rtl_override_in_a_title_does_not_reorder_the_heading(make_app, browser):
    app = make_app()
    store = app.extensions["widget"].store
    store.add_topic(Topic("evil", "\u202eabc", "nasa artemis"))
    with serve_in_thread(app) as url:
        page = browser.new_page()
        try:
            page.goto(f"{url}/widget/evil?lang=ja")
            title_a = page.evaluate(CHAR_LEFT, "a")
            title_c = page.evaluate(CHAR_LEFT, "c")
            after = page.evaluate(CHAR_LEFT, "」")  # the heading goes on after it
        finally:
            page.close()
    assert title_c < title_a  # the override still applies inside the title...
    assert after > title_a  # ...and stops at its end
