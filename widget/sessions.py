"""Sessions only where they are used: the admin pages.

Flask would otherwise build a signing serializer for every request, a third
of a cached widget's cost, for pages that must never set a cookie anyway.
"""

from __future__ import annotations

from flask import Flask
from flask import Request
from flask import request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface

SESSION_PATHS = ("/admin",)


class AdminOnlySessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the request came over https (directly, or through a
        trusted proxy), not only when forced by config."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith(SESSION_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = AdminOnlySessionInterface()
