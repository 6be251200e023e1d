"""Sessions only where they are used: the admin pages.

Flask would otherwise build a signing serializer for every request, a third
of a cached widget's cost, for pages that must never set a cookie anyway.
"""

from __future__ import annotations

from flask import Flask
from flask import Request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface

SESSION_PATHS = ("/admin",)


class AdminOnlySessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith(SESSION_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = AdminOnlySessionInterface()
