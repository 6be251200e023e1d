"""A catalog full of hostile or odd data renders escaped and safe."""

import json
from html.parser import HTMLParser

import pytest

from widget.embed import FRAME_SCRIPT

ITEM = {
    "search_index": "Books",
    "browse_nodes": [],
    "sales_rank": 1,
    "price": {"amount": 9.99, "currency": "USD"},
    "availability": "IN_STOCK",
    "rating": 4.0,
}
HOSTILE = [
    {
        "asin": "B0EVIL0001",
        "title": '<script>alert("x")</script><img src=x onerror=alert(1)>',
        "authors": ['"><svg onload=alert(2)>'],
        "keywords": ["hostile"],
        "image": {
            "url": 'https://m.media-amazon.com/a.jpg" onerror="x',
            "width": 1,
            "height": 1,
        },
    },
    {
        "asin": "B0EVIL0002",
        "title": "Link to javascript",
        "url": "javascript:alert(3)",
        "authors": [],
        "keywords": ["hostile"],
        "image": None,
    },
    {
        "asin": "B0EVIL0003",
        "title": "Plain http image {{ 7*7 }} {% raw %}",
        "url": "https://www.amazon.com/dp/B0EVIL0003?tag=x-20&a=<b>",
        "authors": ["Zalgo Z̸̢̛a̶l̷g̴o̵"],
        "keywords": ["hostile"],
        "image": {
            "url": "http://insecure.example/cover.jpg",
            "width": 10,
            "height": 10,
        },
    },
    {
        "asin": "B0EVIL0004",
        "title": "\u202eRight-to-left override \u0000 nul and 🚀 emoji",
        "url": "data:text/html,<script>alert(4)</script>",
        "authors": ["\u200b"],
        "keywords": ["hostile"],
        "image": None,
    },
    {
        "asin": "B0EVIL0005",
        "title": "{{ 7*7 }} {% raw %} template text",
        "url": "//www.amazon.com/dp/B0EVIL0005",
        "authors": ["${jndi:ldap://x}"],
        "keywords": ["hostile"],
        "image": {"url": "javascript:alert(5)", "width": 1, "height": 1},
    },
]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.fixture
def hostile_client(make_app, tmp_path, clock):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"items": [ITEM | item for item in HOSTILE]}))
    # A fixed clock: "49" must not turn up in the page by way of the time.
    app = make_app(WIDGET_STUB_CATALOG=str(path), WIDGET_SEED_DEMO=False, clock=clock)
    app.test_cli_runner().invoke(
        args=[
            "topics",
            "add",
            "Hostile <b>Topic</b>",
            "--keywords",
            "hostile",
            "--slug",
            "hostile",
        ]
    )
    return app.test_client()


@pytest.mark.parametrize("path", ["/widget/hostile", "/widget/hostile/fragment"])
def test_hostile_catalog_text_is_escaped(hostile_client, path):
    html = hostile_client.get(path).get_data(as_text=True)
    page = Collector()
    page.feed(html)
    # The only script is the widget's own height reporter (documents only).
    assert page.tags.count("script") == (0 if path.endswith("fragment") else 1)
    assert html.count("<script>") == page.tags.count("script")
    if "script" in page.tags:
        assert f"<script>{FRAME_SCRIPT}</script>" in html
    assert "svg" not in page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    assert "&lt;script&gt;" in html and "{{ 7*7 }}" in html and "49" not in html
    assert "Hostile &lt;b&gt;Topic&lt;/b&gt;" in html


def test_only_https_links_and_images_survive(hostile_client):
    html = hostile_client.get("/widget/hostile").get_data(as_text=True)
    page = Collector()
    page.feed(html)
    hrefs = [v for k, v in page.attrs if k == "href" and not v.startswith("#")]
    srcs = [v for k, v in page.attrs if k == "src"]
    assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == 2
    assert srcs == ['https://m.media-amazon.com/a.jpg" onerror="x']
    assert "insecure.example" not in html and "javascript:" not in html
    assert "data:text/html" not in html


def test_api_drops_unsafe_links_and_images(hostile_client):
    body = hostile_client.get("/api/v1/topics/hostile").get_json()
    assert [p["asin"] for p in body["products"]] == ["B0EVIL0001", "B0EVIL0003"]
    images = [p["image"] for p in body["products"]]
    assert images[1] is None
    assert body["products"][0]["title"].startswith(
        "<script>"
    )  # JSON carries data as-is
