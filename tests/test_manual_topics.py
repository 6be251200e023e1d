"""Manual topics through the public doors (admin form, API, CLI import, the
widget) and the open-data fallback of an API topic that lost Amazon access,
with the real Amazon adapter and Open Library played by the stub-server."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.conftest import ADMIN_TOKEN
from tests.conftest import COVERS
from tests.fakes import make_topic
from tests.test_admin import AdminActions
from tests.test_admin import field_errors
from widget.catalog.base import CatalogBudgetExhausted
from widget.catalog.base import CatalogUnavailable

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

LINES = "\n".join(
    [
        "978-0-00-000011-8  The one on the desk",  # Lunar Logistics, by ISBN-13
        "B0STUBKND1",  # an ebook ASIN: nothing to ask Open Library
        "9780316769488 \u2013 not in the catalog",  # unknown to Open Library
        "ISBN 0000000019",  # Artemis Rising, by ISBN-10
    ]
)
TITLES = [
    "Lunar Logistics: How NASA Plans to Stay on the Moon",
    "B0STUBKND1",
    "9780316769488",
    "Artemis Rising: The Long Road Back to the Moon",
]
LINKS = [
    "https://www.amazon.com/dp/0000000116?tag=mysite-20",
    "https://www.amazon.com/dp/B0STUBKND1?tag=mysite-20",
    "https://www.amazon.com/dp/0316769487?tag=mysite-20",
    "https://www.amazon.com/dp/0000000019?tag=mysite-20",
]


def titles(page: str) -> list[str]:
    found = re.findall(r'class="bw-title"[^>]*><bdi>([^<]*)</bdi>', page)
    return [html.unescape(t) for t in found]


def links(page: str) -> list[str]:
    found = re.findall(r'<a class="bw-title" href="([^"]+)"', page)
    return [html.unescape(u) for u in found]


def covers(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'<img src="([^"]+)"', page)]


@pytest.fixture
def admin(manual_app):
    actions = AdminActions(manual_app.test_client())
    assert actions.login().status_code == 302
    return actions


def add_by_form(admin, items=LINES, **fields):
    data = {"title": "Desk picks", "catalog": "manual", "items": items}
    return admin.post("/admin/topics/new", **(data | fields))


# -- a manual topic through the admin form ----------------------------------------
def test_the_form_adds_a_manual_topic_shown_in_the_admins_order(admin):
    assert add_by_form(admin).status_code == 302
    page = admin.client.get("/widget/desk-picks").text
    assert titles(page) == TITLES
    assert links(page) == LINKS
    assert covers(page) == [
        f"{COVERS}/b/isbn/9780000000118-M.jpg",
        f"{COVERS}/b/isbn/9780000000019-M.jpg",
    ]
    assert "The one on the desk" in page and "not in the catalog" in page
    assert "by <bdi>Everett Quinlan</bdi>" in page


def test_a_manual_box_has_no_prices_ratings_or_amazon_claims(admin):
    add_by_form(admin)
    page = admin.client.get("/widget/desk-picks").text
    assert not re.search(r"\$\d", page) and 'class="bw-price"' not in page
    assert "Most Popular" not in page and "4 Recommended Books on" in page
    assert "Images from Amazon" not in page
    assert "Last update on 2026-11-26 / Affiliate links / Covers from Open Library" in (
        page
    )
    assert "As an Amazon Associate we earn from qualifying purchases." in page
    assert 'rel="sponsored nofollow noopener"' in page


def test_the_form_names_each_bad_line_and_keeps_what_was_typed(admin, manual_app):
    typed = "0000000019\nnot-an-isbn\n978-0-00-000001-9 again\n9780000000118"
    response = add_by_form(admin, items=typed)
    assert response.status_code == 400
    [error] = [e for e in field_errors(response.text) if e.startswith("Books")]
    assert 'line 2: "not-an-isbn" is not an ASIN' in error
    assert 'line 3: "9780000000019" repeats line 1' in error
    assert "line 4" not in error
    assert "not-an-isbn\n978-0-00-000001-9 again" in html.unescape(response.text)
    assert manual_app.extensions["widget"].store.get_state("desk-picks") is None


def test_a_manual_topic_needs_a_book(admin):
    response = add_by_form(admin, items="  \n")
    assert response.status_code == 400
    assert "Books must name at least one book for a manual topic" in field_errors(
        response.text
    )


def test_the_edit_form_shows_the_books_one_per_line(admin):
    add_by_form(admin)
    page = html.unescape(admin.client.get("/admin/topics/desk-picks/edit").text)
    assert (
        "9780000000118  The one on the desk\nB0STUBKND1\n"
        "9780316769488  not in the catalog\n0000000019</textarea>"
    ) in page


def test_the_admin_pages_say_the_topic_is_manual(admin):
    add_by_form(admin)
    admin.client.get("/widget/desk-picks")
    row = re.search(
        r'<tr id="topic-desk-picks">.*?</tr>', admin.client.get("/admin/").text, re.S
    )
    assert "manual" in row.group(0) and "Open Library" in row.group(0)


# -- through the API --------------------------------------------------------------
def test_the_api_takes_items_and_answers_them_in_order(manual_app):
    api = manual_app.test_client()
    items = [
        {"isbn": "978-0-00-000011-8", "note": "The one on the desk"},
        {"asin": "B0STUBKND1"},
        {"isbn": "9780316769488", "note": None},
        {"isbn": "0000000019", "note": "Start here"},
    ]
    body = {"title": "Desk picks", "catalog": "manual", "items": items}
    created = api.post("/api/v1/topics", json=body, headers=AUTH)
    assert created.status_code == 201
    assert created.json["topic"]["items"][:2] == [
        {"isbn": "9780000000118", "note": "The one on the desk"},
        {"asin": "B0STUBKND1", "note": None},
    ]
    topic = api.get("/api/v1/topics/desk-picks").json
    assert [p["title"] for p in topic["products"]] == TITLES
    assert [p["url"] for p in topic["products"]] == LINKS
    assert topic["products"][3]["note"] == "Start here"
    assert all(p["price"] is None and p["rating"] is None for p in topic["products"])
    assert topic["source"] == "manual"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"isbn": "978-0-00-000011-9"}], 'item 1: "978-0-00-000011-9" is not a'),
        (
            [{"asin": "B0STUBKND1"}, {"isbn": "0000000019"}, {"asin": "b0stubknd1"}],
            'item 3: "B0STUBKND1" repeats item 1',
        ),
        ([{"asin": "B0STUBKND1", "isbn": "0000000019"}], "item 1: give one of"),
        ([{"asin": 12}], "item 1: give one of"),
        ([{"asin": "B0STUBKND1", "note": "x" * 121}], "item 1: the note is over 120"),
        ([{"asin": "B0STUBKND1"}, 7], "item 2: must be text or an object"),
        ([], "must name at least one book for a manual topic"),
        ("B0STUBKND1\nB0STUBKND1", 'line 2: "B0STUBKND1" repeats line 1'),
        ({"asin": "B0STUBKND1"}, "has the wrong type"),
    ],
)
def test_bad_items_answer_400_naming_the_item(manual_app, items, message):
    body = {"title": "Desk picks", "catalog": "manual", "items": items}
    response = manual_app.test_client().post("/api/v1/topics", json=body, headers=AUTH)
    assert response.status_code == 400
    assert message in response.json["error"]["fields"]["items"]


def test_fifty_one_books_are_too_many(manual_app):
    items = [{"isbn": f"97800000{n:04d}"} for n in range(51)]
    body = {"title": "All", "catalog": "manual", "items": items}
    response = manual_app.test_client().post("/api/v1/topics", json=body, headers=AUTH)
    assert response.status_code == 400  # check digits are wrong as well: no 500


# -- through the CLI: a CSV file -------------------------------------------------
CSV = """slug,title,identifier,note
desk-picks,Desk picks,978-0-00-000011-8,The one on the desk
desk-picks,,B0STUBKND1,
desk-picks,,9780316769488,"not in the catalog, yet"
,Moon books,0000000019,
"""


def test_a_csv_file_makes_manual_topics(manual_app, tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(CSV)
    result = manual_app.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 topics: 2 added, 0 updated" in result.output
    client = manual_app.test_client()
    page = client.get("/widget/desk-picks").text
    assert titles(page) == TITLES[:3]
    assert "not in the catalog, yet" in page
    assert titles(client.get("/widget/moon-books").text) == [TITLES[3]]


def test_a_csv_file_updates_an_existing_topic_to_manual(manual_app, tmp_path):
    store = manual_app.extensions["widget"].store
    store.add_topic(make_topic("desk-picks", title="My desk", item_count=3))
    path = tmp_path / "books.csv"
    path.write_text("slug,identifier\ndesk-picks,0000000019\n")
    result = manual_app.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert "0 added, 1 updated" in result.output
    topic = store.get_state("desk-picks").topic
    assert (topic.title, topic.item_count, topic.catalog) == ("My desk", 3, "manual")
    assert [item.book.isbn for item in topic.items] == ["9780000000019"]


def test_a_bad_csv_file_names_each_line_and_changes_nothing(manual_app, tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(
        "slug,title,identifier,note\n"
        "desk-picks,Desk picks,0000000019,\n"
        "desk-picks,,12345,\n"
        "desk-picks,,ISBN 0-00-000001-9,twice\n"
        "other,,0000000019,\n"
    )
    result = manual_app.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert result.exit_code == 1
    assert 'desk-picks: line 3: "12345" is not an ASIN' in result.output
    assert 'line 4: "0000000019" repeats line 2' in result.output
    assert "other: title: is required" in result.output
    assert manual_app.extensions["widget"].store.list_states() == []


def test_a_csv_file_without_its_header_is_refused(manual_app, tmp_path):
    path = tmp_path / "books.csv"
    path.write_text("0000000019,Desk picks\n")
    result = manual_app.test_cli_runner().invoke(args=["topics", "import", str(path)])
    assert result.exit_code == 1 and "must name the columns" in result.output


# -- Open Library slow, down or malformed: the last open-data list stays -----------
@pytest.mark.parametrize("trouble", ["500", "malformed", "hang", "down"])
def test_a_manual_box_keeps_its_list_when_open_library_fails(
    admin, manual_app, open_library, clock, trouble
):
    add_by_form(admin)
    before = admin.client.get("/widget/desk-picks").text
    clock.advance(hours=13)
    if trouble == "down":
        manual_app.extensions[
            "widget"
        ].lists.refresher.manual.library.base_url = "http://127.0.0.1:9"
    else:
        manual = manual_app.extensions["widget"].lists.refresher.manual
        manual.library.timeout = (1.0, 0.5)
        open_library.options.hang = 1.0  # past the read timeout
        open_library.queue(trouble)
    response = admin.client.post("/api/v1/topics/desk-picks/refresh", headers=AUTH)
    assert response.status_code == 502
    after = admin.client.get("/widget/desk-picks").text
    assert titles(after) == titles(before) == TITLES
    assert covers(after) == covers(before)
    assert "Last update on 2026-11-26" in after


# -- the open-data fallback with the real Amazon adapter ---------------------------
def refresh(client):
    return client.post("/api/v1/topics/nasa-artemis/refresh", headers=AUTH)


def eligible(stub, yes):
    requests.post(stub.url + "/_stub/eligibility", json={"eligible": yes}, timeout=5)


def amazon_traces(page: str) -> list[str]:
    """What in a box could only have come from the Creators API."""
    traces = re.findall(
        r'linkCode=|/stub-covers/|\$\d|class="bw-price"|Images from Amazon', page
    )
    return traces


def test_lost_access_keeps_the_api_list_for_24_hours_then_open_data(
    amazon_app, open_library, clock
):
    client = amazon_app.test_client()
    assert refresh(client).status_code == 200
    api_box = client.get("/widget/nasa-artemis").text
    api_titles = titles(api_box)
    assert len(api_titles) == 6 and "linkCode=ogi" in api_box
    assert re.search(r"\$\d", api_box)

    eligible(open_library, False)
    clock.advance(hours=2)
    failed = refresh(client)
    assert failed.status_code == 502
    assert "not eligible" in failed.json["error"]["message"]
    assert titles(client.get("/widget/nasa-artemis").text) == api_titles
    row = client.get("/api/v1/topics/nasa-artemis").json
    assert row["source"] == "amazon"

    # The last retry before the list turns 24 hours old replaces it.
    clock.advance(hours=22, minutes=50)
    assert refresh(client).status_code == 502
    box = client.get("/widget/nasa-artemis").text
    assert amazon_traces(box) == []
    assert len(titles(box)) == 6
    for url in links(box):
        assert re.fullmatch(r"https://www\.amazon\.com/dp/\w{10}\?tag=mysite-20", url)
    assert all(url.startswith(COVERS + "/b/isbn/") for url in covers(box))
    assert "Last update on 2026-11-27 / Affiliate links / Covers from Open Library" in (
        box
    )
    assert client.get("/api/v1/topics/nasa-artemis").json["source"] == "open-data"

    # Access back: the next refresh brings the API list back.
    eligible(open_library, True)
    clock.advance(minutes=15)
    assert refresh(client).status_code == 200
    back = client.get("/widget/nasa-artemis").text
    assert titles(back) == api_titles and "linkCode=ogi" in back


def test_books_without_an_isbn_keep_only_their_asin(amazon_app, open_library, clock):
    client = amazon_app.test_client()
    client.put(
        "/api/v1/topics/nasa-artemis",
        json={"search_index": "KindleStore"},
        headers=AUTH,
    )
    assert refresh(client).status_code == 200
    api_box = client.get("/widget/nasa-artemis").text
    asins = [re.search(r"/dp/(\w+)", url).group(1) for url in links(api_box)]
    eligible(open_library, False)
    clock.advance(hours=24)
    refresh(client)
    box = client.get("/widget/nasa-artemis").text
    assert titles(box) == asins  # no Amazon title left
    assert covers(box) == []


def test_open_library_down_at_the_switch_leaves_identifiers_and_links(
    amazon_app, open_library, clock
):
    client = amazon_app.test_client()
    refresh(client)
    api_titles = titles(client.get("/widget/nasa-artemis").text)
    eligible(open_library, False)
    clock.advance(hours=24)
    open_library.queue("503")  # Open Library's call (Amazon's is refused first)
    refresh(client)
    box = client.get("/widget/nasa-artemis").text
    assert amazon_traces(box) == [] and covers(box) == []
    assert len(titles(box)) == 6 and not set(titles(box)) & set(api_titles)


def test_the_admin_page_says_which_mode_and_why(amazon_app, open_library, clock):
    client = amazon_app.test_client()
    refresh(client)
    admin = AdminActions(client)
    admin.login()
    eligible(open_library, False)
    clock.advance(hours=1)
    refresh(client)
    page = html.unescape(client.get("/admin/topics/nasa-artemis").text)
    assert "Mode: <strong>API</strong>: the API refused its refresh" in page
    assert "shown until 2026-11-27T12:00:00Z, then its books from open data" in page
    assert "Amazon withdrew API access" in page
    clock.advance(hours=23)
    refresh(client)
    page = html.unescape(client.get("/admin/").text)
    assert "open data" in page and "until the API answers again" in page


@pytest.mark.parametrize(
    ("error", "switches"),
    [
        (CatalogBudgetExhausted("the day's budget is spent"), True),
        (CatalogUnavailable("Amazon is down"), False),
    ],
)
def test_a_spent_budget_switches_too_but_an_outage_does_not(
    make_app, fake_catalog, open_library, clock, error, switches
):
    app = make_app(
        catalog=fake_catalog,
        clock=clock,
        WIDGET_SEED_DEMO=False,
        WIDGET_OPENLIBRARY_URL=open_library.url,
        WIDGET_AMAZON_PARTNER_TAG="test-20",
    )
    app.extensions["widget"].store.add_topic(make_topic("nasa-artemis"))
    client = app.test_client()
    client.get("/widget/nasa-artemis")
    fake_catalog.error = error
    clock.advance(hours=24)
    app.extensions["widget"].lists.refresh("nasa-artemis")
    box = client.get("/widget/nasa-artemis").text
    assert ("Fake Book 1<" not in box) is switches
    assert ("B0FAKE0001<" in box) is switches


def test_cli_flags_take_the_books_and_export_round_trips(manual_app, tmp_path):
    runner = manual_app.test_cli_runner()
    added = runner.invoke(
        args=[
            "topics",
            "add",
            "Desk picks",
            "--catalog",
            "manual",
            "--items",
            "0000000019  Start here\nB0STUBKND1",
        ]
    )
    assert added.exit_code == 0, added.output
    exported = runner.invoke(args=["topics", "export"]).output
    path = tmp_path / "topics.json"
    path.write_text(exported)
    store = manual_app.extensions["widget"].store
    before = store.get_state("desk-picks").topic
    store.remove_topic("desk-picks")
    assert "1 added" in runner.invoke(args=["topics", "import", str(path)]).output
    assert store.get_state("desk-picks").topic == before
    assert before.items[0].note == "Start here"


def test_a_refused_credential_switches_to_open_data_too(
    amazon_app, open_library, clock
):
    client = amazon_app.test_client()
    assert refresh(client).status_code == 200
    open_library.options.client_secret = "rotated"  # the stored secret is refused
    requests.post(open_library.url + "/_stub/revoke", timeout=5)
    clock.advance(hours=24)
    failed = refresh(client)
    assert failed.status_code == 502 and "credential" in failed.json["error"]["message"]
    box = client.get("/widget/nasa-artemis").text
    assert amazon_traces(box) == [] and len(titles(box)) == 6


def test_open_data_is_renewed_and_kept_when_open_library_fails(
    amazon_app, open_library, clock
):
    client = amazon_app.test_client()
    refresh(client)
    eligible(open_library, False)
    clock.advance(hours=24)
    refresh(client)
    first = client.get("/widget/nasa-artemis").text
    assert "Last update on 2026-11-27" in first
    # Renewed once older than the topic's interval (12 h) ...
    clock.advance(hours=13)
    refresh(client)
    renewed = client.get("/widget/nasa-artemis").text
    assert titles(renewed) == titles(first)
    assert "2026-11-28T01:00:00+00:00" in renewed
    # ... and kept as it is while Open Library answers nonsense.
    clock.advance(hours=13)
    open_library.queue("malformed")
    assert refresh(client).status_code == 502
    kept = client.get("/widget/nasa-artemis").text
    assert titles(kept) == titles(first) and covers(kept) == covers(first)
    assert "2026-11-28T01:00:00+00:00" in kept


def test_emptying_the_books_of_a_manual_topic_is_refused(admin):
    add_by_form(admin)
    page = admin.client.get("/admin/topics/desk-picks/edit").text
    form = dict(re.findall(r'name="(version|base)" value="([^"]*)"', page))
    form = {k: html.unescape(v) for k, v in form.items()}
    response = admin.post("/admin/topics/desk-picks/edit", items="", **form)
    assert response.status_code == 400
    assert "Books must name at least one book for a manual topic" in field_errors(
        response.text
    )
