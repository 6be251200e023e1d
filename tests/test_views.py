import html
import re
from html.parser import HTMLParser

import pytest

from tests.fakes import FakeCatalog
from tests.fakes import make_product
from tests.fakes import make_topic
from widget.catalog.base import CatalogUnavailable
from widget.models import Image


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.anchors, self.images, self.sources = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("http"):
            self.anchors.append(attrs)
        if tag == "img":
            self.images.append(attrs)
        for name in ("src", "href"):
            if name in attrs and tag in ("img", "script", "link", "iframe"):
                self.sources.append(attrs[name])


def parse(html):
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture
def artemis_app(make_app, fake_catalog, clock):
    app = make_app(catalog=fake_catalog, clock=clock, WIDGET_SEED_DEMO=False)
    app.extensions["widget"].store.add_topic(make_topic("nasa-artemis"))
    return app


@pytest.fixture
def artemis(artemis_app):
    return artemis_app.test_client()


def test_widget_shows_heading_products_disclosure_and_footer(artemis, clock):
    response = artemis.get("/widget/nasa-artemis")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Today&#39;s 10 Most Popular Books on NASA Artemis" in html
    assert html.count("<li>") == 10
    assert "As an Amazon Associate we earn from qualifying purchases." in html
    assert "Last update on 2026-11-26 / Affiliate links / Images from Amazon" in html
    assert "$11.00" in html and "by <bdi>Author 1</bdi>" in html


def test_heading_counts_the_items_really_shown(artemis_app, fake_catalog):
    fake_catalog.products = [make_product(1), make_product(2), make_product(3)]
    html = artemis_app.test_client().get("/widget/nasa-artemis").get_data(as_text=True)
    assert "Today&#39;s 3 Most Popular Books on NASA Artemis" in html
    html = (
        artemis_app.test_client()
        .get("/widget/nasa-artemis?count=2")
        .get_data(as_text=True)
    )
    assert "Today&#39;s 2 Most Popular Books" in html and html.count("<li>") == 2


def test_links_are_direct_unchanged_and_sponsored(artemis):
    page = parse(artemis.get("/widget/nasa-artemis").get_data(as_text=True))
    assert len(page.anchors) == 20  # the title and the button of each book
    title, button = page.anchors[:2]
    for link in (title, button):
        assert link["href"] == "https://www.amazon.com/dp/B0FAKE0001?tag=test-20"
        assert link["rel"] == "sponsored nofollow noopener"
    assert "noreferrer" not in str(page.anchors)


def test_covers_have_size_alt_and_lazy_loading(artemis):
    page = parse(artemis.get("/widget/nasa-artemis").get_data(as_text=True))
    assert len(page.images) == 10
    for image in page.images:
        assert image["width"] == "107" and image["height"] == "160"
        assert image["alt"].startswith("Cover of ")
        assert image["loading"] == "lazy"
        assert image["src"].startswith("https://m.media-amazon.com/")


def test_catalog_text_is_escaped(artemis_app, fake_catalog):
    fake_catalog.products = [
        make_product(
            1, title='<script>alert("t")</script> & Co', authors=("<b>Eve</b>",)
        )
    ]
    html = artemis_app.test_client().get("/widget/nasa-artemis").get_data(as_text=True)
    assert html.count("<script") == 2  # its height reporter and beacons
    assert "<b>Eve</b>" not in html
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; Co" in html


def test_non_https_links_and_images_are_dropped(artemis_app, fake_catalog):
    fake_catalog.products = [
        make_product(1, url="javascript:alert(1)"),
        make_product(2, image=Image("http://evil.example/x.jpg", 10, 10)),
    ]
    html = artemis_app.test_client().get("/widget/nasa-artemis").get_data(as_text=True)
    assert "javascript:" not in html and "evil.example" not in html
    assert "Fake Book 2" in html and "Fake Book 1" not in html


def test_prices_carry_as_of_after_an_hour_and_vanish_after_a_day(artemis, clock):
    artemis.get("/widget/nasa-artemis")
    clock.advance(hours=2)
    html = artemis.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "$11.00 (12:00 UTC" in html and "Prices as of 2026-11-26 12:00 UTC" in html
    assert "Product prices and availability are accurate as of" in html
    clock.advance(hours=23)
    html = artemis.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "$11.00" not in html and "being updated" in html
    assert html.count("<li>") == 10 and "Last update on 2026-11-26" in html


def test_cache_headers_and_conditional_requests(artemis, clock):
    response = artemis.get("/widget/nasa-artemis")
    assert response.headers["Last-Modified"] == "Thu, 26 Nov 2026 12:00:00 GMT"
    assert re.fullmatch(r"public, max-age=\d+", response.headers["Cache-Control"])
    etag = response.headers["ETag"]
    again = artemis.get("/widget/nasa-artemis", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = artemis.get("/widget/nasa-artemis?count=3", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_widget_sets_no_cookies_and_loads_nothing_third_party(artemis):
    response = artemis.get("/widget/nasa-artemis")
    assert "Set-Cookie" not in response.headers
    sources = parse(response.get_data(as_text=True)).sources
    # Covers hot-linked from Amazon; our own beacon script, nothing else.
    assert sources.count("/beacons.js") == 1
    others = [s for s in sources if s != "/beacons.js"]
    assert all(s.startswith("https://m.media-amazon.com/") for s in others)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp


def test_frame_ancestors_follow_the_setting(make_app):
    app = make_app(WIDGET_FRAME_ANCESTORS="https://blog.example")
    response = app.test_client().get("/widget/nasa-artemis")
    assert (
        "frame-ancestors https://blog.example"
        in response.headers["Content-Security-Policy"]
    )


def test_fragment_is_isolated_by_a_declarative_shadow_root(make_app):
    client = make_app(WIDGET_PUBLIC_URL="http://widgets.test").test_client()
    html = client.get(
        "/widget/nasa-artemis/fragment", base_url="http://other.example"
    ).get_data(as_text=True)
    assert html.startswith(
        '<div class="bw-host" data-widget="nasa-artemis">'
        '<template shadowrootmode="open"><style>.bw{all:initial;'
    )
    assert html.rstrip().endswith("</script>\n</template></div>")
    assert "<html" not in html and html.count("<script") == 1  # the beacons
    assert 'src="http://widgets.test/stub-covers/B0STUB' in html
    assert 'data-bw-beacons src="http://widgets.test/beacons.js"' in html
    # Nothing relative: the fragment lives in someone else's page.
    assert not re.search(r'(?:src|href)="(?!https?://)', html)


def test_a_fragment_names_its_price_note_without_a_page_anchor(artemis, clock):
    artemis.get("/widget/nasa-artemis")
    clock.advance(hours=2)
    fragment = artemis.get("/widget/nasa-artemis/fragment").get_data(as_text=True)
    document = artemis.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "$11.00 (12:00 UTC*)" in fragment
    assert 'href="#bw-d-nasa-artemis"' in document


def test_stub_covers_are_served(client):
    html = client.get("/widget/nasa-artemis").get_data(as_text=True)
    cover = re.search(r'src="(/stub-covers/[^"]+)"', html).group(1)
    response = client.get(cover)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()


@pytest.mark.parametrize(
    "path",
    ["/stub-covers/%2e%2e", "/stub-covers/..", "/stub-covers/%2E%2E%5Cwidget.db"],
)
def test_cover_names_cannot_leave_the_covers_folder(client, monkeypatch, path):
    # These reach the cover view (a "/" in the name would not match its
    # route at all), so it is the file lookup that must refuse them.
    import widget.views

    asked = []
    lookup = widget.views.send_from_directory

    def spy(folder, name, **options):
        asked.append(name)
        return lookup(folder, name, **options)

    monkeypatch.setattr(widget.views, "send_from_directory", spy)
    response = client.get(path)
    assert response.status_code == 404 and asked and asked[0].startswith("..")


@pytest.mark.parametrize(
    "query, expected, warning",
    [
        ("count=0", "Today&#39;s 10 Most", "count must be 1 to 10, using 10"),
        ("count=99", "Today&#39;s 10 Most", "count must be 1 to 10, using 10"),
        ("count=ten", "Today&#39;s 10 Most", "count must be 1 to 10, using 10"),
        ("count=-1", "Today&#39;s 10 Most", "count must be 1 to 10, using 10"),
        ("count=%C2%B2", "Today&#39;s 10 Most", "count must be 1 to 10, using 10"),
        ("layout=foo", 'data-layout="list"', "layout must be list or grid or compact"),
        ("theme=purple", 'data-theme="light"', "theme must be light or dark or auto"),
        ("lang=xx", 'lang="en"', "lang must be en or de or fr or es or it or ja"),
    ],
)
@pytest.mark.parametrize(
    "route", ["/widget/nasa-artemis", "/widget/nasa-artemis/fragment"]
)
def test_bad_parameters_fall_back_and_are_named(
    client, route, query, expected, warning
):
    response = client.get(f"{route}?{query}")
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert warning in response.headers["Widget-Warning"]
    assert response.get_data(as_text=True).count("<li>") == 10


@pytest.mark.parametrize("tag", ["de", "de-DE", "DE", "de_at", "De-CH-1996"])
def test_language_tags_are_matched(client, tag):
    response = client.get(f"/widget/nasa-artemis?lang={tag}")
    assert response.status_code == 200
    assert '<html lang="de">' in response.get_data(as_text=True)
    assert "Widget-Warning" not in response.headers


def test_good_parameters_carry_no_warning(client):
    response = client.get("/widget/nasa-artemis?count=3&layout=grid&theme=dark&lang=EN")
    assert "Widget-Warning" not in response.headers
    assert response.get_data(as_text=True).count("<li>") == 3


def test_the_json_api_stays_strict(client):
    assert client.get("/api/v1/topics/Not_A_Slug").status_code == 400


@pytest.mark.parametrize(
    "slug", ["no-such-topic", "UPPER", "a" * 65, "with_underscore", "-x", "a--b"]
)
@pytest.mark.parametrize("suffix", ["", "/fragment"])
def test_unknown_topics_answer_a_small_frameable_404(make_app, slug, suffix):
    app = make_app(WIDGET_FRAME_ANCESTORS="https://blog.example")
    response = app.test_client().get(f"/widget/{slug}{suffix}?lang=de-DE")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    # Framed by the same pages as a widget, so never the browser's error box.
    csp = response.headers["Content-Security-Policy"]
    assert csp.endswith("frame-ancestors https://blog.example")
    assert "X-Frame-Options" not in response.headers
    assert 'data-state="gone"' in html
    assert "Diese Bücherliste ist nicht verfügbar." in html
    assert "<h2" not in html and "Traceback" not in html
    assert len(response.data) < 5000
    # embed.js logs this to the blog's console: the one clue to a typo.
    assert "there is no topic called" in response.headers["Widget-Warning"]
    assert "lang" not in response.headers["Widget-Warning"]  # de-DE is fine


def test_a_removed_topic_answers_the_same_404(client):
    client.get("/widget/nasa-artemis")
    client.application.extensions["widget"].store.remove_topic("nasa-artemis")
    response = client.get("/widget/nasa-artemis")
    assert response.status_code == 404
    assert "This book list is not available." in response.get_data(as_text=True)


def test_a_refresh_that_found_nothing_shows_the_neutral_line(artemis_app, fake_catalog):
    fake_catalog.products = []
    response = artemis_app.test_client().get("/widget/nasa-artemis")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This book list is not available." in html
    assert "0 Most Popular" not in html and "<ol>" not in html


def test_store_down_on_a_widget_route_is_a_frameable_503(app, monkeypatch):
    from widget.store import StoreError

    store = app.extensions["widget"].store

    def down(slug):
        raise StoreError("disk on fire")

    monkeypatch.setattr(store, "version", down)
    response = app.test_client().get("/widget/nasa-artemis")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert 'data-state="gone"' in response.get_data(as_text=True)


def test_topic_without_list_when_upstream_fails_says_so(make_app):
    catalog = FakeCatalog()
    catalog.error = CatalogUnavailable("down")
    client = make_app(catalog=catalog).test_client()
    response = client.get("/widget/nasa-artemis")
    assert response.status_code == 503
    assert "being prepared" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_upstream_failure_never_blanks_a_widget_with_data(
    artemis_app, fake_catalog, clock
):
    client = artemis_app.test_client()
    client.get("/widget/nasa-artemis")
    fake_catalog.error = CatalogUnavailable("Amazon is down")
    clock.advance(hours=13)
    artemis_app.extensions["widget"].lists.refresh("nasa-artemis")
    html = client.get("/widget/nasa-artemis").get_data(as_text=True)
    assert html.count("<li>") == 10 and "Last update on 2026-11-26" in html


def test_stale_list_keeps_titles_and_links(artemis, clock):
    artemis.get("/widget/nasa-artemis")
    clock.advance(days=3)
    html = artemis.get("/widget/nasa-artemis").get_data(as_text=True)
    assert len(parse(html).anchors) == 20  # titles and buttons
    assert "$11.00" not in html


EVIL_HOST = {"Host": "evil.example"}


def test_an_arbitrary_host_header_never_reaches_public_urls(client):
    """Issue 12, item 7: without WIDGET_PUBLIC_URL the Host header went into
    public, cacheable URLs. Only loopback hosts are taken from the request."""
    pages = [
        "/widget/nasa-artemis/fragment",
        "/api/v1/topics",
        "/api/v1/topics/nasa-artemis",
        "/",
    ]
    for page in pages:
        text = client.get(page, headers=EVIL_HOST).get_data(as_text=True)
        assert "evil.example" not in text, page
    fragment = client.get("/widget/nasa-artemis/fragment", headers=EVIL_HOST).text
    assert 'src="/stub-covers/' in fragment
    listed = client.get("/api/v1/topics", headers=EVIL_HOST).json["topics"]
    assert listed[0]["widget_url"] == "/widget/nasa-artemis"
    assert (
        "WIDGET_PUBLIC_URL</code> is unset" in client.get("/", headers=EVIL_HOST).text
    )
    local = client.get("/api/v1/topics", headers={"Host": "127.0.0.1:5000"}).json
    assert (
        local["topics"][0]["widget_url"] == "http://127.0.0.1:5000/widget/nasa-artemis"
    )


def test_with_a_public_url_every_host_gets_it(make_app):
    client = make_app(WIDGET_PUBLIC_URL="https://widgets.example.com/").test_client()
    for host in ("evil.example", "localhost"):
        detail = client.get("/api/v1/topics/nasa-artemis", headers={"Host": host}).json
        assert detail["widget_url"] == "https://widgets.example.com/widget/nasa-artemis"
        page = client.get("/", headers={"Host": host}).text
        assert 'src="https://widgets.example.com/embed.js"' in html.unescape(page)
