"""Readers in every country: one snippet with ``data-store="auto"``, and
each visitor's Chromium (its locale and time zone) gets the widget of their
own Amazon store, from a service configured with de and uk stores besides
the default us one, under gunicorn."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.e2e.servers import gunicorn
from tests.e2e.test_embedding import Case
from tests.e2e.test_embedding import settle
from tests.e2e.visit import Visit

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STORES = {"de": {"partner_tag": "mysite-21"}, "uk": {"partner_tag": "mysite0d-21"}}
LINK = re.compile(r'href="(https://www\.amazon\.[a-z.]+/dp/[^"]+)"')


@dataclass(frozen=True)
class Reader:
    locale: str
    zone: str
    host: str  # the store's marketplace the links must go to
    tag: str
    price: str  # a pattern every shown price matches
    disclosure: str


READERS = {
    "de-DE": Reader(
        "de-DE",
        "Europe/Berlin",
        "www.amazon.de",
        "mysite-21",
        r"\d+,\d\d €",
        "Als Amazon-Partner verdienen wir an qualifizierten Verkäufen.",
    ),
    "en-GB": Reader(
        "en-GB",
        "Europe/London",
        "www.amazon.co.uk",
        "mysite0d-21",
        r"£\d+\.\d\d",
        "As an Amazon Associate we earn from qualifying purchases.",
    ),
    "pt-BR": Reader(
        "pt-BR",
        "America/Sao_Paulo",
        "www.amazon.com",
        "mysite-20",
        r"\$\d+\.\d\d",
        "As an Amazon Associate we earn from qualifying purchases.",
    ),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """``http://localhost:PORT``: gunicorn over the stub catalog with three
    stores (the ``host`` fixture of tests/e2e/conftest.py embeds from it)."""
    env = {
        "WIDGET_LOG_LEVEL": "warning",
        "WIDGET_FRAME_ANCESTORS": "'self' http://127.0.0.1:*",
        "WIDGET_ADMIN_TOKEN": ADMIN_TOKEN,
        "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
        "WIDGET_AMAZON_STORES": json.dumps(STORES),
    }
    with gunicorn(
        tmp_path_factory.mktemp("stores"),
        app="widget:create_app()",
        env=env,
        extra_args=("-k", "gthread", "--threads", "8"),
    ) as url:
        yield url.replace("127.0.0.1", "localhost")


def shown(visit: Visit, embed: str) -> str:
    """The box's HTML as the reader's browser has it."""
    if embed == "inline":
        return visit.page.evaluate(
            "document.querySelector('div[data-widget-topic]').shadowRoot.innerHTML"
        )
    handle = visit.page.locator("div[data-widget-topic] iframe").element_handle()
    return handle.content_frame().content()


@pytest.mark.parametrize("embed", ["inline", "iframe"])
@pytest.mark.parametrize("locale", list(READERS))
def test_each_reader_gets_their_own_store(browser, service, host, embed, locale):
    reader = READERS[locale]
    visit = Visit(
        browser, service, host, 1200, locale=reader.locale, timezone_id=reader.zone
    )
    try:
        visit.page.goto(f"{host}/blog?hostile=1&embed={embed}&store=auto")
        settle(visit, Case(embed))
        box = shown(visit, embed)
        links = LINK.findall(box)
        # Ten books, each linked by its title and its "View on Amazon" button.
        assert len(links) == 20 and len(set(links)) == 10, box
        for link in links:
            assert link.startswith(f"https://{reader.host}/dp/"), link
            assert f"tag={reader.tag}&" in link, link
        prices = re.findall(r"class=\"bw-price\"><span>([^<(]+)", box)
        assert prices and all(re.fullmatch(reader.price, p) for p in prices), prices
        assert reader.disclosure in box
        asked = [u for u in visit.requests if "/widget/nasa-artemis" in u]
        store = {"www.amazon.de": "de", "www.amazon.co.uk": "uk"}.get(reader.host)
        assert all(("store=" in u) == bool(store) for u in asked), asked
        assert visit.layout_shift() == 0
        assert visit.unexpected_errors() == []
        ARTIFACTS.mkdir(exist_ok=True)
        visit.page.screenshot(
            path=str(ARTIFACTS / f"store-{locale}-{embed}.png"), full_page=True
        )
    finally:
        visit.close()
