"""Lists know their source; a list from another catalog, marketplace or partner
tag is never served as current, and neither is a link tagged for another
partner."""

from dataclasses import replace

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.fakes import make_product
from tests.test_admin import AdminActions
from widget.models import Source
from widget.models import TopList
from widget.schedule import Scheduler
from widget.sources import current_snapshot

STUB = Source("stub", "www.amazon.com", "stubdemo-20")
AMAZON = Source("amazon", "www.amazon.com", "mysite-20")
DEMO = ("nasa-artemis", "science-fiction")


def toplist(source, *tags):
    products = tuple(
        make_product(n, url=f"https://www.amazon.com/dp/B0{n}?tag={tag}")
        for n, tag in enumerate(tags or ("mysite-20",), 1)
    )
    return TopList("dune", products, None, source)


@pytest.mark.parametrize(
    "stored",
    [STUB, replace(AMAZON, partner_tag="other-21"), replace(AMAZON, marketplace="x")],
)
def test_a_list_from_another_source_is_not_served(stored):
    assert current_snapshot(toplist(stored), AMAZON) is None


def test_a_list_from_this_source_is_served_as_stored():
    snapshot = toplist(AMAZON, "mysite-20", "mysite-20")
    assert current_snapshot(snapshot, AMAZON) is snapshot
    # Lists stored before sources were recorded name only their catalog.
    legacy = toplist(Source("amazon"))
    assert current_snapshot(legacy, AMAZON) is legacy


def test_links_tagged_for_another_partner_are_never_served():
    mixed = toplist(Source("amazon"), "mysite-20", "stubdemo-20", "mysite-20")
    served = current_snapshot(mixed, AMAZON)
    assert [p.asin for p in served.products] == ["B0FAKE0001", "B0FAKE0003"]
    assert current_snapshot(toplist(Source("amazon"), "stubdemo-20"), AMAZON) is None


@pytest.fixture
def stub_filled(make_app):
    """A store filled under WIDGET_CATALOG=stub: both demo topics have lists."""
    client = make_app().test_client()
    for slug in DEMO:
        assert "tag=stubdemo-20" in client.get(f"/widget/{slug}").text


@pytest.fixture
def amazon_app(make_app, stub_filled, stub_server):
    """The same store, restarted with Amazon (the wire-format stub server)
    and the blogger's own partner tag."""
    return make_app(
        WIDGET_CATALOG="amazon",
        WIDGET_AMAZON_CREDENTIAL_ID="stub-client",
        WIDGET_AMAZON_CREDENTIAL_SECRET="stub-secret",
        WIDGET_AMAZON_PARTNER_TAG="mysite-20",
        WIDGET_AMAZON_API_URL=stub_server.url,
        WIDGET_AMAZON_TOKEN_URL=stub_server.token_url("2.1"),
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
    )


PUBLIC = [
    "/",
    "/api/v1/topics",
    *(f"/widget/{slug}" for slug in DEMO),
    *(f"/widget/{slug}/fragment" for slug in DEMO),
    *(f"/api/v1/topics/{slug}" for slug in DEMO),
]


def test_while_amazon_fails_no_demo_link_is_served(amazon_app, stub_server):
    client = amazon_app.test_client()
    health = client.get("/healthz").json
    assert health["catalog"] == "amazon" and health["stub_lists"] == 2
    admin = AdminActions(client)
    admin.login()
    assert "still come from the stub catalog" in client.get("/admin/").text
    stub_server.queue(*["malformed"] * len(DEMO))
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code in (200, 503), path
        assert "stubdemo-20" not in response.text, path
    page = client.get("/widget/nasa-artemis")
    assert page.status_code == 503 and "being prepared" in page.text
    assert client.get("/api/v1/topics/nasa-artemis").json["products"] == []


def test_after_a_switch_to_amazon_the_demo_lists_are_due_at_once(amazon_app):
    # Fetched a moment ago under the stub, due in 12 hours: due now anyway.
    done = Scheduler(amazon_app.extensions["widget"].lists, every=60).run_once()
    assert sorted(r.slug for r in done) == sorted(DEMO)
    client = amazon_app.test_client()
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "stubdemo-20" not in response.text, path
    assert "tag=mysite-20" in client.get("/widget/nasa-artemis").text
    assert client.get("/healthz").json["stub_lists"] == 0
    admin = AdminActions(client)
    admin.login()
    assert "still come from the stub catalog" not in client.get("/admin/").text
