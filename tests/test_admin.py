import html
import html.parser
import re

import pytest

from tests.conftest import ADMIN_TOKEN
from widget.catalog.base import CatalogUnavailable
from widget.topics import TOPIC_FIELDS

TOKEN = ADMIN_TOKEN


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def field_errors(page: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'class="err"[^>]*>([^<]*)', page)]


def flashes(page: str) -> list[str]:
    found = re.findall(r'class="flash[^"]*" role="status">([^<]*)', page)
    return [html.unescape(f) for f in found]


class AdminActions:
    def __init__(self, client):
        self.client = client
        self.csrf = None

    def login(self, token=TOKEN, next_url=None):
        page = self.client.get("/admin/login")
        data = {"csrf_token": csrf_of(page.text), "token": token}
        if next_url:
            data["next"] = next_url
        response = self.client.post("/admin/login", data=data)
        if response.status_code == 302:
            self.csrf = csrf_of(self.client.get("/admin/").text)
        return response

    def post(self, path, **data):
        return self.client.post(path, data={"csrf_token": self.csrf, **data})


@pytest.fixture
def admin(admin_app):
    actions = AdminActions(admin_app.test_client())
    assert actions.login().status_code == 302
    return actions


def test_without_a_token_configured_admin_says_how_to_set_one(make_app):
    client = make_app().test_client()
    for path in ("/admin/", "/admin/login", "/admin/topics/nasa-artemis"):
        response = client.get(path)
        assert response.status_code == 503
        assert "WIDGET_ADMIN_TOKEN" in response.text
    assert client.post("/admin/login", data={"token": "x"}).status_code == 503
    assert client.get("/widget/nasa-artemis").status_code == 200


def test_pages_need_login_and_redirect_back_after_it(admin_app):
    actions = AdminActions(admin_app.test_client())
    response = actions.client.get("/admin/topics/nasa-artemis")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")
    response = actions.login(next_url="/admin/topics/nasa-artemis")
    assert response.headers["Location"] == "/admin/topics/nasa-artemis"


def test_login_never_redirects_off_site(admin_app):
    actions = AdminActions(admin_app.test_client())
    response = actions.login(next_url="//evil.example/admin/")
    assert response.headers["Location"] == "/admin/"


def test_wrong_token_is_refused_with_a_message(admin_app):
    actions = AdminActions(admin_app.test_client())
    response = actions.login(token="guess")
    assert response.status_code == 401
    assert "That token is not right." in response.text
    assert actions.client.get("/admin/").status_code == 302


def test_login_form_needs_its_csrf_token(admin_app):
    client = admin_app.test_client()
    client.get("/admin/login")
    response = client.post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 400
    assert "expired" in response.text
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_samesite_and_secure_over_https(admin_app):
    client = admin_app.test_client()
    page = client.get("/admin/login", base_url="https://widgets.example")
    response = client.post(
        "/admin/login",
        data={"csrf_token": csrf_of(page.text), "token": TOKEN},
        base_url="https://widgets.example",
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = AdminActions(admin_app.test_client())
    plain.login()
    assert "Secure" not in plain.client.get("/admin/login").headers.get(
        "Set-Cookie", ""
    )


def test_forwarded_https_counts_only_behind_a_trusted_proxy(make_app):
    for proxies, secure in ((0, False), (1, True)):
        app = make_app(WIDGET_ADMIN_TOKEN=TOKEN, WIDGET_TRUSTED_PROXIES=proxies)
        response = app.test_client().get(
            "/admin/login", headers={"X-Forwarded-Proto": "https"}
        )
        assert ("Secure" in response.headers["Set-Cookie"]) is secure


def test_repeated_wrong_tokens_are_slowed_down(admin_app):
    actions = AdminActions(admin_app.test_client())
    for _ in range(10):
        assert actions.login(token="guess").status_code == 401
    response = actions.login()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    other = AdminActions(admin_app.test_client())
    page = other.client.get("/admin/login")
    response = other.client.post(
        "/admin/login",
        data={"csrf_token": csrf_of(page.text), "token": TOKEN},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 302  # another client is not punished


def test_admin_pages_are_never_cached_or_framed(admin):
    for path in ("/admin/", "/admin/login", "/admin/topics/new"):
        response = admin.client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_logout_ends_the_session(admin):
    response = admin.post("/admin/logout")
    assert response.headers["Location"] == "/admin/login"
    assert "You are logged out." in admin.client.get("/admin/login").text
    assert admin.client.get("/admin/").status_code == 302


def test_changing_the_token_logs_everyone_out(admin, admin_app):
    admin_app.config["WIDGET_ADMIN_TOKEN"] = type(
        admin_app.config["WIDGET_ADMIN_TOKEN"]
    )("a new token")
    assert admin.client.get("/admin/").status_code == 302


def test_every_form_needs_the_csrf_token(admin):
    admin.post("/admin/topics/new", title="Dune")
    for path in (
        "/admin/logout",
        "/admin/refresh",
        "/admin/topics/new",
        "/admin/topics/dune/edit",
        "/admin/topics/dune/refresh",
        "/admin/topics/dune/remove",
    ):
        response = admin.client.post(path, data={"title": "X", "csrf_token": "forged"})
        assert response.status_code == 400, path
    assert "Dune" in admin.client.get("/admin/").text


def test_topics_table_shows_health_at_a_glance(admin, clock, fake_catalog):
    admin.post("/admin/topics/new", title="Dune", item_count="3")
    admin.post("/admin/topics/dune/refresh")
    page = admin.client.get("/admin/").text
    row = re.search(r'<tr id="topic-dune">.*?</tr>', page, re.S).group(0)
    assert "Dune" in row and "<td>3</td>" in row and "2026-11-26T12:00:00Z" in row
    assert "fresh" in row and "just now" in row and "in 12 hours" in row

    clock.advance(hours=13, minutes=5)
    row = re.search(
        r'<tr id="topic-dune">.*?</tr>', admin.client.get("/admin/").text, re.S
    )
    assert "stale" in row.group(0) and "13 hours 5 minutes ago" in row.group(0)
    assert "due now" in row.group(0)

    fake_catalog.error = CatalogUnavailable("connection refused")
    admin.post("/admin/topics/dune/refresh")
    row = re.search(
        r'<tr id="topic-dune">.*?</tr>', admin.client.get("/admin/").text, re.S
    )
    assert "failing" in row.group(0)
    assert "Amazon could not be reached" in row.group(0)
    assert "connection refused" in row.group(0)


def test_refresh_one_reports_the_result_and_records_who(admin, fake_catalog):
    admin.post("/admin/topics/new", title="Dune", item_count="4")
    response = admin.post("/admin/topics/dune/refresh", next="/admin/topics/dune")
    assert response.headers["Location"] == "/admin/topics/dune"
    page = admin.client.get("/admin/topics/dune").text
    assert "Dune: refreshed, 4 items, 4 changed." in flashes(page)
    history = re.search(r"Refresh history.*?</table>", page, re.S).group(0)
    assert "<td>admin</td>" in history and "ok: 4 items" in history

    fake_catalog.error = CatalogUnavailable("timed out")
    admin.post("/admin/topics/dune/refresh")
    page = admin.client.get("/admin/").text
    assert any("refresh failed (timed out)" in f for f in flashes(page))
    assert fake_catalog.calls == ["dune", "dune"]


def test_refresh_all_refreshes_every_topic(admin, fake_catalog):
    admin.post("/admin/topics/new", title="Dune")
    admin.post("/admin/topics/new", title="Mars")
    admin.post("/admin/refresh")
    assert sorted(fake_catalog.calls) == ["dune", "mars"]
    assert "Refreshed 2 topics." in flashes(admin.client.get("/admin/").text)


def test_add_form_shows_messages_next_to_fields_and_keeps_input(admin):
    response = admin.post(
        "/admin/topics/new",
        title="",
        keywords="moon landing",
        item_count="11",
        refresh_interval="1m",
        browse_node="abc",
    )
    assert response.status_code == 400
    errors = field_errors(response.text)
    assert "Title is required" in errors
    assert "Items must be a whole number from 1 to 10" in errors
    assert any(
        e.startswith("Refresh interval must be between 5m and 24h") for e in errors
    )
    assert any(e.startswith("Browse node must be a browse node number") for e in errors)
    assert 'value="moon landing"' in response.text


def test_add_topic_then_it_serves_a_widget(admin, fake_catalog):
    response = admin.post(
        "/admin/topics/new",
        title="Deep Space",
        keywords="space probes",
        search_index="KindleStore",
        item_count="5",
        refresh_interval="6h",
    )
    assert response.headers["Location"] == "/admin/topics/deep-space"
    assert admin.client.get("/widget/deep-space").status_code == 200
    topic = admin.client.get("/api/v1/topics/deep-space").json["topic"]
    assert topic["search_index"] == "KindleStore"
    assert topic["refresh_interval"] == 6 * 3600 and topic["item_count"] == 5


def test_adding_a_taken_slug_says_so(admin):
    admin.post("/admin/topics/new", title="Dune")
    response = admin.post("/admin/topics/new", title="Dune")
    assert response.status_code == 409
    assert "Slug 'dune' is taken; choose another" in field_errors(response.text)


def test_edit_form_is_prefilled_and_saves_changes(admin):
    admin.post("/admin/topics/new", title="Dune", browse_node="16272")
    page = admin.client.get("/admin/topics/dune/edit").text
    assert 'value="16272"' in page and 'value="12h"' in page
    response = admin.post(
        "/admin/topics/dune/edit",
        title="Dune saga",
        keywords="dune",
        search_index="Books",
        browse_node="",
        item_count="6",
        refresh_interval="90m",
    )
    assert response.headers["Location"] == "/admin/topics/dune"
    topic = admin.client.get("/api/v1/topics/dune").json["topic"]
    assert topic["title"] == "Dune saga" and topic["browse_node"] is None
    assert topic["item_count"] == 6 and topic["refresh_interval"] == 5400


class FormValues(html.parser.HTMLParser):
    """What a browser submits for a form as it is shown."""

    def __init__(self, page):
        super().__init__()
        self.values, self._select = {}, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self.values[self._select] = ""
        elif tag == "option" and "selected" in attrs:
            self._selected = True

    def handle_data(self, data):
        if getattr(self, "_selected", False):
            self.values[self._select] = data
            self._selected = False


def test_the_form_has_every_topic_field_and_saves_pages(admin):
    page = admin.client.get("/admin/topics/new").text
    assert [f.name for f in TOPIC_FIELDS if f'name="{f.name}"' not in page] == []
    admin.post("/admin/topics/new", title="Dune", pages="3", sort_by="Featured")
    assert admin.client.get("/api/v1/topics/dune").json["topic"]["pages"] == 3
    shown = FormValues(admin.client.get("/admin/topics/dune/edit").text).values
    assert shown["pages"] == "3" and shown["sort_by"] == "Featured"
    assert "slug" not in shown  # fixed: shown, not submitted
    admin.post("/admin/topics/dune/edit", **(shown | {"title": "Dune saga"}))
    topic = admin.client.get("/api/v1/topics/dune").json["topic"]
    assert (topic["title"], topic["pages"], topic["sort_by"]) == (
        "Dune saga",
        3,
        "Featured",
    )


def test_edit_with_bad_values_changes_nothing(admin):
    admin.post("/admin/topics/new", title="Dune")
    response = admin.post("/admin/topics/dune/edit", title="Dune", item_count="0")
    assert response.status_code == 400
    assert "Items must be a whole number from 1 to 10" in field_errors(response.text)
    assert admin.client.get("/api/v1/topics/dune").json["topic"]["item_count"] == 10


def test_remove_topic_after_a_confirmation_page(admin):
    admin.post("/admin/topics/new", title="Dune")
    page = admin.client.get("/admin/topics/dune/remove")
    assert page.status_code == 200 and "This cannot be undone." in page.text
    assert admin.client.get("/widget/dune").status_code == 200
    response = admin.post("/admin/topics/dune/remove")
    assert response.headers["Location"] == "/admin/"
    assert admin.client.get("/widget/dune").status_code == 404
    assert admin.client.get("/admin/topics/dune").status_code == 404


def test_topic_page_has_preview_embed_codes_and_history(admin):
    admin.post("/admin/topics/new", title="Dune", item_count="4")
    page = admin.client.get("/admin/topics/dune").text
    assert '<iframe src="/admin/topics/dune/preview?count=4"' in page
    assert "height:calc(754px - clamp(" in page  # four items, reserved
    assert '<div data-widget-topic="dune" data-count="4"' in html.unescape(page)
    assert '<script async src="http://localhost/embed.js">' in html.unescape(page)
    assert "Not refreshed yet." in page


def test_preview_always_shows_the_current_list(admin, fake_catalog, clock):
    admin.post("/admin/topics/new", title="Dune")
    first = admin.client.get("/admin/topics/dune/preview")
    assert first.status_code == 200
    assert "Fake Book 1<" in first.text
    # Only this admin page may frame it, and nobody may keep it.
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    fake_catalog.products = list(reversed(fake_catalog.products))
    clock.advance(minutes=1)
    admin.post("/admin/topics/dune/refresh", next="/admin/topics/dune")
    again = admin.client.get("/admin/topics/dune/preview?count=1")
    assert "Fake Book 12<" in again.text and again.text.count("<li>") == 1


def test_preview_needs_a_login_and_a_topic(admin_app, admin):
    anonymous = admin_app.test_client().get("/admin/topics/dune/preview")
    assert anonymous.status_code == 302
    assert admin.client.get("/admin/topics/dune/preview").status_code == 404


def test_titles_are_escaped(admin):
    admin.post("/admin/topics/new", title="<script>x</script>", slug="xss")
    page = admin.client.get("/admin/").text
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_unknown_topic_and_bad_slug(admin):
    assert admin.client.get("/admin/topics/nope").status_code == 404
    assert admin.client.get("/admin/topics/Not_A_Slug").status_code == 400


def test_a_session_ends_12_hours_after_login(admin, monkeypatch):
    import time

    assert admin.client.get("/admin/").status_code == 200
    later = time.time() + 12 * 3600 + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert admin.client.get("/admin/").status_code == 302


def test_refresh_all_says_which_topics_it_left_for_later(admin, monkeypatch):
    monkeypatch.setattr("widget.refresh.REFRESH_ALL_WITHIN", 0.0)
    admin.post("/admin/topics/new", title="Dune")
    admin.post("/admin/topics/new", title="Mars")
    admin.post("/admin/refresh")
    shown = flashes(admin.client.get("/admin/").text)
    assert "Refreshed 1 topic." in shown
    assert any(f.startswith("Not refreshed yet") and "mars" in f for f in shown)


def form_fields(page: str) -> dict[str, str]:
    """What a browser would send back from the page's form, unchanged."""
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input [^>]*name="(\w+)" value="([^"]*)"', page)
    }
    for name, options in re.findall(r'name="(\w+)">(.*?)</select>', page):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)', options)
        fields[name] = "" if chosen is None else chosen.group(1) or chosen.group(2)
    return fields


def put_api(admin, slug, **fields):
    from tests.conftest import ADMIN_TOKEN

    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = admin.client.put(f"/api/v1/topics/{slug}", json=fields, headers=headers)
    assert response.status_code == 200


def test_an_edit_keeps_what_someone_else_saved_meanwhile(admin):
    admin.post("/admin/topics/new", title="Dune", item_count="5")
    form = form_fields(admin.client.get("/admin/topics/dune/edit").text)
    assert form["version"] and form["item_count"] == "5"
    put_api(admin, "dune", item_count=3, keywords="arrakis")  # another admin
    response = admin.client.post(
        "/admin/topics/dune/edit", data=form | {"title": "Dune saga"}
    )
    assert response.status_code == 302
    topic = admin.client.get("/api/v1/topics/dune").json["topic"]
    assert (topic["title"], topic["item_count"], topic["keywords"]) == (
        "Dune saga",
        3,
        "arrakis",
    )
    shown = flashes(admin.client.get("/admin/topics/dune").text)
    assert any("their changes to keywords, item_count are kept" in f for f in shown)


def test_an_edit_of_a_field_someone_else_changed_keeps_what_was_typed(admin):
    admin.post("/admin/topics/new", title="Dune")
    form = form_fields(admin.client.get("/admin/topics/dune/edit").text)
    put_api(admin, "dune", title="Their title")
    response = admin.client.post(
        "/admin/topics/dune/edit", data=form | {"title": "My title", "item_count": "4"}
    )
    assert response.status_code == 409
    assert "Someone else changed this topic while you were editing" in response.text
    assert "Saved meanwhile by someone else: Their title" in response.text
    again = form_fields(response.text)
    assert again["title"] == "My title" and again["item_count"] == "4"
    topic = admin.client.get("/api/v1/topics/dune").json["topic"]
    assert topic["title"] == "Their title" and topic["item_count"] == 10
    # Saving the returned form applies the admin's values.
    assert admin.client.post("/admin/topics/dune/edit", data=again).status_code == 302
    topic = admin.client.get("/api/v1/topics/dune").json["topic"]
    assert topic["title"] == "My title" and topic["item_count"] == 4


def test_a_refresh_meanwhile_is_no_conflict(admin):
    admin.post("/admin/topics/new", title="Dune")
    form = form_fields(admin.client.get("/admin/topics/dune/edit").text)
    admin.post("/admin/topics/dune/refresh")
    response = admin.client.post("/admin/topics/dune/edit", data=form | {"title": "D"})
    assert response.status_code == 302
    assert admin.client.get("/api/v1/topics/dune").json["title"] == "D"
    shown = flashes(admin.client.get("/admin/topics/dune").text)
    assert not any("Someone else" in f for f in shown)


def test_a_copied_cookie_stops_working_after_logout(admin, admin_app):
    copy = admin_app.test_client()
    cookie = admin.client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/admin/").status_code == 200
    admin.post("/admin/logout")
    assert copy.get("/admin/").status_code == 302
    refused = copy.post("/admin/refresh", data={"csrf_token": admin.csrf})
    assert refused.headers["Location"].startswith("/admin/login")
    # Logging in again gives a new session that works.
    assert admin.login().status_code == 302
    assert admin.client.get("/admin/").status_code == 200


def test_the_session_keeps_a_keyed_fingerprint_not_a_bare_hash(admin, admin_app):
    import hashlib

    cookie = admin.client.get_cookie("session").value
    serializer = admin_app.session_interface.get_signing_serializer(admin_app)
    kept = serializer.loads(cookie)["admin"]
    bare = hashlib.sha256(b"widget-admin:" + TOKEN.encode()).hexdigest()[:32]
    assert kept != bare and TOKEN not in cookie
    # Keyed with the secret key: another key gives another fingerprint, so
    # logging in again under a new key is needed.
    admin_app.secret_key = "another secret key, as after a rotation"
    assert admin.client.get("/admin/").status_code == 302


NON_ASCII_TOKEN = "geheim-schlüssel-für-die-bücher-🔑"


def test_a_non_ascii_token_works_in_the_form_and_the_api(make_app):
    app = make_app(WIDGET_ADMIN_TOKEN=NON_ASCII_TOKEN, WIDGET_SEED_DEMO=False)
    actions = AdminActions(app.test_client())
    assert actions.login(token=NON_ASCII_TOKEN).status_code == 302
    assert actions.client.get("/admin/").status_code == 200
    # A server hands header bytes to WSGI decoded as Latin-1; so does this.
    sent = ("Bearer " + NON_ASCII_TOKEN).encode().decode("latin-1")
    api = app.test_client()
    for _ in range(12):  # more than the failure limit: none of them failed
        response = api.post(
            "/api/v1/topics", json={"title": "Dune"}, headers={"Authorization": sent}
        )
        assert response.status_code in (201, 409)
    wrong = ("Bearer " + NON_ASCII_TOKEN[:-1] + "x").encode().decode("latin-1")
    assert (
        api.post("/api/v1/refresh", headers={"Authorization": wrong}).status_code == 403
    )


@pytest.mark.parametrize(
    "target", ["/admin/\r\nSet-Cookie: x=1", "/admin/\nx", "/admin/\x7f"]
)
def test_control_characters_in_next_are_a_400(admin_app, target):
    actions = AdminActions(admin_app.test_client())
    response = actions.login(next_url=target)
    assert response.status_code == 400
    assert "control characters" in response.text


def test_refresh_all_with_160_failing_topics_keeps_the_cookie_small(
    admin, admin_app, fake_catalog
):
    """Issue 12, item 7: the list of failed topics made a 5 KB flash cookie,
    which browsers drop."""
    import hashlib

    from widget.models import Topic

    store = admin_app.extensions["widget"].store
    for n in range(160):  # slugs that do not compress away
        slug = f"t{n}-" + hashlib.sha1(str(n).encode()).hexdigest()[:40]
        store.add_topic(Topic(slug, f"Topic {n}", "x"))
    fake_catalog.error = CatalogUnavailable("upstream down " + "x" * 200)
    response = admin.post("/admin/refresh")
    cookie = response.headers["Set-Cookie"]
    assert len(cookie) < 4096
    shown = flashes(admin.client.get("/admin/").text)
    failed = next(f for f in shown if f.startswith("Failed"))
    assert failed.endswith("and 150 more")
