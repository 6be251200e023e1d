"""Who may act as admin: the token, its comparison, and slowing down guessers.

The admin token is compared in constant time (``hmac.compare_digest``).
Failed attempts are counted per client address in the store's budget
counters, so the limit holds across every worker and host sharing the store,
not once per process. Sessions remember a fingerprint of the token they were
opened with: changing ``WIDGET_ADMIN_TOKEN`` logs every browser out.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from widget.errors import ServiceUnavailable
from widget.errors import TooManyRequests
from widget.services import services

#: An admin session ends this long after logging in (the cookie's signature
#: expires), or when the browser closes, whichever comes first.
SESSION_LIFETIME = timedelta(hours=12)
#: Failed logins or bearer tokens allowed per client address per window.
MAX_FAILURES = 10
FAILURE_WINDOW = 300  # seconds

NO_TOKEN_MESSAGE = (
    "The admin is switched off because no admin token is set. Set"
    " WIDGET_ADMIN_TOKEN to a long random secret (for example the output of"
    " `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`) and"
    " restart the service. Public widgets keep working meanwhile."
)


def admin_token() -> str:
    """The configured token.

    :raises ServiceUnavailable: while ``WIDGET_ADMIN_TOKEN`` is unset.
    """
    secret = current_app.config["WIDGET_ADMIN_TOKEN"]
    if not secret:
        raise ServiceUnavailable(NO_TOKEN_MESSAGE)
    return str(secret.reveal())


def token_matches(given: str) -> bool:
    expected = admin_token().encode()
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected)


def token_fingerprint() -> str:
    """What a session keeps instead of the token itself."""
    return hashlib.sha256(b"widget-admin:" + admin_token().encode()).hexdigest()[:32]


def _bucket() -> str:
    return f"auth-failures:{request.remote_addr or 'unknown'}"


def check_not_throttled() -> None:
    """:raises TooManyRequests: after too many recent failures from this client."""
    now = time.time()
    used = services().store.budget_used(_bucket(), FAILURE_WINDOW, now)
    if used >= MAX_FAILURES:
        retry = FAILURE_WINDOW - int(now) % FAILURE_WINDOW
        raise TooManyRequests(
            f"Too many wrong admin tokens from your address; try again in"
            f" {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )


def record_failure() -> None:
    services().store.take_budget(_bucket(), MAX_FAILURES, FAILURE_WINDOW, time.time())


def init_app(app: Flask) -> None:
    app.permanent_session_lifetime = SESSION_LIFETIME
    proxies = app.config["WIDGET_TRUSTED_PROXIES"]
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
