"""A catalog full of hostile or odd data renders escaped and safe."""

import json
import re
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
    # The only scripts are the widget's own: the height reporter (documents
    # only) and the beacons.
    ours = ['<script async data-bw-beacons src="http://localhost/beacons.js">']
    if not path.endswith("fragment"):
        ours = [
            '<script async data-bw-beacons src="/beacons.js">',
            f"<script>{FRAME_SCRIPT}</script>",
        ]
    assert page.tags.count("script") == len(ours)
    assert html.count("<script") == len(ours)
    assert all(script in html for script in ours)
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
    # Two books, each with its title link and its button.
    assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == 4
    assert srcs == ['https://m.media-amazon.com/a.jpg" onerror="x', "/beacons.js"]
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


ODD_NUMBERS = [
    {
        "asin": "B0ODDN0001",
        "title": "NaN price",
        "price": {"amount": float("nan"), "currency": "USD"},
    },
    {"asin": "B0ODDN0002", "title": "Infinite rating", "rating": float("inf")},
    {"asin": "B0ODDN0003", "title": "Infinite rank", "sales_rank": float("-inf")},
    {
        "asin": "B0ODDN0004",
        "title": "Fine book",
        "price": {"amount": 12.5, "currency": "USD"},
    },
]


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinity_are_dropped_per_item(make_app, tmp_path):
    """Issue 12, item 7: a NaN price failed the whole refresh, showed $nan
    and put NaN (invalid JSON) into the API."""
    path = tmp_path / "odd.json"
    items = [ITEM | {"keywords": ["odd"], "authors": []} | item for item in ODD_NUMBERS]
    path.write_text(json.dumps({"items": items}))  # json writes NaN/Infinity
    app = make_app(WIDGET_STUB_CATALOG=str(path), WIDGET_SEED_DEMO=False)
    app.test_cli_runner().invoke(args=["topics", "add", "Odd", "--keywords", "odd"])
    client = app.test_client()
    html = client.get("/widget/odd").get_data(as_text=True)
    assert "NaN price" in html and "Fine book" in html and "$12.50" in html
    prices = re.findall(r'class="bw-price"><span>([^<(]*)', html)
    assert sorted(prices) == ["$12.50", "$9.99", "$9.99"]  # the NaN one has none
    assert "$nan" not in html.lower() and "$inf" not in html.lower()
    body = strict_json(client.get("/api/v1/topics/odd").get_data(as_text=True))
    products = {p["asin"]: p for p in body["products"]}
    assert len(products) == 4
    assert products["B0ODDN0001"]["price"] is None
    assert products["B0ODDN0002"]["rating"] is None
    assert products["B0ODDN0003"]["sales_rank"] is None


def test_the_creators_api_adapter_drops_non_finite_numbers_per_item():
    from widget.catalog.amazon_items import to_product

    item = {
        "asin": "B0ODDN0009",
        "detailPageURL": "https://www.amazon.com/dp/B0ODDN0009?tag=x-20",
        "itemInfo": {"title": {"displayValue": "Odd \x1b[31mred\x1b[0m"}},
        "offersV2": {
            "listings": [
                {"price": {"money": {"amount": float("nan"), "currency": "USD"}}}
            ]
        },
        "customerReviews": {"starRating": {"value": float("inf")}},
        "browseNodeInfo": {"websiteSalesRank": {"salesRank": float("inf")}},
    }
    product = to_product(item)
    assert (product.price, product.rating, product.sales_rank) == (None, None, None)
    assert product.title == "Odd [31mred[0m"


ESCAPES = "\x1b]52;c;aGVsbG8=\x07Evil\x1b[2J\x9b31m"


def test_control_characters_never_reach_widgets_or_the_terminal(make_app, tmp_path):
    path = tmp_path / "escapes.json"
    items = [
        ITEM
        | {
            "asin": "B0ESCP0001",
            "title": ESCAPES,
            "authors": [ESCAPES],
            "keywords": ["esc"],
        }
    ]
    path.write_text(json.dumps({"items": items}))
    app = make_app(WIDGET_STUB_CATALOG=str(path), WIDGET_SEED_DEMO=False)
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=["topics", "add", "Topic " + ESCAPES, "--keywords", "esc"]
    )
    assert added.exit_code == 0, added.output
    client = app.test_client()
    for page in ("/widget/topic-52-c-agvsbg8-evil-2j-31m", "/api/v1/topics"):
        text = client.get(page).get_data(as_text=True)
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    # A title stored before input was cleaned is cleaned on the way out.
    from widget.models import Topic

    store = app.extensions["widget"].store
    store.add_topic(Topic("old", "Old " + ESCAPES, "esc"))
    listed = runner.invoke(args=["topics", "list"]).output
    assert "Old ]52;c;aGVsbG8=Evil[2J31m" in listed
    assert not any(c in listed for c in "\x1b\x07\x9b")
