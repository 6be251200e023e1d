"""Issue 12, item 3: settings that used to pass start-up and then broke every
widget now stop start-up with one line naming the setting."""

import pytest

from widget.config import SETTINGS
from widget.config import ConfigError
from widget.config import load_config


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WIDGET_FOOTER", "Updated {oops}", "{oops}"),
        ("WIDGET_FOOTER", "Updated {0} {date}", "{0}"),
        ("WIDGET_FOOTER", "Updated {} {date}", "empty placeholder"),
        ("WIDGET_FOOTER", "Updated { {date}", "stray"),
        ("WIDGET_FOOTER", "Updated {date", "stray"),
        ("WIDGET_FOOTER", "Updated {date.year}", "{date.year}"),
        ("WIDGET_FOOTER", "Updated {date:d}", "cannot be filled"),
        ("WIDGET_FOOTER", "Affiliate links, updated daily", "must contain {date}"),
        ("WIDGET_CACHE_SIZE", "0", "at least 1"),
        ("WIDGET_CACHE_MAX_AGE", "-5", "at least 0"),
        ("WIDGET_TRUSTED_PROXIES", "-1", "at least 0"),
        ("WIDGET_FRAME_ANCESTORS", "https://a.example\nhttps://b.example", "line"),
        ("WIDGET_FRAME_ANCESTORS", "https://a.example; script-src *", "semicolons"),
        ("WIDGET_FRAME_ANCESTORS", "https://a.example,https://b.example", "commas"),
        ("WIDGET_FRAME_ANCESTORS", "'none' https://a.example", "'none'"),
        ("WIDGET_FRAME_ANCESTORS", "", "at least one"),
        ("WIDGET_PUBLIC_URL", "widgets.example.com", "http"),
        ("WIDGET_PUBLIC_URL", "https://", "host"),
        ("WIDGET_PUBLIC_URL", "https://w.example/?x=1", "query"),
        ("WIDGET_PUBLIC_URL", "javascript:alert(1)", "http"),
        ("WIDGET_REFRESH_INTERVAL", "99999999999999999999d", "far too long"),
        ("WIDGET_REFRESH_INTERVAL", "999999999999d", "far too long"),
        ("WIDGET_LEASE_TTL", "nan", "greater than 0"),
        ("WIDGET_SCHEDULE_EVERY", "inf", "greater than 0"),
        ("WIDGET_AMAZON_TPS", "1e-400", "greater than 0"),
        ("WIDGET_AMAZON_TPD", "0", "at least 1"),
        ("WIDGET_AMAZON_MARKETPLACE", "www.amazon.com/evil path", "host name"),
        ("WIDGET_AMAZON_PARTNER_TAG", "my tag&x=1", "tracking id"),
        ("WIDGET_AMAZON_API_URL", "creatorsapi.amazon", "http"),
    ],
)
def test_a_bad_setting_stops_start_up_in_one_line_naming_it(name, value, says):
    with pytest.raises(ConfigError) as info:
        load_config({name: value})
    message = str(info.value)
    assert message.startswith(name + "=")
    assert says in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("WIDGET_FOOTER", "Stand {date} {{Amazon}}", "Stand {date} {{Amazon}}"),
        (
            "WIDGET_FRAME_ANCESTORS",
            "'self'  http://127.0.0.1:*",
            "'self' http://127.0.0.1:*",
        ),
        ("WIDGET_FRAME_ANCESTORS", "https: https://*.example.com:8443/blog/", None),
        (
            "WIDGET_PUBLIC_URL",
            "https://widgets.example.com/",
            "https://widgets.example.com",
        ),
        (
            "WIDGET_PUBLIC_URL",
            "http://127.0.0.1:5000/books",
            "http://127.0.0.1:5000/books",
        ),
        ("WIDGET_AMAZON_MARKETPLACE", "WWW.Amazon.CO.UK", "www.amazon.co.uk"),
        ("WIDGET_CACHE_MAX_AGE", "0", 0),
    ],
)
def test_good_settings_pass_cleaned(name, value, kept):
    assert load_config({name: value})[name] == (value if kept is None else kept)


def test_a_literal_brace_in_the_footer_renders(make_app):
    app = make_app(WIDGET_FOOTER="Stand {date} {{Amazon}}")
    page = app.test_client().get("/widget/nasa-artemis").text
    assert "{Amazon}" in page and "Stand 20" in page


def test_an_unwritable_instance_folder_stops_start_up_naming_it(make_app, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="^WIDGET_INSTANCE_DIR="):
        make_app(WIDGET_INSTANCE_DIR=str(blocker / "instance"))


HOSTILE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e400",
    "nan",
    "-inf",
    "99999999999999999999999",
    "{oops}",
    "{0} {date}",
    "{",
    "a\nb",
    "x;y,z",
    "ftp://x",
    "https://",
    "\x1b]52;c;aGk=\x07",
    "'none'",
    "ü" * 20,
    "x" * 3000,
]
#: Not swept: where the service keeps its files (an empty value is the
#: working folder), and the scheduler's switch (it would start threads).
NOT_SWEPT = {"WIDGET_INSTANCE_DIR", "WIDGET_SCHEDULER"}
PAGES = [
    "/widget/nasa-artemis",
    "/widget/nasa-artemis/fragment",
    "/embed.js",
    "/",
    "/healthz",
    "/api/v1/topics/nasa-artemis",
]


@pytest.mark.parametrize("name", [s.name for s in SETTINGS if s.name not in NOT_SWEPT])
def test_no_setting_value_makes_a_page_answer_500(make_app, name):
    """Each value either stops start-up naming the setting, or every page
    still answers without a 500."""
    for value in HOSTILE_VALUES:
        try:
            app = make_app(**{name: value})
        except ConfigError as exc:
            assert str(exc).startswith(name), (value, str(exc))
            continue
        client = app.test_client()
        for page in PAGES:
            status = client.get(page).status_code
            assert status != 500 and status < 600, (value, page, status)
