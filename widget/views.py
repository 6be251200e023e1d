"""Public widget routes: the iframe document, the HTML fragment, embed.js and
stub covers."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from flask import send_from_directory

from widget.catalog.stub import StubCatalog
from widget.embed import BEACON_SCRIPT
from widget.embed import embed_script
from widget.errors import NotFound
from widget.headers import cors_origin
from widget.headers import widget_csp
from widget.lists import RenderedWidget
from widget.lists import Variant
from widget.lookup import public_base_url
from widget.models import is_valid_slug
from widget.params import variant_for
from widget.render import render_unavailable
from widget.services import services
from widget.store import StoreError
from widget.store import TopicNotFound

log = logging.getLogger(__name__)

bp = Blueprint("widget", __name__)

#: The view of each kind of widget (its metrics label).
ENDPOINTS = {"document": "widget.widget_document", "fragment": "widget.widget_fragment"}


def widget_response(slug: str, kind: str) -> Response:
    # The iframe document loads our covers from its own origin; a fragment
    # lives in someone else's page and needs absolute URLs.
    base_url = public_base_url() if kind == "fragment" else ""
    variant, warning = variant_for(
        kind, request.query_string, base_url, services().store_choices
    )
    # widget.hotpath answers the same requests without Flask when the bytes
    # are cached; what follows must stay what it sends.
    if not is_valid_slug(slug):
        return unavailable(variant, no_topic(warning, slug), 404)
    try:
        rendered = services().lists.widget(slug, variant)
    except TopicNotFound:
        return unavailable(variant, no_topic(warning, slug), 404, slug)
    return send_rendered(rendered, warning, allowed_origin(kind))


def no_topic(warning: str, slug: str) -> str:
    """The warning for a mistyped or removed topic: embed.js logs it to the
    blog's console, the one place a blogger looking at an empty box checks.
    ASCII only, as headers must be; the slug is cut to what a topic can have."""
    named = slug[:64].encode("ascii", "replace").decode("ascii")
    return "; ".join(w for w in (f"there is no topic called {named!r}", warning) if w)


def allowed_origin(kind: str) -> str | None:
    if kind != "fragment":
        return None
    return fragment_origin(
        current_app.config, request.host_url, request.headers.get("Origin")
    )


def fragment_origin(
    config: Mapping[str, Any], host_url: str, origin: str | None
) -> str | None:
    """Who may read a fragment (``Access-Control-Allow-Origin``)."""
    return cors_origin(config["WIDGET_FRAME_ANCESTORS"], origin, host_url.rstrip("/"))


def unavailable(
    variant: Variant, warning: str, status: int, slug: str = ""
) -> Response:
    """A small box with one neutral line, frameable like any widget: an
    unknown topic on a blog shows this (or, with embed.js, the blogger's
    fallback), never the browser's error page."""
    body = render_unavailable(slug, variant)
    headers = widget_headers(current_app.config, warning, allowed_origin(variant.kind))
    if status == 404:
        headers.append(("Cache-Control", "public, max-age=60"))
    else:
        headers += [("Cache-Control", "no-store"), ("Retry-After", "30")]
    return Response(body, status, headers, mimetype="text/html")


def send_rendered(
    rendered: RenderedWidget, warning: str, allow_origin: str | None
) -> Response:
    """A new Response per request from the cached bytes: a Response object
    is mutable (after-request hooks, werkzeug's own conditional handling),
    so one is never handed to two requests."""
    headers = response_headers(current_app.config, rendered, warning, allow_origin)
    status = widget_status(rendered, request.environ)
    if status == 304:
        return Response(status=304, headers=headers)
    return Response(rendered.body, status, headers, mimetype="text/html")


def widget_status(rendered: RenderedWidget, environ: Mapping[str, Any]) -> int:
    """503 for a box without a list, 304 when the client has these bytes."""
    if not rendered.has_list:
        return 503
    if rendered.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
        return 304
    return 200


def response_headers(
    config: Mapping[str, Any],
    rendered: RenderedWidget,
    warning: str,
    allow_origin: str | None,
) -> list[tuple[str, str]]:
    headers = widget_headers(config, warning, allow_origin)
    headers.append(("ETag", rendered.etag))
    if not rendered.has_list:
        return headers + [("Cache-Control", "no-store"), ("Retry-After", "60")]
    max_age = config["WIDGET_CACHE_MAX_AGE"]
    headers.append(("Cache-Control", f"public, max-age={max_age}"))
    if rendered.http_last_modified is not None:
        headers.append(("Last-Modified", rendered.http_last_modified))
    return headers


def widget_headers(
    config: Mapping[str, Any], warning: str, allow_origin: str | None
) -> list[tuple[str, str]]:
    headers = [
        (
            "Content-Security-Policy",
            widget_csp(config["WIDGET_FRAME_ANCESTORS"], config["WIDGET_ANALYTICS"]),
        ),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if warning:
        headers.append(("Widget-Warning", warning))
    if allow_origin is not None:
        headers += [
            ("Access-Control-Allow-Origin", allow_origin),
            ("Access-Control-Expose-Headers", "Widget-Warning"),
        ]
        if allow_origin != "*":
            headers.append(("Vary", "Origin"))
    return headers


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(StoreError)
def store_unavailable(error: StoreError) -> Response:
    """The store is down: widgets stay a neutral, frameable box (503)."""
    log.warning("store unavailable for %s: %s", request.path, error)
    kind = "fragment" if request.path.endswith("/fragment") else "document"
    base_url = public_base_url() if kind == "fragment" else ""
    variant, warning = variant_for(
        kind, request.query_string, base_url, services().store_choices
    )
    return unavailable(variant, warning, 503)


@bp.get("/widget/<slug>")
def widget_document(slug: str) -> Response:
    return widget_response(slug, "document")


@bp.get("/widget/<slug>/fragment")
def widget_fragment(slug: str) -> Response:
    return widget_response(slug, "fragment")


def script_response(body: bytes) -> Response:
    """A script for blog pages: cached an hour, loadable from any origin
    (also by pages that isolate themselves with COEP), revalidated by ETag."""
    response = Response(body, 200, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.set_etag(hashlib.blake2b(body, digest_size=12).hexdigest())
    response.make_conditional(request)
    return response


@bp.get("/embed.js")
def embed_js() -> Response:
    return script_response(embed_script(services().store_choices))


@bp.get("/beacons.js")
def beacons_js() -> Response:
    """The beacon script of every widget, for embed.js's inline boxes: a
    page that allows our embed.js allows this too, inline scripts or not."""
    if not current_app.config["WIDGET_ANALYTICS"]:
        raise NotFound("Counting is off on this service (WIDGET_ANALYTICS=off).")
    return script_response(BEACON_SCRIPT.encode())


@bp.get("/stub-covers/<name>")
def stub_cover(name: str) -> Response:
    catalog = services().catalog
    if not isinstance(catalog, StubCatalog):
        raise NotFound("Stub covers are only served with the stub catalog.")
    response = send_from_directory(catalog.covers_dir, name, max_age=86400)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'"
    )
    return response
