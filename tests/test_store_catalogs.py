"""One catalog per Amazon store: the stub catalog's per-store prices and
links, and the real adapter against a stub-server playing three
marketplaces with a credential per region."""

from __future__ import annotations

import json

import pytest
import requests

from tests.conftest import EU
from tests.conftest import FE
from widget.catalog import make_catalog
from widget.catalog import make_store_catalogs
from widget.catalog.base import CatalogThrottled
from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import StubCatalog
from widget.config import load_config
from widget.models import Topic
from widget.store import make_store

NASA = Topic(slug="nasa-artemis", title="NASA Artemis", keywords="nasa artemis")
SCIFI = Topic(slug="sf", title="Science Fiction", keywords="science fiction")


def stub_settings(**stores):
    return load_config(
        {},
        {
            "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
            "WIDGET_AMAZON_STORES": json.dumps(stores),
        },
    )


# -- the stub catalog ------------------------------------------------------------
def test_the_default_store_keeps_the_catalogs_own_prices_and_links():
    config = stub_settings(de={"partner_tag": "mysite-21"})
    default = make_catalog(config).top_products(NASA, 10)
    assert default == StubCatalog(partner_tag="mysite-20").top_products(NASA, 10)
    assert {p.price.currency for p in default if p.price} == {"USD"}


def test_each_store_has_its_own_currency_links_and_tag():
    config = stub_settings(
        de={"partner_tag": "mysite-21"},
        uk={"partner_tag": "mysite0d-21"},
        jp={"partner_tag": "mysite-22"},
    )
    catalogs = make_store_catalogs(config)
    assert sorted(catalogs) == ["de", "jp", "uk"]
    for key, currency, host, tag in [
        ("de", "EUR", "www.amazon.de", "mysite-21"),
        ("uk", "GBP", "www.amazon.co.uk", "mysite0d-21"),
        ("jp", "JPY", "www.amazon.co.jp", "mysite-22"),
    ]:
        products = catalogs[key].top_products(NASA, 10)
        assert {p.price.currency for p in products if p.price} == {currency}
        assert all(p.url.startswith(f"https://{host}/dp/") for p in products)
        assert all(f"tag={tag}&" in p.url for p in products)
        assert catalogs[key].source.marketplace == host
    yen = catalogs["jp"].top_products(NASA, 1)[0].price
    assert yen.amount == round(yen.amount, -1) and yen.display.startswith("¥")


def test_a_catalog_entry_sets_a_stores_price_and_link(tmp_path):
    items = json.loads(BUNDLED_CATALOG.read_text())["items"][:3]
    items[0]["stores"] = {
        "de": {
            "price": {"amount": 19.99, "currency": "EUR"},
            "url": "https://www.amazon.de/dp/B0STUB0001?tag=mysite-21&x=1",
        }
    }
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"items": items}))
    de = StubCatalog(path, marketplace="www.amazon.de", store="de")
    first = next(p for p in de.top_products(NASA, 10) if p.asin == "B0STUB0001")
    assert first.price.display == "19,99 €" and first.list_price is None
    assert first.url == "https://www.amazon.de/dp/B0STUB0001?tag=mysite-21&x=1"
    items[0]["stores"] = {"xx": {}}
    path.write_text(json.dumps({"items": items}))
    with pytest.raises(ValueError, match="unknown store 'xx'"):
        StubCatalog(path)


# -- the stub-server playing several marketplaces ---------------------------------
def _search(url, client, marketplace, version="2.1"):
    token = requests.post(
        url + "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client[1],
            "client_secret": client[2],
            "scope": "creatorsapi/default",
        },
        timeout=5,
    ).json()["access_token"]
    return requests.post(
        url + "/catalog/v1/searchItems",
        json={
            "partnerTag": "mysite-21",
            "keywords": "nasa",
            "resources": ["offersV2.listings.price"],
        },
        headers={
            "Authorization": f"Bearer {token}, Version {version}",
            "x-marketplace": marketplace,
        },
        timeout=5,
    )


def test_the_stub_server_answers_each_marketplace_in_its_currency(marketplaces):
    answer = _search(marketplaces, EU, "www.amazon.de", "2.2")
    assert answer.status_code == 200
    item = answer.json()["searchResult"]["items"][0]
    assert item["detailPageURL"].startswith("https://www.amazon.de/dp/")
    money = item["offersV2"]["listings"][0]["price"]["money"]
    assert money["currency"] == "EUR" and money["displayAmount"].endswith(",99 €")


def test_a_regions_credential_is_refused_in_another_region(marketplaces):
    answer = _search(marketplaces, EU, "www.amazon.co.jp", "2.2")
    assert answer.status_code == 401
    assert answer.json()["reason"] == "InvalidIssuer"
    assert "Europe (EU) credential cannot serve www.amazon.co.jp" in answer.text
    assert _search(marketplaces, FE, "www.amazon.co.jp", "2.3").status_code == 200


def three_stores(url):
    """Settings for us (default, NA), de (EU) and jp (FE) on the stub-server."""
    stores = {
        key: {
            "partner_tag": tag,
            "credential_id": client[1],
            "credential_secret": client[2],
            "credential_version": version,
        }
        for key, tag, client, version in [
            ("de", "mysite-21", EU, "2.2"),
            ("jp", "mysite-22", FE, "2.3"),
        ]
    }
    return {
        "WIDGET_CATALOG": "amazon",
        "WIDGET_AMAZON_API_URL": url,
        "WIDGET_AMAZON_TOKEN_URL": url + "/oauth2/token",
        "WIDGET_AMAZON_CREDENTIAL_ID": "na-client",
        "WIDGET_AMAZON_CREDENTIAL_SECRET": "na-secret",
        "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
        "WIDGET_AMAZON_STORES": json.dumps(stores),
        "WIDGET_AMAZON_TPS": 100,
    }


def amazon_settings(url):
    return load_config({}, three_stores(url))


def _calls(url, operation="searchItems"):
    calls = requests.get(url + "/_stub/calls", timeout=5).json()["calls"]
    return [c for c in calls if c["operation"] == operation]


def test_one_search_per_topic_and_store_and_a_budget_per_credential(
    marketplaces, tmp_path
):
    config = amazon_settings(marketplaces)
    store = make_store(f"sqlite:///{tmp_path}/w.db")
    catalogs = {"us": make_catalog(config, store)} | make_store_catalogs(config, store)
    lists = {
        (key, topic.slug): catalog.top_products(topic, 10)
        for key, catalog in catalogs.items()
        for topic in (NASA, SCIFI)
    }
    searches = _calls(marketplaces)
    assert sorted(c["marketplace"] for c in searches) == sorted(
        ["www.amazon.com", "www.amazon.de", "www.amazon.co.jp"] * 2
    )
    assert all(c["status"] == 200 for c in searches)
    assert lists["de", "sf"][0].url.startswith("https://www.amazon.de/")
    assert "tag=mysite-22&" in lists["jp", "nasa-artemis"][0].url
    # Three credentials, three budgets of two calls each; the default one
    # keeps the budget keys a single-store setup always had.
    used = {key: c.budget.used_today() for key, c in catalogs.items()}
    assert used == {"us": 2, "de": 2, "jp": 2}
    assert catalogs["us"].budget.name == "amazon"
    assert catalogs["de"].budget.name != catalogs["jp"].budget.name
    assert "eu-client" not in catalogs["de"].budget.name


def test_one_stores_429s_leave_the_other_stores_lists(marketplaces):
    config = amazon_settings(marketplaces)
    catalogs = {"us": make_catalog(config)} | make_store_catalogs(config)
    for catalog in catalogs.values():
        catalog.sleep = lambda seconds: None
    requests.post(
        marketplaces + "/_stub/faults",
        json={"next": ["429"] * 10, "marketplace": "www.amazon.de"},
        timeout=5,
    )
    with pytest.raises(CatalogThrottled):
        catalogs["de"].top_products(NASA, 10)
    assert catalogs["us"].top_products(NASA, 10)
    assert catalogs["jp"].top_products(NASA, 10)
    statuses = {(c["marketplace"], c["status"]) for c in _calls(marketplaces)}
    assert statuses == {
        ("www.amazon.de", 429),
        ("www.amazon.com", 200),
        ("www.amazon.co.jp", 200),
    }


def test_the_stub_server_command_checks_its_regional_credentials():
    from click.testing import CliRunner

    from widget.stubserver.command import stub_server_command

    result = CliRunner().invoke(stub_server_command, ["--credential", "XX:a:b"])
    assert result.exit_code == 2
    assert "expected REGION:ID:SECRET with REGION one of NA, EU, FE" in result.output
