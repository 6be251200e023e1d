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
    assert "$11.00" in html and "by Author 1" in html


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
    assert len(page.anchors) == 10
    first = page.anchors[0]
    assert first["href"] == "https://www.amazon.com/dp/B0FAKE0001?tag=test-20"
    assert first["rel"] == "sponsored nofollow noopener"
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
    assert html.count("<script") == 1  # the widget's own height reporter
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
    assert all(s.startswith("https://m.media-amazon.com/") for s in sources)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp


def test_frame_ancestors_follow_the_setting(make_app):
    app = make_app(WIDGET_FRAME_ANCESTORS="https://blog.example")
    response = app.test_client().get("/widget/nasa-artemis")
    assert (
        "frame-ancestors https://blog.example"
        in response.headers["Content-Security-Policy"]
    )


def test_fragment_uses_absolute_cover_urls_and_scoped_styles(client):
    html = client.get(
        "/widget/nasa-artemis/fragment", base_url="http://widgets.test"
    ).get_data(as_text=True)
    assert html.startswith('<div class="bw-root"')
    assert "<html" not in html and ".bw{" in html
    assert 'src="http://widgets.test/stub-covers/B0STUB' in html


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
    "query, message",
    [
        ("count=0", "count must be"),
        ("count=11", "count must be"),
        ("count=ten", "count must be"),
        ("count=-1", "count must be"),
        ("layout=carousel", "layout must be"),
        ("theme=neon", "theme must be"),
        ("lang=xx", "lang must be"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, query, message):
    response = client.get(f"/widget/nasa-artemis?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("slug", ["UPPER", "a" * 65, "with_underscore", "-x", "a--b"])
def test_odd_slugs_get_a_400(client, slug):
    assert client.get(f"/widget/{slug}").status_code == 400


def test_unknown_topic_is_a_404_page(client):
    response = client.get("/widget/no-such-topic")
    assert response.status_code == 404
    assert "no topic called" in response.get_data(as_text=True)


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
    assert len(parse(html).anchors) == 10
    assert "$11.00" not in html
