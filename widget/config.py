"""Every setting in one table: name, default, cast and help.

Settings come from the defaults below, then ``WIDGET_*`` environment
variables, then the mapping given to ``create_app`` (tests use that one).
Each value goes through its own cast, so ``"123456"`` stays a string secret
and a typo stops start-up with the setting's name in the message.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from widget.casts import float_in
from widget.casts import to_base_url
from widget.casts import to_footer
from widget.casts import to_frame_ancestors
from widget.casts import to_hostname
from widget.casts import to_optional_base_url
from widget.casts import to_partner_tag
from widget.casts import whole_at_least
from widget.casts import whole_in
from widget.i18n import ENGLISH
from widget.i18n import LANGUAGES
from widget.models import MAX_REFRESH_INTERVAL
from widget.models import MIN_REFRESH_INTERVAL
from widget.stores import build_stores
from widget.stores import parse_entries

# -- time limits ---------------------------------------------------------------
# Every wait a request can make, and every wait of the work a request starts
# in the background, is named here; ``request_waits`` and ``longest_fetch``
# add them up and tests/test_time_limits.py holds them against the worker
# timeout of the shipped gunicorn.conf.py and against WIDGET_LEASE_TTL.

#: Timeouts for every outbound call: (connect, read) seconds.
DEFAULT_UPSTREAM_TIMEOUT = (5.0, 10.0)
#: A failed upstream call is tried again this many times...
UPSTREAM_RETRIES = 3
#: ...after 1, 2, 4... seconds, at most ``UPSTREAM_MAX_BACKOFF``; an upstream
#: that asks for a longer pause than ``UPSTREAM_MAX_RETRY_WAIT`` is not retried.
UPSTREAM_BACKOFF = 1.0
UPSTREAM_MAX_BACKOFF = 8.0
UPSTREAM_MAX_RETRY_WAIT = 10.0
#: Longest wait for room in the shared upstream request budget.
BUDGET_MAX_WAIT = 10.0
#: One catalog fetch (every page and retry) starts no new attempt after this
#: many seconds, so it ends within this plus one attempt: well inside
#: WIDGET_LEASE_TTL, or a second worker could take the topic over mid-fetch.
FETCH_TIME_LIMIT = 60.0
#: Open Library timeouts: (connect, read) seconds. Its books API can take a
#: few seconds for a batch; a manual list keeps its last version meanwhile.
OPENLIBRARY_TIMEOUT = (5.0, 10.0)
#: Redis store timeouts: (connect, read) seconds. Short, so a dead Redis
#: fails a request fast and workers serve what they hold in memory.
REDIS_TIMEOUT = (1.0, 2.0)
#: How long a SQLite write waits for another worker's transaction.
SQLITE_BUSY_TIMEOUT = 5.0
#: How long an admin or API refresh waits for its job before answering
#: 202 with the job to follow.
REFRESH_REQUEST_WAIT = 8.0
#: A "refresh all" starts no new topic after this many seconds; the topics
#: not reached are reported as left for the next run.
REFRESH_ALL_WITHIN = 300.0
#: Refresh jobs stay readable (GET /api/v1/jobs/<id>) this long.
JOB_KEEP = 24 * 3600.0


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


class Secret:
    """A string that never shows itself in reprs, logs or JSON."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


# -- casts -------------------------------------------------------------------
def to_str(value: Any) -> str:
    return str(value).strip()


def to_optional_str(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def to_secret(value: Any) -> Secret | None:
    if isinstance(value, Secret):
        return value or None
    text = "" if value is None else str(value).strip()
    # A line break or other control character inside is a paste gone wrong
    # (and a token with one can never be sent in an Authorization header).
    if not text.isprintable():
        raise ValueError("must be one line without control characters")
    return Secret(text) if text else None


#: The admin token opens everything; shorter ones can be guessed.
MIN_ADMIN_TOKEN = 16


def to_admin_token(value: Any) -> Secret | None:
    secret = to_secret(value)
    if secret is not None and len(secret.reveal()) < MIN_ADMIN_TOKEN:
        raise ValueError(
            f"must be at least {MIN_ADMIN_TOKEN} characters (e.g. the output of"
            " `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return secret


def to_positive_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError("must be a number greater than 0")
    return number


def seconds_up_to(limit: float) -> Callable[[Any], float]:
    """A number of seconds from 0 to ``limit``."""

    def cast(value: Any) -> float:
        number = float(value)
        if not 0 <= number <= limit:
            raise ValueError(f"must be between 0 and {limit:g} seconds")
        return number

    return cast


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true/false, yes/no, on/off or 1/0")


_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def to_duration(value: Any) -> timedelta:
    """``"12h"``, ``"90m"``, ``"3600"`` (seconds) or a timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(str(value).lower())
    if not match:
        raise ValueError("expected a duration such as 30m, 12h or 1d")
    try:
        return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    except OverflowError:
        raise ValueError("is far too long (expected e.g. 30m, 12h or 1d)") from None


def duration_text(interval: timedelta) -> str:
    """A duration as ``to_duration`` reads it back: "12h", "90m", "300"."""
    seconds = int(interval.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return str(seconds)


def to_refresh_interval(value: Any) -> timedelta:
    interval = to_duration(value)
    if not MIN_REFRESH_INTERVAL <= interval <= MAX_REFRESH_INTERVAL:
        low, high = map(duration_text, (MIN_REFRESH_INTERVAL, MAX_REFRESH_INTERVAL))
        raise ValueError(
            f"must be between {low} and {high} (Amazon data may be {high} old)"
        )
    return interval


def one_of(*choices: str) -> Callable[[Any], str]:
    def cast(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return text

    return cast


def to_disclosures(value: Any) -> dict[str, str]:
    """A JSON object from language code to disclosure sentence."""
    parsed = value if isinstance(value, Mapping) else json.loads(str(value) or "{}")
    if not isinstance(parsed, Mapping):
        raise ValueError('expected a JSON object such as {"de": "..."}')
    out: dict[str, str] = {}
    for lang, sentence in parsed.items():
        if lang not in LANGUAGES:
            raise ValueError(
                f"unknown language {lang!r} (one of {', '.join(LANGUAGES)})"
            )
        if not isinstance(sentence, str) or not sentence.strip():
            raise ValueError(f"the sentence for {lang!r} must be non-empty text")
        out[lang] = sentence.strip()
    return out


def to_credential_version(value: Any) -> str:
    text = str(value).strip()
    if text not in {"2.1", "2.2", "2.3", "3.1", "3.2", "3.3"}:
        raise ValueError("expected 2.1, 2.2, 2.3 (Cognito) or 3.1, 3.2, 3.3 (LWA)")
    return text


def to_amazon_stores(value: Any) -> dict[str, Any]:
    """``WIDGET_AMAZON_STORES``; each field has its ``WIDGET_AMAZON_*`` cast."""
    return parse_entries(
        value,
        tag=to_partner_tag,
        host=to_hostname,
        secret=to_secret,
        version=to_credential_version,
    )


#: Casts whose input is or holds a secret: never repeated in an error message.
SECRET_CASTS = (to_secret, to_admin_token, to_amazon_stores)


# -- the table ---------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    cast: Callable[[Any], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "WIDGET_CATALOG",
        "stub",
        one_of("stub", "amazon"),
        "Product source: `stub` (offline demo catalog) or `amazon` (Creators API).",
    ),
    Setting(
        "WIDGET_STORE",
        "sqlite:///instance/widget.db",
        to_str,
        "Snapshot store URL: `sqlite:///relative/path`, `sqlite:////absolute/path`,"
        " `redis://[:password@]host:port/db` or `rediss://...` for TLS (options in"
        " the query, e.g. `?ssl_ca_certs=/path/ca.pem`); see Several hosts.",
    ),
    Setting(
        "WIDGET_INSTANCE_DIR",
        "instance",
        to_str,
        "Folder for the generated secret key and other local state.",
    ),
    Setting(
        "WIDGET_ADMIN_TOKEN",
        None,
        to_admin_token,
        "Admin secret for the admin pages, API and login form, at least 16"
        " characters; admin routes answer 503 while unset.",
    ),
    Setting(
        "WIDGET_SECRET_KEY",
        None,
        to_secret,
        "Signs admin sessions; generated and kept in the instance folder if unset.",
    ),
    Setting(
        "WIDGET_REFRESH_INTERVAL",
        "12h",
        to_refresh_interval,
        "Default refresh interval of a new topic (5m to 24h).",
    ),
    Setting(
        "WIDGET_FRAME_ANCESTORS",
        "*",
        to_frame_ancestors,
        "Origins allowed to frame widgets (CSP `frame-ancestors`), space separated.",
    ),
    Setting(
        "WIDGET_DISCLOSURE",
        ENGLISH.disclosure,
        to_str,
        "Affiliate disclosure sentence shown in every widget.",
    ),
    Setting(
        "WIDGET_DISCLOSURES",
        "{}",
        to_disclosures,
        "Disclosure sentence per widget language, a JSON object such as"
        ' `{"de": "Als Amazon-Partner ..."}`; wins over `WIDGET_DISCLOSURE`.'
        " Languages left out use the programme's own wording.",
    ),
    Setting(
        "WIDGET_FOOTER",
        ENGLISH.footer,
        to_footer,
        "Footer line of every widget; must contain `{date}`, which becomes the"
        " last update date (no other placeholders; `{{`/`}}` for literal braces).",
    ),
    Setting(
        "WIDGET_STUB_CATALOG",
        None,
        to_optional_str,
        "Path to a stub catalog JSON file; the bundled demo catalog if unset.",
    ),
    Setting(
        "WIDGET_SEED_DEMO",
        True,
        to_bool,
        "Seed the demo topics (NASA Artemis, Science Fiction) on the first start.",
    ),
    Setting(
        "WIDGET_PUBLIC_URL",
        None,
        to_optional_base_url,
        "Public base URL of the service (http or https, e.g."
        " https://widgets.example.com), used in embed codes, fragments and the"
        " API's `widget_url`. If unset, the request's own address is used only on"
        " localhost, 127.0.0.1 or [::1] (development); for any other Host header"
        " those URLs are relative, never taken from the header.",
    ),
    Setting(
        "WIDGET_CACHE_MAX_AGE",
        300,
        whole_at_least(0),
        "Seconds browsers and CDNs may cache a widget (`Cache-Control: max-age`).",
    ),
    Setting(
        "WIDGET_CACHE_SIZE",
        2048,
        whole_at_least(1),
        "Rendered widget variants kept in each worker's memory.",
    ),
    Setting(
        "WIDGET_EXPORT_DIR",
        None,
        to_optional_str,
        "Folder that `widget export` wrote: when set, every refresh of a topic"
        " writes that topic's static widget files there again.",
    ),
    Setting(
        "WIDGET_LEASE_TTL",
        120.0,
        to_positive_float,
        "Seconds a refresh lease lasts; a worker that dies mid-refresh holds it"
        " this long at most before another worker takes over.",
    ),
    Setting(
        "WIDGET_FIRST_VISIT_WAIT",
        5.0,
        seconds_up_to(10),
        "Seconds the first visitor of a topic without a list waits for it (0 to"
        " 10); after that the widget says the list is being prepared while the"
        " fetch goes on in the background.",
    ),
    Setting(
        "WIDGET_LOG_LEVEL",
        "INFO",
        one_of("debug", "info", "warning", "error"),
        "Log level of the service's own messages.",
    ),
    Setting(
        "WIDGET_SCHEDULER",
        True,
        to_bool,
        "Refresh due topics in a background thread of each worker (a lease in the"
        " store keeps it to one refresh per topic); turn off to use cron and"
        " `widget refresh --due` instead.",
    ),
    Setting(
        "WIDGET_SCHEDULE_EVERY",
        60.0,
        to_positive_float,
        "Seconds between the scheduler's looks for due topics.",
    ),
    Setting(
        "WIDGET_TRUSTED_PROXIES",
        0,
        whole_at_least(0),
        "How many reverse proxies in front of the service to trust for"
        " `X-Forwarded-For`/`-Proto` (client address for login throttling, https"
        " for the Secure session cookie); 0 trusts none.",
    ),
    Setting(
        "WIDGET_ANALYTICS",
        True,
        to_bool,
        "Count impressions and clicks with beacons (`POST /api/v1/events`; no"
        " cookies, nothing stored in the browser); `off` removes the beacon code"
        " from every widget.",
    ),
    Setting(
        "WIDGET_ANALYTICS_DAYS",
        90,
        whole_in(1, 3660),
        "Days the daily click and impression counts are kept, then deleted.",
    ),
    Setting(
        "WIDGET_OPENLIBRARY_URL",
        "https://openlibrary.org",
        to_base_url,
        "Open Library, where hand-picked (manual) lists, and lists standing in"
        " for an API list past 24 hours, get titles, authors and covers by ISBN"
        " (point it at `widget stub-server` to run offline).",
    ),
    Setting(
        "WIDGET_AMAZON_CREDENTIAL_ID", None, to_secret, "Creators API credential id."
    ),
    Setting(
        "WIDGET_AMAZON_CREDENTIAL_SECRET",
        None,
        to_secret,
        "Creators API credential secret.",
    ),
    Setting(
        "WIDGET_AMAZON_CREDENTIAL_VERSION",
        "2.1",
        to_credential_version,
        "Credential version: 2.1/2.2/2.3 (Cognito) or 3.1/3.2/3.3 (Login with Amazon).",
    ),
    Setting(
        "WIDGET_AMAZON_PARTNER_TAG",
        None,
        to_partner_tag,
        "The store's tracking id, e.g. `mysite-20`.",
    ),
    Setting(
        "WIDGET_AMAZON_MARKETPLACE",
        "www.amazon.com",
        to_hostname,
        "Marketplace host, e.g. `www.amazon.co.uk`.",
    ),
    Setting(
        "WIDGET_AMAZON_STORES",
        "{}",
        to_amazon_stores,
        "More Amazon stores besides the default one (which the other"
        " `WIDGET_AMAZON_*` settings describe): a JSON object of store key"
        ' (`uk`, `de`, `jp`...) to `{"partner_tag": ...}`, plus'
        " `credential_id`, `credential_secret` and `credential_version` for a"
        " store outside the default credential's region; see Several stores.",
    ),
    Setting(
        "WIDGET_AMAZON_API_URL",
        "https://creatorsapi.amazon",
        to_base_url,
        "Creators API base URL (point it at `widget stub-server` to run offline).",
    ),
    Setting(
        "WIDGET_AMAZON_TOKEN_URL",
        None,
        to_optional_base_url,
        "Token endpoint override; derived from the credential version if unset.",
    ),
    Setting(
        "WIDGET_AMAZON_CONNECT_TIMEOUT",
        DEFAULT_UPSTREAM_TIMEOUT[0],
        to_positive_float,
        "Seconds to wait for a connection to the Creators API.",
    ),
    Setting(
        "WIDGET_AMAZON_READ_TIMEOUT",
        DEFAULT_UPSTREAM_TIMEOUT[1],
        to_positive_float,
        "Seconds to wait for a Creators API answer before retrying.",
    ),
    Setting(
        "WIDGET_AMAZON_TPS",
        1.0,
        float_in(0, 1000),
        "Upstream requests per second, across all workers and hosts of the store:"
        " calls are spaced at least 1/TPS seconds apart.",
    ),
    Setting(
        "WIDGET_AMAZON_TPD",
        8640,
        whole_at_least(1),
        "Upstream requests per day, across all workers of the store.",
    ),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def load_config(
    environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Cast and check every setting.

    :raises ConfigError: naming the first unknown or malformed setting.
    """
    overrides = dict(overrides or {})
    unknown = [
        name
        for name in overrides
        if name.startswith("WIDGET_") and name not in SETTINGS_BY_NAME
    ]
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]}")
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = overrides.get(setting.name, environ.get(setting.name, setting.default))
        try:
            config[setting.name] = None if raw is None else setting.cast(raw)
        except (TypeError, ValueError) as exc:
            shown = "**********" if setting.cast in SECRET_CASTS else repr(raw)
            raise ConfigError(f"{setting.name}={shown}: {exc}") from None
    _check_amazon(config)
    try:
        build_stores(config)
    except ValueError as exc:
        raise ConfigError(f"WIDGET_AMAZON_STORES: {exc}") from None
    # Non-WIDGET keys (Flask's own, such as TESTING) pass through unchanged.
    config.update({k: v for k, v in overrides.items() if not k.startswith("WIDGET_")})
    return config


def request_waits(config: Mapping[str, Any]) -> dict[str, float]:
    """The longest each kind of request can wait, in seconds; each must fit
    well inside the worker timeout.

    No request calls the catalog itself: first fetches and refreshes run in
    the background while the request waits a bounded time for them. A
    request blocks on the store at most once: SQLite reads never wait in WAL
    mode and a request writes at most once; a Redis timeout pauses the store,
    so the calls after it fail at once.
    """
    store = max(SQLITE_BUSY_TIMEOUT, 2 * sum(REDIS_TIMEOUT))  # one quick retry
    return {
        "first visit": config["WIDGET_FIRST_VISIT_WAIT"] + store,
        "admin or API refresh": REFRESH_REQUEST_WAIT + store,
    }


def longest_fetch(config: Mapping[str, Any]) -> float:
    """The longest one catalog fetch can hold its topic's lease, in seconds:
    no attempt starts after ``FETCH_TIME_LIMIT``, and one attempt waits for
    the budget, a fresh token and the call itself."""
    connect = config["WIDGET_AMAZON_CONNECT_TIMEOUT"]
    read = config["WIDGET_AMAZON_READ_TIMEOUT"]
    attempt: float = BUDGET_MAX_WAIT + 2 * (connect + read)
    return FETCH_TIME_LIMIT + attempt


def _check_amazon(config: Mapping[str, Any]) -> None:
    if config["WIDGET_CATALOG"] != "amazon":
        return
    required = (
        "WIDGET_AMAZON_CREDENTIAL_ID",
        "WIDGET_AMAZON_CREDENTIAL_SECRET",
        "WIDGET_AMAZON_PARTNER_TAG",
    )
    missing = [name for name in required if not config[name]]
    if missing:
        raise ConfigError(
            "WIDGET_CATALOG=amazon needs "
            + ", ".join(missing)
            + " (from Associates Central: Tools > Creators API)"
        )


def redact_url(url: str) -> str:
    """The URL with its password masked, for logs, messages and pages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":**********@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
