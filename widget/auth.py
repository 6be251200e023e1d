"""Who may act as admin: the token, its comparison, sessions, and slowing
down guessers.

The admin token is compared as UTF-8 bytes in constant time
(``hmac.compare_digest``), whichever door it comes through: a form field
(decoded as UTF-8) or an ``Authorization`` header (which WSGI hands over
decoded as Latin-1). Failed attempts are counted per client address in the
store's budget counters, so the limit holds across every worker and host
sharing the store, not once per process. A session keeps a fingerprint of
the token keyed with the secret key (an HMAC: nothing in the cookie helps
to guess the token offline), so changing ``WIDGET_ADMIN_TOKEN`` or
``WIDGET_SECRET_KEY`` logs every browser out; and a random session id,
revoked in the store on logout, so a copied cookie stops working on every
worker at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import request
from flask import session
from werkzeug.middleware.proxy_fix import ProxyFix

from widget.errors import Forbidden
from widget.errors import ServiceUnavailable
from widget.errors import TooManyRequests
from widget.errors import Unauthorized
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


def token_matches(given: bytes) -> bool:
    """``given`` is what the client sent, as bytes."""
    return hmac.compare_digest(given, admin_token().encode("utf-8"))


def header_bytes(value: str) -> bytes:
    """A header value as the client sent it (WSGI decodes headers as Latin-1)."""
    return value.encode("latin-1", "replace")


def token_fingerprint() -> str:
    """What a session keeps instead of the token itself."""
    return hmac.new(
        str(current_app.secret_key).encode("utf-8"),
        b"widget-admin:" + admin_token().encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()[:32]


def open_admin_session() -> None:
    """Log this browser in: a fresh session with a new id."""
    session.clear()  # no fixation: a fresh session for the admin
    session["admin"] = token_fingerprint()
    session["sid"] = secrets.token_urlsafe(16)


def close_admin_session() -> None:
    """Log out, and revoke the session id in the store so a copy of the
    cookie is refused too, by every worker, until it would have expired."""
    sid = session.get("sid")
    if isinstance(sid, str):
        services().store.revoke("session:" + sid, SESSION_LIFETIME.total_seconds())
    session.clear()


def admin_session_valid() -> bool:
    fingerprint, sid = session.get("admin"), session.get("sid")
    if not isinstance(fingerprint, str) or not isinstance(sid, str):
        return False
    if not hmac.compare_digest(fingerprint, token_fingerprint()):
        return False
    return not services().store.is_revoked("session:" + sid)


def bearer_is_admin(*, required: bool) -> bool:
    """Whether the request carries the admin token as a bearer token.

    Without one: False, or with ``required`` a 401. A wrong one counts
    toward the client's failure limit and is a 403 either way, so no route
    answers guesses without slowing them down.

    :raises ServiceUnavailable: (when required) while no token is set.
    :raises Unauthorized:
    :raises Forbidden:
    :raises TooManyRequests:
    """
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        if required:
            admin_token()  # 503 with a how-to while unset
            raise Unauthorized(
                "Send the admin token as: Authorization: Bearer <WIDGET_ADMIN_TOKEN>.",
                headers={"WWW-Authenticate": 'Bearer realm="widget-admin"'},
            )
        return False
    if not required and not current_app.config["WIDGET_ADMIN_TOKEN"]:
        return False  # nothing to be admin of
    admin_token()
    # Only guesses are slowed down; a request without a token guessed nothing.
    check_not_throttled()
    if not token_matches(header_bytes(given.strip())):
        record_failure()
        raise Forbidden("That admin token is not right.")
    return True


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
