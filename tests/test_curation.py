"""Curation and rank movement, through the public routes: the API sets a
topic's fields and refreshes it; the widget and the API show the list.

On the FakeCatalog (exact control of what a search returns) and on the
stub catalog (its out-of-stock books, editions and new releases).
"""

from datetime import date

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.fakes import make_product
from widget.models import Image

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def api(admin_app):
    return admin_app.test_client()


def create(api, **fields):
    fields.setdefault("title", "NASA Artemis")
    fields.setdefault("keywords", "nasa artemis")
    response = api.post("/api/v1/topics", json=fields, headers=AUTH)
    assert response.status_code == 201, response.json
    return response.json["slug"]


def refresh(api, slug="nasa-artemis"):
    response = api.post(f"/api/v1/topics/{slug}/refresh", headers=AUTH)
    assert response.status_code == 200, response.json
    return [p["asin"] for p in api.get(f"/api/v1/topics/{slug}").json["products"]]


def change(api, slug="nasa-artemis", **fields):
    response = api.patch(f"/api/v1/topics/{slug}", json=fields, headers=AUTH)
    assert response.status_code == 200, response.json
    return response.json


def fake(*numbers):
    return [f"B0FAKE{n:04d}" for n in numbers]


# -- availability and editions ---------------------------------------------------
def test_an_out_of_stock_book_is_replaced_by_the_next(api, fake_catalog):
    fake_catalog.products[2] = make_product(3, availability="OUT_OF_STOCK")
    fake_catalog.products[4] = make_product(5, availability="UNAVAILABLE")
    create(api)
    assert refresh(api) == fake(1, 2, 4, 6, 7, 8, 9, 10, 11, 12)


def test_editions_of_one_work_appear_once(api, fake_catalog):
    fake_catalog.products[3] = make_product(
        4, title="Fake Book 2 (Deluxe Edition)", authors=("author 2",)
    )
    create(api)
    assert refresh(api) == fake(1, 2, 3, 5, 6, 7, 8, 9, 10, 11)


def test_the_stub_catalog_skips_its_out_of_stock_books_and_second_editions(client):
    products = client.get("/api/v1/topics/nasa-artemis").json["products"]
    assert len(products) == 10
    assert all(
        p["availability"] not in ("OUT_OF_STOCK", "UNAVAILABLE") for p in products
    )
    works = [(p["title"].casefold(), tuple(p["authors"])) for p in products]
    assert len(set(works)) == len(works)


# -- pins and exclusions -----------------------------------------------------------
def test_pins_hold_their_positions_and_exclusions_stay_out_across_refreshes(
    api, fake_catalog
):
    create(
        api,
        pinned=[
            {"asin": "B0FAKE0012", "position": 1},
            {"asin": "B0FAKE0011", "position": 4},
        ],
        excluded_asins=["B0FAKE0002"],
        excluded_words=["book 3"],
    )
    expected = fake(12, 1, 4, 11, 5, 6, 7, 8, 9, 10)
    assert refresh(api) == expected
    fake_catalog.products.reverse()  # the search now ranks the other way round
    assert refresh(api) == fake(12, 10, 9, 11, 8, 7, 6, 5, 4, 1)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    assert "Fake Book 2<" not in html and "Fake Book 3<" not in html


def test_a_pinned_book_missing_from_the_search_is_looked_up(make_app):
    """The stub catalog looks pinned ASINs up, as Amazon's getItems does."""
    client = make_app(WIDGET_ADMIN_TOKEN=ADMIN_TOKEN).test_client()
    change(client, pinned="B0STUB0067@2")  # a Python book, no Artemis match
    assert refresh(client)[1] == "B0STUB0067"


def test_min_rating_keeps_only_rated_books_at_or_above_it(api, fake_catalog):
    fake_catalog.products[0] = make_product(1, rating=3.9)
    fake_catalog.products[1] = make_product(2, rating=None)
    create(api, min_rating=4)
    assert refresh(api)[:2] == fake(3, 4)


def test_curation_fields_are_checked(api):
    response = api.post(
        "/api/v1/topics",
        json={
            "title": "Dune",
            "pinned": [{"asin": "nope", "position": 1}],
            "excluded_asins": "B0FAKE0001, short",
            "min_rating": 7,
            "heading": "Top {count} {author}",
            "list_type": "popular",
            "badges": "maybe",
        },
        headers=AUTH,
    )
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert set(fields) == {
        "pinned",
        "excluded_asins",
        "min_rating",
        "heading",
        "list_type",
        "badges",
    }
    assert "{count} and {title}" in fields["heading"]


def test_text_forms_of_the_fields_read_back(api):
    slug = create(
        api,
        pinned="B0FAKE0003@2, b0fake0004@5",
        excluded_asins="B0FAKE0001 B0FAKE0002",
        excluded_words="Deluxe, box set",
        badges="on",
        min_rating="4,5",
    )
    topic = api.get(f"/api/v1/topics/{slug}").json["topic"]
    assert topic["pinned"] == [
        {"asin": "B0FAKE0003", "position": 2},
        {"asin": "B0FAKE0004", "position": 5},
    ]
    assert topic["excluded_asins"] == ["B0FAKE0001", "B0FAKE0002"]
    assert topic["excluded_words"] == ["Deluxe", "box set"]
    assert topic["badges"] is True and topic["min_rating"] == 4.5


def test_every_curation_field_is_in_the_admin_form_and_the_cli(admin_app):
    runner = admin_app.test_cli_runner()
    result = runner.invoke(args=["topics", "add", "--help"])
    for flag in (
        "--pages",
        "--list-type",
        "--heading",
        "--pinned",
        "--excluded-asins",
        "--excluded-words",
        "--min-rating",
        "--badges",
    ):
        assert flag in result.output
    result = runner.invoke(
        args=[
            "topics",
            "add",
            "Dune",
            "--pinned",
            "B0FAKE0005@1",
            "--badges",
            "on",
            "--pages",
            "2",
        ]
    )
    assert result.exit_code == 0, result.output
    topic = admin_app.extensions["widget"].store.get_state("dune").topic
    assert topic.pinned[0].asin == "B0FAKE0005" and topic.badges and topic.pages == 2


# -- rank movement -------------------------------------------------------------------
def test_badges_after_two_refreshes_with_a_changed_order(api, fake_catalog):
    create(api, badges=True, item_count=4)
    refresh(api)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    assert 'class="bw-badge"' not in html  # a first list: nothing to compare
    fake_catalog.products = [make_product(n) for n in (3, 1, 9, 2)]
    refresh(api)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    badges = [part.split("<")[0] for part in html.split('class="bw-badge">')[1:]]
    assert badges == ["\u25b22", "\u25bc1", "New", "\u25bc2"]
    assert "places since the last list" in html
    # A refresh that changes nothing keeps the badges of the last change.
    refresh(api)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    assert html.count('class="bw-badge"') == 4
    change(api, badges=False)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    assert 'class="bw-badge"' not in html


# -- new releases -------------------------------------------------------------------
def test_new_releases_are_the_newest_of_the_last_six_months(make_app, clock):
    app = make_app(clock=clock, WIDGET_ADMIN_TOKEN=ADMIN_TOKEN)
    client = app.test_client()
    change(client, list_type="new_releases", keywords="nasa artemis mars python")
    asins = refresh(client)
    products = client.get("/api/v1/topics/nasa-artemis").json["products"]
    published = [date.fromisoformat(p["published"]) for p in products]
    assert published == sorted(published, reverse=True)
    today = clock.moment.date()
    assert all(0 <= (today - day).days <= 183 for day in published)
    assert asins[0] == "B0STUB0172"  # 2026-11-10, a week before the clock
    html = client.get("/widget/nasa-artemis?lang=de").get_data(as_text=True)
    assert f"Die {len(asins)} neuesten Bücher" in html


def test_a_heading_template_replaces_the_default(api):
    create(api, heading="My {count} picks: {title}")
    refresh(api)
    html = api.get("/widget/nasa-artemis?count=3&lang=fr").get_data(as_text=True)
    assert "My 3 picks: <bdi>NASA Artemis</bdi>" in html


# -- covers ---------------------------------------------------------------------------
def test_covers_offer_the_large_image_for_sharp_screens(api, fake_catalog):
    fake_catalog.products[0] = make_product(
        1, large_image=Image("https://m.media-amazon.com/images/I/fake1L.jpg", 333, 500)
    )
    create(api)
    refresh(api)
    html = api.get("/widget/nasa-artemis").get_data(as_text=True)
    assert (
        '<img src="https://m.media-amazon.com/images/I/fake1.jpg"'
        ' srcset="https://m.media-amazon.com/images/I/fake1L.jpg 2x"'
    ) in html
    assert html.count("srcset=") == 1  # the others have no large cover


# -- through the real adapter, against the stub-server -------------------------------
@pytest.fixture
def amazon_api(make_app, make_amazon, clock):
    app = make_app(
        catalog=make_amazon(),
        clock=clock,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
    )
    return app.test_client()


def test_the_adapter_asks_amazon_for_the_newest_arrivals(amazon_api, clock):
    create(amazon_api, keywords="nasa artemis mars python", list_type="new_releases")
    asins = refresh(amazon_api)
    # Only NewestArrivals puts this one-keyword match on the first page.
    assert asins[0] == "B0STUB0172"
    products = amazon_api.get("/api/v1/topics/nasa-artemis").json["products"]
    published = [date.fromisoformat(p["published"]) for p in products]
    assert published == sorted(published, reverse=True)
    assert all(0 <= (clock.moment.date() - day).days <= 183 for day in published)


def test_the_adapter_skips_unbuyable_books_and_looks_pins_up(amazon_api, stub_server):
    create(amazon_api, pages=2, pinned="B0STUB0067@3", badges=True)
    asins = refresh(amazon_api)
    assert asins[2] == "B0STUB0067"  # fetched with getItems
    assert len(stub_server.calls("getItems")) == 1
    products = amazon_api.get("/api/v1/topics/nasa-artemis").json["products"]
    assert len(products) == 10
    assert not {"B0STUB0160"} & set(asins)  # out of stock, ranked in the top 20
    assert all(
        p["availability"] not in ("OUT_OF_STOCK", "UNAVAILABLE") for p in products
    )
    html = amazon_api.get("/widget/nasa-artemis").get_data(as_text=True)
    # Ratings, review counts and savings come through the wire format.
    assert 'class="bw-rate" role="img" aria-label="' in html
    assert 'class="bw-save">' in html


def test_a_hand_picked_list_is_shown_as_listed_not_curated(make_app, stub_server):
    """Curation is for search results: a manual topic's books (no ratings,
    no availability) stay the admin's, even with a minimum rating set."""
    app = make_app(
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
        WIDGET_OPENLIBRARY_URL=stub_server.url,
    )
    client = app.test_client()
    create(
        client,
        title="Desk picks",
        catalog="manual",
        items="0000000019\nB0STUBKND1",
        min_rating=4.5,
        excluded_words="artemis",
    )
    assert refresh(client, "desk-picks") == ["0000000019", "B0STUBKND1"]
