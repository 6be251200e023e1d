import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from widget import create_app
from widget.config import SETTINGS
from widget.config import ConfigError
from widget.config import Secret
from widget.config import load_config

README = Path(__file__).parent.parent / "README.md"


def test_defaults_follow_the_design():
    config = load_config({})
    assert config["WIDGET_CATALOG"] == "stub"
    assert config["WIDGET_STORE"] == "sqlite:///instance/widget.db"
    assert config["WIDGET_REFRESH_INTERVAL"] == timedelta(hours=12)
    assert config["WIDGET_FRAME_ANCESTORS"] == "*"
    assert config["WIDGET_ADMIN_TOKEN"] is None
    assert config["WIDGET_AMAZON_TPS"] == 1.0
    assert config["WIDGET_AMAZON_TPD"] == 8640


def test_environment_then_overrides_take_precedence():
    environ = {"WIDGET_REFRESH_INTERVAL": "6h", "WIDGET_CACHE_MAX_AGE": "60"}
    config = load_config(environ, {"WIDGET_CACHE_MAX_AGE": 30})
    assert config["WIDGET_REFRESH_INTERVAL"] == timedelta(hours=6)
    assert config["WIDGET_CACHE_MAX_AGE"] == 30


def test_numeric_secret_stays_a_string():
    config = load_config({"WIDGET_ADMIN_TOKEN": "1234567890123456"})
    assert config["WIDGET_ADMIN_TOKEN"].reveal() == "1234567890123456"


@pytest.mark.parametrize(
    "name, value",
    [
        ("WIDGET_CATALOG", "ebay"),
        ("WIDGET_REFRESH_INTERVAL", "48h"),
        ("WIDGET_REFRESH_INTERVAL", "soon"),
        ("WIDGET_CACHE_MAX_AGE", "five"),
        ("WIDGET_AMAZON_TPS", "0"),
        ("WIDGET_AMAZON_CREDENTIAL_VERSION", "2.4"),
        ("WIDGET_SEED_DEMO", "maybe"),
    ],
)
def test_bad_value_stops_start_up_naming_the_setting(name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_unknown_setting_in_mapping_is_an_error():
    with pytest.raises(ConfigError, match="WIDGET_CATALOGUE"):
        load_config({}, {"WIDGET_CATALOGUE": "stub"})


def test_amazon_without_credentials_names_what_is_missing():
    with pytest.raises(ConfigError) as excinfo:
        load_config({"WIDGET_CATALOG": "amazon", "WIDGET_AMAZON_PARTNER_TAG": "x-20"})
    message = str(excinfo.value)
    assert "WIDGET_AMAZON_CREDENTIAL_ID" in message
    assert "WIDGET_AMAZON_CREDENTIAL_SECRET" in message
    assert "WIDGET_AMAZON_PARTNER_TAG" not in message


@pytest.mark.parametrize(
    "name",
    [
        "WIDGET_ADMIN_TOKEN",
        "WIDGET_SECRET_KEY",
        "WIDGET_AMAZON_CREDENTIAL_ID",
        "WIDGET_AMAZON_CREDENTIAL_SECRET",
    ],
)
def test_bad_secret_value_is_not_echoed(name):
    with pytest.raises(ConfigError) as excinfo:
        load_config({name: "s3cr3t\nvalue"})
    assert name in str(excinfo.value)
    assert "s3cr3t" not in str(excinfo.value)


def test_secrets_are_masked_everywhere(tmp_path, caplog):
    secret = Secret("hunter2-hunter2-hunter2")
    assert "hunter2-hunter2-hunter2" not in repr(
        secret
    ) and "hunter2-hunter2-hunter2" not in str(secret)
    assert "hunter2-hunter2-hunter2" not in f"{secret}"
    assert "hunter2-hunter2-hunter2" not in repr(
        load_config({"WIDGET_ADMIN_TOKEN": "hunter2-hunter2-hunter2"})
    )
    caplog.set_level(logging.DEBUG)
    app = create_app(
        {
            "WIDGET_STORE": f"sqlite:///{tmp_path}/w.db",
            "WIDGET_INSTANCE_DIR": str(tmp_path),
            "WIDGET_ADMIN_TOKEN": "hunter2-hunter2-hunter2",
            "WIDGET_SECRET_KEY": "k" * 32,
        }
    )
    health = app.test_client().get("/healthz")
    assert "hunter2-hunter2-hunter2" not in health.get_data(as_text=True)
    assert "hunter2-hunter2-hunter2" not in caplog.text


def test_secret_key_is_generated_once_and_kept(tmp_path):
    config = {
        "WIDGET_STORE": f"sqlite:///{tmp_path}/w.db",
        "WIDGET_INSTANCE_DIR": str(tmp_path / "inst"),
    }
    first = create_app(config).secret_key
    second = create_app(config).secret_key
    assert first == second and len(str(first)) >= 32
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_readme_documents_every_setting():
    text = README.read_text()
    documented = set(re.findall(r"`(WIDGET_[A-Z0-9_]+)`", text))
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert missing == []


def test_every_setting_has_help_and_a_working_default():
    for setting in SETTINGS:
        assert setting.help.strip(), setting.name
        if setting.default is not None:
            setting.cast(setting.default)


@pytest.mark.parametrize(
    "bad", ["openlibrary.org", "ftp://openlibrary.org", "https://"]
)
def test_the_open_library_url_must_be_http_or_https(bad):
    with pytest.raises(ConfigError, match="WIDGET_OPENLIBRARY_URL"):
        load_config({"WIDGET_OPENLIBRARY_URL": bad})


def test_the_open_library_url_loses_its_trailing_slash():
    config = load_config({"WIDGET_OPENLIBRARY_URL": "http://127.0.0.1:8641/"})
    assert config["WIDGET_OPENLIBRARY_URL"] == "http://127.0.0.1:8641"


@pytest.mark.parametrize("token", ["a", "fifteen-chars-x", "ü" * 15])
def test_a_short_admin_token_stops_start_up_without_echoing_it(token):
    with pytest.raises(ConfigError, match="WIDGET_ADMIN_TOKEN.*at least 16") as info:
        load_config({"WIDGET_ADMIN_TOKEN": token})
    assert str(info.value).startswith("WIDGET_ADMIN_TOKEN=**********:")
    assert load_config({"WIDGET_ADMIN_TOKEN": "ü" * 16})["WIDGET_ADMIN_TOKEN"]
