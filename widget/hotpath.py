"""Cached widgets answered below Flask.

A cached widget (or a topic's JSON) is "check the topic's version, send
bytes", yet through
Flask it also paid for a request context, URL routing, a Response object and
the after-request hooks: about as much again as the work itself. This WSGI
layer answers exactly the requests whose bytes are already in memory (and
their 304s) from the same cache and version check (``ListService.cached``),
with the headers the view would send (``widget.views``), and counts them as
the view would. Everything else goes to Flask unchanged: another route, a
parameter the view would warn about, an unknown or uncached topic, a store
error, anything unexpected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any

from werkzeug.wrappers import Request

from widget.api import topic_headers
from widget.api import topic_key
from widget.headers import default_headers
from widget.lookup import base_url_for
from widget.models import is_valid_slug
from widget.params import variant_for
from widget.params import widget_route
from widget.views import ENDPOINTS
from widget.views import fragment_origin
from widget.views import response_headers
from widget.views import widget_status

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask

log = logging.getLogger(__name__)

TOPIC_PREFIX = "/api/v1/topics/"
STATUS_LINES = {200: "200 OK", 304: "304 NOT MODIFIED"}
HTML = ("Content-Type", "text/html; charset=utf-8")

Answer = tuple[int, list[tuple[str, str]], bytes]

#: What werkzeug makes a request's host URL of (behind widget.auth's proxy
#: fix, which rewrites them from trusted X-Forwarded-* headers).
HOST_KEYS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
)
HOSTS_KEPT = 64


class HotPath:
    def __init__(self, app: Flask, fallback: WSGIApplication) -> None:
        self.app = app
        self.fallback = fallback
        self.lists = app.extensions["widget"].lists
        self._hosts: dict[tuple[object, ...], tuple[str | None, str]] = {}

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            answer = self.answer(environ)
        except Exception:  # the view will meet the same trouble, and report it
            log.debug("hot path: handing over to the view", exc_info=True)
            answer = None
        if answer is None:
            return self.fallback(environ, start_response)
        status, headers, body = answer
        start_response(STATUS_LINES[status], headers)
        return [body]

    def answer(self, environ: WSGIEnvironment) -> Answer | None:
        method = environ.get("REQUEST_METHOD")
        if method != "GET" and method != "HEAD":
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(TOPIC_PREFIX):
            return self.topic_json(environ, path[len(TOPIC_PREFIX) :])
        route = widget_route(path)
        if route is None or not is_valid_slug(route[0]):
            return None
        slug, kind = route
        config = self.app.config
        allow_origin = None
        base_url = ""
        if kind == "fragment":
            found, host_url = self.base_url(environ)
            if found is None:
                return None  # the view warns about the missing setting
            base_url = found
            allow_origin = fragment_origin(config, host_url, environ.get("HTTP_ORIGIN"))
        query = environ.get("QUERY_STRING", "").encode("latin-1")
        stores = self.app.extensions["widget"].store_choices
        variant, warning = variant_for(kind, query, base_url, stores)
        if warning:
            return None
        rendered = self.lists.cached(slug, variant)
        if rendered is None:
            return None
        self.before_request()
        status = widget_status(rendered, environ)
        headers = response_headers(config, rendered, warning, allow_origin)
        body = rendered.body
        if status == 304:
            # As werkzeug sends it: no body and no entity headers, of which
            # these hold only Last-Modified (tests/test_hotpath.py compares).
            body = b""
            headers = [h for h in headers if h[0] != "Last-Modified"]
        else:
            headers += [HTML, ("Content-Length", str(len(body)))]
            if method == "HEAD":
                body = b""
        self.after_request(ENDPOINTS[kind], status)
        return status, headers, body

    def topic_json(self, environ: WSGIEnvironment, slug: str) -> Answer | None:
        """``GET /api/v1/topics/<slug>`` once its JSON is built (widget.api)."""
        if not is_valid_slug(slug) or environ.get("QUERY_STRING"):
            return None  # another store (?store=) is the view's
        state = self.lists.cached_state(slug)
        if state is None:
            return None
        base_url, _ = self.base_url(environ)
        if base_url is None:
            return None
        served = self.app.extensions["widget"].store_choices.default
        body = self.lists.memo_cached(topic_key(self.lists, state, base_url, served))
        if body is None:
            return None
        self.before_request()
        headers = topic_headers(state) + [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
        ]
        headers += default_headers(None)
        self.after_request("api.get_topic", 200)
        return 200, headers, b"" if environ["REQUEST_METHOD"] == "HEAD" else body

    def base_url(self, environ: WSGIEnvironment) -> tuple[str | None, str]:
        """``base_url_for`` the request's host, and its host URL, as the
        views see them (werkzeug's Request), remembered per host: working
        them out was half of a cached JSON answer's time."""
        key = tuple(environ.get(name) for name in HOST_KEYS)
        found = self._hosts.get(key)
        if found is None:
            request = Request(environ)
            public_url = self.app.config["WIDGET_PUBLIC_URL"]
            base_url = base_url_for(public_url, request.host, request.host_url)
            found = (base_url, request.host_url)
            if len(self._hosts) >= HOSTS_KEPT:  # Host comes from the client
                self._hosts.clear()
            self._hosts[key] = found
        return found

    def before_request(self) -> None:
        scheduler: Any = self.app.extensions.get("widget_scheduler")
        if scheduler is not None:
            scheduler.ensure_running()

    def after_request(self, endpoint: str, status: int) -> None:
        self.app.extensions["widget_metrics"].count_request(endpoint, status)


def install(app: Flask) -> None:
    """Put the hot path in front of the app (inside any proxy fix added
    later, so it sees the same host and scheme as the views)."""
    app.wsgi_app = HotPath(app, app.wsgi_app)  # type: ignore[method-assign]
