"""CSRF protection for the admin forms: a random token per session, sent back
in a hidden ``csrf_token`` field by every form (the login form included) and
compared in constant time. Small enough to own rather than add a dependency;
SameSite=Lax cookies and ``form-action 'self'`` are a second line.
"""

from __future__ import annotations

import hmac
import secrets

from flask import session

from widget.errors import BadRequest

FIELD = "csrf_token"
SESSION_KEY = "csrf"


def csrf_token() -> str:
    """This session's token, created on first use (templates call this)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf(given: str | None) -> None:
    """:raises BadRequest: unless ``given`` is this session's token."""
    expected = session.get(SESSION_KEY)
    if (
        not isinstance(expected, str)
        or not given
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise BadRequest(
            "This form has expired or was sent from another site. Go back,"
            " reload the page and try again."
        )


def rotate_csrf() -> None:
    """A fresh token after logging in or out."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
