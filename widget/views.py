"""Public widget routes: the iframe document, the HTML fragment, embed.js and
stub covers."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qsl

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from flask import send_from_directory

from widget.catalog.stub import StubCatalog
from widget.embed import embed_script
from widget.errors import BadRequest
from widget.errors import NotFound
from widget.headers import widget_csp
from widget.i18n import LANGUAGES
from widget.lists import RenderedWidget
from widget.lists import Variant
from widget.lookup import check_slug
from widget.lookup import public_base_url
from widget.models import MAX_ITEMS
from widget.services import services
from widget.store import TopicNotFound

bp = Blueprint("widget", __name__)

LAYOUTS = ("list", "grid", "compact")
THEMES = ("light", "dark", "auto")


def parse_variant(args: Mapping[str, str], kind: str, base_url: str) -> Variant:
    """Read ``count``, ``layout``, ``theme`` and ``lang``.

    :raises BadRequest: naming the parameter and what it accepts.
    """
    raw_count = args.get("count", str(MAX_ITEMS))
    if not raw_count.isdigit() or not 1 <= int(raw_count) <= MAX_ITEMS:
        raise BadRequest(f"count must be a whole number from 1 to {MAX_ITEMS}.")
    layout = args.get("layout", "list")
    if layout not in LAYOUTS:
        raise BadRequest(f"layout must be one of: {', '.join(LAYOUTS)}.")
    theme = args.get("theme", "light")
    if theme not in THEMES:
        raise BadRequest(f"theme must be one of: {', '.join(THEMES)}.")
    lang = args.get("lang", "en")
    if lang not in LANGUAGES:
        raise BadRequest(f"lang must be one of: {', '.join(sorted(LANGUAGES))}.")
    return Variant(kind, int(raw_count), layout, theme, lang, base_url)


@functools.lru_cache(maxsize=512)
def variant_for(kind: str, query_string: bytes, base_url: str) -> Variant:
    """``parse_variant`` memoised on the raw query string: embeds repeat the
    same few query strings millions of times, so parse each once.

    :raises BadRequest:
    """
    args: dict[str, str] = {}
    for key, value in parse_qsl(query_string.decode("utf-8", "replace"), True):
        args.setdefault(key, value)  # the first value wins, as in request.args
    return parse_variant(args, kind, base_url)


def widget_response(slug: str, kind: str) -> Response:
    check_slug(slug)
    # The iframe document loads our covers from its own origin; a fragment
    # lives in someone else's page and needs absolute URLs.
    base_url = public_base_url() if kind == "fragment" else ""
    variant = variant_for(kind, request.query_string, base_url)
    try:
        rendered = services().lists.widget(slug, variant)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    return send_rendered(rendered)


def send_rendered(rendered: RenderedWidget) -> Response:
    """A new Response per request from the cached bytes: a Response object
    is mutable (after-request hooks, werkzeug's own conditional handling),
    so one is never handed to two requests."""
    headers = widget_headers(rendered)
    if not rendered.has_list:
        return Response(rendered.body, 503, headers, mimetype="text/html")
    if rendered.etag in request.environ.get("HTTP_IF_NONE_MATCH", ""):
        return Response(status=304, headers=headers)
    return Response(rendered.body, 200, headers, mimetype="text/html")


def widget_headers(rendered: RenderedWidget) -> list[tuple[str, str]]:
    config = current_app.config
    headers = [
        ("Content-Security-Policy", widget_csp(config["WIDGET_FRAME_ANCESTORS"])),
        ("X-Content-Type-Options", "nosniff"),
        ("ETag", rendered.etag),
    ]
    if not rendered.has_list:
        return headers + [("Cache-Control", "no-store"), ("Retry-After", "60")]
    headers.append(
        ("Cache-Control", f"public, max-age={config['WIDGET_CACHE_MAX_AGE']}")
    )
    if rendered.http_last_modified is not None:
        headers.append(("Last-Modified", rendered.http_last_modified))
    return headers


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/widget/<slug>")
def widget_document(slug: str) -> Response:
    return widget_response(slug, "document")


@bp.get("/widget/<slug>/fragment")
def widget_fragment(slug: str) -> Response:
    return widget_response(slug, "fragment")


@bp.get("/embed.js")
def embed_js() -> Response:
    body = embed_script()
    response = Response(body, 200, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    # Blog pages that isolate themselves (COEP) may still load it.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.set_etag(hashlib.blake2b(body, digest_size=12).hexdigest())
    response.make_conditional(request)
    return response


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
