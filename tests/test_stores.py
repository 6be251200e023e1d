"""WIDGET_AMAZON_STORES: several Amazon stores, each with its own tag and,
outside the default credential's region, its own credential."""

import json

import pytest

from tests.test_cli import widget_command
from widget.config import ConfigError
from widget.config import load_config
from widget.stores import COUNTRY_STORES
from widget.stores import MARKETPLACES
from widget.stores import build_stores
from widget.stores import display_price
from widget.stores import store_for_country

AMAZON = {
    "WIDGET_CATALOG": "amazon",
    "WIDGET_AMAZON_CREDENTIAL_ID": "na-client",
    "WIDGET_AMAZON_CREDENTIAL_SECRET": "na-secret",
    "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
}
EU_CREDENTIAL = {
    "credential_id": "eu-client",
    "credential_secret": "eu-secret-value",
    "credential_version": "2.2",
}


def stores_of(**settings):
    settings = {
        k: json.dumps(v) if isinstance(v, dict) else v for k, v in settings.items()
    }
    return build_stores(load_config({}, settings))


def test_a_single_store_setup_is_the_default_store_only():
    stores = stores_of(WIDGET_AMAZON_PARTNER_TAG="mysite-20")
    assert list(stores) == ["us"]
    us = stores["us"]
    assert us.default and us.partner_tag == "mysite-20"
    assert us.marketplace == "www.amazon.com" and us.market.currency == "USD"


def test_the_default_store_follows_the_marketplace_setting():
    stores = stores_of(WIDGET_AMAZON_MARKETPLACE="www.amazon.co.uk")
    assert list(stores) == ["uk"] and stores["uk"].market.currency == "GBP"


def test_stores_of_one_region_share_the_default_credential():
    stores = stores_of(
        **AMAZON,
        WIDGET_AMAZON_STORES={"ca": {"partner_tag": "mysite-20"}},
    )
    assert stores["ca"].credential is stores["us"].credential
    assert stores["ca"].marketplace == "www.amazon.ca"


def test_a_store_of_another_region_brings_its_own_credential():
    stores = stores_of(
        **AMAZON,
        WIDGET_AMAZON_STORES={
            "de": {"partner_tag": "mysite-21", **EU_CREDENTIAL},
            "uk": {"partner_tag": "mysite-21", **EU_CREDENTIAL},
        },
    )
    de, uk = stores["de"], stores["uk"]
    assert de.partner_tag == "mysite-21" and de.market.lang == "de"
    assert de.credential.region == "EU" and de.credential.key.startswith("cred-")
    assert uk.credential.key == de.credential.key  # one credential, one budget
    assert "eu-client" not in de.credential.key
    assert uk.market.currency == "GBP" and de.market.currency == "EUR"


def test_the_stub_catalog_needs_tags_but_no_credentials():
    stores = stores_of(
        WIDGET_AMAZON_STORES={"de": {"partner_tag": "mysite-21"}},
    )
    assert stores["de"].credential is None


@pytest.mark.parametrize(
    "stores, message",
    [
        ({"xx": {"partner_tag": "a-21"}}, "unknown store 'xx' (one of us, ca"),
        ({"de": {}}, "store 'de' needs a partner_tag"),
        ({"de": {"partner_tag": "not a tag"}}, "store 'de': partner_tag="),
        ({"de": "mysite-21"}, "store 'de': expected"),
        ({"de": {"partner_tag": "a-21", "tag": "b"}}, "unknown field 'tag'"),
        ({"us": {"partner_tag": "a-20"}}, "'us' is the default store"),
        (
            {"de": {"partner_tag": "a-21"}},
            "store 'de' is in Europe (EU) but the default credential is version"
            " 2.1, North America (NA)",
        ),
        (
            {"jp": {"partner_tag": "a-22", **EU_CREDENTIAL}},
            "store 'jp' is in Far East (FE) but its credential is version 2.2,"
            " Europe (EU): Amazon refuses it there; give the store a credential"
            " of version 2.3 or 3.3",
        ),
        (
            {"de": {"partner_tag": "a-21", "credential_id": "x"}},
            "credential_id and credential_secret go together",
        ),
        (
            {"de": {"partner_tag": "a-21", **EU_CREDENTIAL, "credential_version": 9}},
            "store 'de': credential_version=9: expected 2.1",
        ),
    ],
)
def test_bad_stores_stop_start_up_naming_the_store(stores, message):
    with pytest.raises(ConfigError) as info:
        load_config({}, {**AMAZON, "WIDGET_AMAZON_STORES": json.dumps(stores)})
    assert str(info.value).startswith("WIDGET_AMAZON_STORES")
    assert message in str(info.value)


def test_malformed_json_stops_start_up_without_echoing_secrets():
    raw = '{"de": {"partner_tag": "a-21", "credential_secret": "hunter2-secret"'
    with pytest.raises(ConfigError) as info:
        load_config({}, {"WIDGET_AMAZON_STORES": raw})
    assert "hunter2" not in str(info.value)
    bad_secret = {"de": {"partner_tag": "a-21", "credential_secret": "x\ny"}}
    with pytest.raises(ConfigError) as info:
        load_config({}, {"WIDGET_AMAZON_STORES": json.dumps(bad_secret)})
    assert "credential_secret: must be one line" in str(info.value)
    assert "x\ny" not in str(info.value) and "'x" not in str(info.value)


def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path):
    stores = json.dumps({"jp": {"partner_tag": "mysite-22"}})
    result = widget_command(
        tmp_path, "topics", "list", **AMAZON, WIDGET_AMAZON_STORES=stores
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Error: WIDGET_AMAZON_STORES: store 'jp' is in Far East" in result.stderr
    assert "na-secret" not in result.stderr


def test_visitors_countries_map_to_configured_stores_or_none():
    stores = stores_of(
        WIDGET_AMAZON_STORES={
            "de": {"partner_tag": "mysite-21"},
            "uk": {"partner_tag": "mysite-21"},
        }
    )
    assert store_for_country("AT", stores) == "de"
    assert store_for_country("ch", stores) == "de"
    assert store_for_country("ie", stores) == "uk"
    assert store_for_country("gb", stores) == "uk"
    assert store_for_country("nz", stores) is None  # no au store configured
    assert store_for_country("br", stores) is None
    assert set(COUNTRY_STORES.values()) <= set(MARKETPLACES)


def test_prices_are_written_the_way_each_stores_pages_write_them():
    assert display_price(1234.5, "EUR", "de") == "1.234,50 €"
    assert display_price(19.99, "EUR", "ie") == "€19.99"
    assert display_price(13.99, "GBP", "uk") == "£13.99"
    assert display_price(2000, "JPY", "jp") == "¥2,000"
    assert display_price(9.99, "CAD", "ca") == "$9.99"
    assert display_price(5.5, "SEK", "se") == "5,50 SEK"


def test_embed_js_carries_the_country_and_time_zone_tables_of_configured_stores(
    make_app,
):
    stores = {"de": {"partner_tag": "mysite-21"}, "uk": {"partner_tag": "a-21"}}
    app = make_app(WIDGET_AMAZON_STORES=json.dumps(stores))
    script = app.test_client().get("/embed.js").get_data(as_text=True)
    table = json.loads(script.split("var STORES = ", 1)[1].split(";\n", 1)[0])
    assert table["default"] == "us" and table["langs"] == {"de": "de", "uk": "en"}
    assert table["countries"]["at"] == "de" and table["countries"]["ie"] == "uk"
    assert "nz" not in table["countries"]  # no au store configured
    assert table["zones"]["Europe/Vienna"] == "at"
    assert table["zones"]["America/New_York"] == "us"
    assert "Asia/Tokyo" not in table["zones"]
    single = make_app().test_client().get("/embed.js").get_data(as_text=True)
    assert '"langs":{}' in single
