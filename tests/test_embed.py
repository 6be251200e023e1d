"""Embedding without a browser: embed.js, the widget's CSP and script,
layouts, languages, contrast and size. tests/e2e/ shows the same in Chromium."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from markupsafe import escape

from tests.conftest import ADMIN_TOKEN
from widget.config import ConfigError
from widget.embed import BEACON_SCRIPT
from widget.embed import box_height
from widget.embed import height_table
from widget.embed import snippets
from widget.i18n import ENGLISH
from widget.i18n import LANGUAGES
from widget.params import LAYOUTS
from widget.params import THEMES

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "widget"


@pytest.fixture
def demo(make_app, clock):
    """The demo topics over the stub catalog, fetched at the clock's time."""
    app = make_app(clock=clock)
    client = app.test_client()
    assert client.get("/widget/nasa-artemis").status_code == 200
    return client


def test_embed_js_is_a_small_cacheable_script(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "public" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    # One request per page, cached a long time; what a blog pays is the
    # gzipped size: well under a typical web font's 20 KB.
    assert len(response.data) < 10_000
    assert len(gzip.compress(response.data)) < 4000
    again = client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_embed_js_keeps_no_state_and_checks_message_origins(client):
    script = client.get("/embed.js").get_data(as_text=True)
    for forbidden in (
        "document.cookie",
        "Storage",
        "XMLHttpRequest",
        "sendBeacon",
        "new Image",
        "WebSocket",
        "innerHTML = html",
    ):
        assert forbidden not in script
    # Its one request sends no cookies; messages count only from its frames.
    assert script.count("fetch(") == 1 and 'credentials: "omit"' in script
    assert "event.origin !== origin" in script
    assert "contentWindow !== event.source" in script


def test_embed_js_carries_the_height_table(client):
    script = client.get("/embed.js").get_data(as_text=True)
    table = json.loads(re.search(r"var HEIGHTS = (\{.*?\});", script).group(1))
    assert table == json.loads(json.dumps(height_table()))
    assert table["classes"] == [0, 278, 640, 900]
    assert table["boxes"]["list"][1][9] == 1576  # ten items below 640 px
    assert table["boxes"]["list"][2][9] == 1494  # from 640 px
    assert table["boxes"]["list"][3][9] == 809  # from 900 px, in two columns
    assert table["extra"] == {"fr": 16, "es": 16}


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


def test_widget_csp_allows_exactly_its_own_scripts(demo):
    response = demo.get("/widget/nasa-artemis")
    csp = response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    [height] = inline_scripts(html)
    digest = base64.b64encode(hashlib.sha256(height.encode()).digest()).decode()
    # The height script by its hash, the beacons from our own origin.
    assert f"script-src 'sha256-{digest}' 'self';" in csp
    assert '<script async data-bw-beacons src="/beacons.js"></script>' in html
    assert "connect-src 'self';" in csp  # where the beacons go, nowhere else
    assert "img-src 'self' https:;" in csp
    assert "default-src 'none'" in csp
    assert "bw:height" in height


def test_widget_csp_without_analytics_allows_the_height_script_only(make_app):
    response = (
        make_app(WIDGET_ANALYTICS="off").test_client().get("/widget/nasa-artemis")
    )
    csp = response.headers["Content-Security-Policy"]
    [script] = inline_scripts(response.get_data(as_text=True))
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in csp
    assert "connect-src" not in csp


def test_frame_ancestors_come_from_the_setting(make_app):
    app = make_app(WIDGET_FRAME_ANCESTORS="https://blog.example https://b.example")
    csp = (
        app.test_client().get("/widget/nasa-artemis").headers["Content-Security-Policy"]
    )
    assert csp.endswith("frame-ancestors https://blog.example https://b.example")


def test_fragment_carries_only_the_beacon_script(demo):
    html = demo.get("/widget/nasa-artemis/fragment").get_data(as_text=True)
    assert html.count("<script") == 1
    assert '<script async data-bw-beacons src="http://localhost/beacons.js">' in html


def test_beacons_js_is_the_script_every_box_carries(demo):
    response = demo.get("/beacons.js")
    assert response.mimetype == "text/javascript"
    assert "Set-Cookie" not in response.headers
    assert response.get_data(as_text=True) == BEACON_SCRIPT
    for forbidden in ("document.cookie", "Storage", "XMLHttpRequest", "fetch("):
        assert forbidden not in response.get_data(as_text=True)


def test_without_analytics_widgets_carry_no_beacon_code(make_app):
    client = make_app(WIDGET_ANALYTICS="off").test_client()
    assert client.get("/beacons.js").status_code == 404
    fragment = client.get("/widget/nasa-artemis/fragment").get_data(as_text=True)
    document = client.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "<script" not in fragment
    for html in (fragment, document):
        assert "sendBeacon" not in html
        assert "data-events" not in html and "data-asin" not in html


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_is_honest_and_accessible(demo, layout):
    html = demo.get(f"/widget/nasa-artemis?layout={layout}").get_data(as_text=True)
    assert "As an Amazon Associate we earn from qualifying purchases." in html
    assert "Last update on 2026-11-26 / Affiliate links / Images from Amazon" in html
    assert html.count("<li>") == 10
    assert "<ol>" in html
    links = re.findall(r'<a class="bw-title" href="([^"]+)" rel="([^"]+)"', html)
    assert len(links) == 10
    assert all(rel == "sponsored nofollow noopener" for _, rel in links)
    # Link text makes sense alone: the title, and a button that says where
    # it goes and for which book.
    assert '>View on Amazon<span class="bw-vh">: ' in html
    if layout != "compact":
        assert 'alt="Cover of ' in html
        assert "Prices as of 2026-11-26 12:00 UTC" in html


@pytest.mark.parametrize("layout", LAYOUTS)
def test_ten_items_stay_under_20_kb(make_app, clock, layout):
    client = make_app(clock=clock).test_client()
    client.get("/widget/nasa-artemis")
    clock.advance(hours=2)  # prices now carry their time: the longest form
    body = client.get(f"/widget/nasa-artemis?layout={layout}").data
    assert b" (12:00 UTC<a" in body or layout == "compact"
    assert len(body) < 20 * 1024


EXPECTED = {
    "de": ("Die 10 beliebtesten Bücher heute: NASA Artemis", "26.11.2026"),
    "fr": (
        "Top 10 des livres du jour\u00a0: NASA Artemis",
        "26/11/2026",
    ),
    "es": ("Los 10 libros más populares de hoy: NASA Artemis", "26/11/2026"),
    "it": ("I 10 libri più popolari di oggi su NASA Artemis", "26/11/2026"),
    "ja": ("今日の「NASA Artemis」人気書籍トップ10", "2026年11月26日"),
}


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_strings_and_dates_follow_lang(demo, lang):
    heading, date = EXPECTED[lang]
    html = demo.get(f"/widget/nasa-artemis?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert escape(LANGUAGES[lang].disclosure) in html
    assert escape(LANGUAGES[lang].footer.format(date=date)) in html
    assert ENGLISH.disclosure not in html


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_every_string_is_translated(lang):
    strings, english = LANGUAGES[lang], ENGLISH
    for field in ("heading", "view", "cover", "disclosure", "footer", "stars"):
        assert getattr(strings, field) != getattr(english, field), field
    for field in ("updating", "preparing", "prices_as_of", "price_disclaimer"):
        assert getattr(strings, field) != getattr(english, field), field


def test_disclosure_is_configurable_per_language(make_app):
    app = make_app(
        WIDGET_DISCLOSURE="We earn from qualifying purchases.",
        WIDGET_DISCLOSURES='{"de": "Wir verdienen an Käufen über diese Links."}',
    )
    client = app.test_client()
    german = client.get("/widget/nasa-artemis?lang=de").get_data(as_text=True)
    english = client.get("/widget/nasa-artemis").get_data(as_text=True)
    french = client.get("/widget/nasa-artemis?lang=fr").get_data(as_text=True)
    assert "Wir verdienen an Käufen über diese Links." in german
    assert "We earn from qualifying purchases." in english
    assert escape(LANGUAGES["fr"].disclosure) in french


@pytest.mark.parametrize("value", ['{"xx": "Hi"}', '["de"]', '{"de": ""}', "not json"])
def test_bad_disclosures_stop_start_up(make_app, value):
    with pytest.raises(ConfigError, match="WIDGET_DISCLOSURES"):
        make_app(WIDGET_DISCLOSURES=value)


# -- colour contrast, computed from the CSS variables -----------------------
def style() -> str:
    """The box's style sheets: every box's, and the one of boxes with items."""
    return (TEMPLATES / "_style.css").read_text() + (
        TEMPLATES / "_items.css"
    ).read_text()


def variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--bw-(\w+):(#[0-9a-f]{6})", block))


def theme_variables() -> dict[str, dict[str, str]]:
    css = style()
    light = re.search(r"^\.bw\{([^}]*)\}", css, re.M)
    dark = re.search(r"^\.bw\[data-theme=dark\]\{([^}]*)\}", css, re.M)
    auto = re.search(r"\.bw\[data-theme=auto\]\{([^}]*)\}", css)
    assert light and dark and auto
    assert variables(auto.group(1)) == variables(dark.group(1))
    return {"light": variables(light.group(1)), "dark": variables(dark.group(1))}


def luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5_to_1(theme):
    colours = theme_variables()[theme]
    for text in ("fg", "muted", "link", "star", "save", "up"):
        assert contrast(colours[text], colours["bg"]) >= 4.5, text
    # Focus rings are non-text: WCAG asks 3:1.
    assert contrast(colours["focus"], colours["bg"]) >= 3.0


def test_no_motion_and_visible_focus():
    css = style()
    for motion in ("transition", "animation", "@keyframes", "smooth"):
        assert motion not in css
    assert re.search(r"a:focus-visible[^{]*\{outline:3px solid var\(--bw-focus\)", css)


def test_themes_are_the_documented_ones():
    assert THEMES == ("light", "dark", "auto")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_day_old_list_hides_prices_and_says_so_in_every_layout(
    make_app, clock, layout
):
    client = make_app(clock=clock).test_client()
    client.get("/widget/nasa-artemis")
    clock.advance(hours=25)
    html = client.get(f"/widget/nasa-artemis?layout={layout}").get_data(as_text=True)
    assert "This list is being updated; prices are hidden until then." in html
    assert 'class="bw-price"' not in html
    assert "Prices as of" not in html
    assert html.count("<li>") == 10


# -- snippets: one function for /, the admin, the API and the README ---------
README = Path(__file__).resolve().parents[1] / "README.md"


L640 = "clamp(0px, (100cqw - 639.99px) * 10000, {}px)"
L900 = "clamp(0px, (100cqw - 899.99px) * 10000, {}px)"


@pytest.mark.parametrize(
    "layout, count, lang, heights, reserve",
    [
        (
            "list",
            10,
            "en",
            [1576, 1576, 1494, 809],
            f"calc(1576px - {L640.format(82)} - {L900.format(685)})",
        ),
        (
            "list",
            10,
            "fr",
            [1592, 1592, 1510, 825],
            f"calc(1592px - {L640.format(82)} - {L900.format(685)})",
        ),
        (
            "compact",
            10,
            "en",
            [616, 616, 450, 450],
            f"calc(616px - {L640.format(166)})",
        ),
        (
            "grid",
            10,
            "en",
            [3054, 1624, 970, 684],
            "calc(3054px - clamp(0px, (100cqw - 277.99px) * 10000, 1430px)"
            f" - {L640.format(654)} - {L900.format(286)})",
        ),
        (
            "grid",
            1,
            "ja",
            [480, 480, 398, 398],
            f"calc(480px - {L640.format(82)})",
        ),
    ],
)
def test_snippets_reserve_the_box_in_every_width_class(
    layout, count, lang, heights, reserve
):
    widths = (277, 278, 639, 640, 899, 900)
    assert [box_height(layout, count, lang, w) for w in widths] == [
        heights[0],
        heights[1],
        heights[1],
        heights[2],
        heights[2],
        heights[3],
    ]
    found = snippets(
        "https://w.example", "dune", "Dune", count=count, layout=layout, lang=lang
    )
    # The div reserves its space before any script runs; so does the iframe.
    assert f'<div style="min-height:{reserve}">' in found.script
    assert f"height:{reserve}" in found.iframe
    assert found.script.startswith(found.box)
    assert found.script.endswith(
        '<script async src="https://w.example/embed.js"></script>'
    )
    assert f'data-count="{count}" data-layout="{layout}"' in found.box
    assert "container-type:inline-size" in found.box
    assert (
        f"count={count}&amp;layout={layout}&amp;theme=light&amp;lang={lang}"
        in found.iframe
    )


def test_snippets_escape_titles():
    found = snippets("https://w.example", "x", '<b>"Hi"</b>')
    assert (
        "<b>" not in found.script
        and "&lt;b&gt;&#34;Hi&#34;&lt;/b&gt; books" in found.script
    )
    assert 'title="&lt;b&gt;&#34;Hi&#34;&lt;/b&gt; books"' in found.iframe


def test_the_readme_shows_the_functions_snippets():
    readme = README.read_text()
    found = snippets(
        "https://widgets.example.com", "nasa-artemis", "NASA Artemis", count=10
    )
    assert f"```html\n{found.script}\n```" in readme
    assert f"```html\n{found.iframe}\n```" in readme


def test_index_admin_and_api_hand_out_the_same_snippets(make_app):
    from tests.test_admin import AdminActions

    app = make_app(WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    client = app.test_client()
    found = snippets("http://localhost", "nasa-artemis", "NASA Artemis", count=10)
    index = client.get("/").get_data(as_text=True)
    api = client.get("/api/v1/topics/nasa-artemis").get_json()
    admin = AdminActions(client)
    admin.login()
    page = client.get("/admin/topics/nasa-artemis").get_data(as_text=True)
    assert api["embed"] == {"script": found.script, "iframe": found.iframe}
    for html in (index, page):
        assert str(escape(found.script)) in html
        assert str(escape(found.iframe)) in html
    # The public page previews what it hands out.
    assert found.box in index


def test_snippets_follow_the_topics_item_count(make_app, fake_catalog):
    from widget.models import Topic

    app = make_app(catalog=fake_catalog, WIDGET_SEED_DEMO=False)
    app.extensions["widget"].store.add_topic(
        Topic(slug="dune", title="Dune", keywords="dune", item_count=4)
    )
    embed = app.test_client().get("/api/v1/topics/dune").get_json()["embed"]
    assert 'data-count="4"' in embed["script"]
    assert f"calc({box_height('list', 4, 'en', 320)}px" in embed["iframe"]


# -- CORS: the pages that may frame a widget may read its fragment ------------
@pytest.mark.parametrize("setting", [None, "*", "'self' *"])
def test_any_page_may_read_fragments_when_any_may_frame_them(make_app, setting):
    settings = {} if setting is None else {"WIDGET_FRAME_ANCESTORS": setting}
    client = make_app(**settings).test_client()
    response = client.get(
        "/widget/nasa-artemis/fragment?layout=foo",
        headers={"Origin": "https://any.example"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "Widget-Warning"
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://blog.example", True),
        ("https://www.example.com", True),
        ("https://deep.www.example.com", True),
        ("http://127.0.0.1:8123", True),
        ("http://localhost", True),  # 'self'
        ("https://evil.example", False),
        ("http://blog.example", False),
        ("https://blog.example:8443", False),
        ("https://example.com", False),
        ("null", False),
    ],
)
def test_a_list_of_origins_lets_exactly_those_read_fragments(make_app, origin, allowed):
    app = make_app(
        WIDGET_FRAME_ANCESTORS=(
            "'self' https://blog.example https://*.example.com http://127.0.0.1:*"
        )
    )
    client = app.test_client()
    for path in ("/widget/nasa-artemis/fragment", "/widget/no-such-topic/fragment"):
        response = client.get(path, headers={"Origin": origin})
        if allowed:
            assert response.headers["Access-Control-Allow-Origin"] == origin
            assert response.headers["Vary"] == "Origin"
        else:
            assert "Access-Control-Allow-Origin" not in response.headers


def test_iframe_documents_are_not_cors_readable(client):
    response = client.get(
        "/widget/nasa-artemis", headers={"Origin": "https://x.example"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers
