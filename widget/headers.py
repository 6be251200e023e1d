"""Security headers on every response, chosen by who the page is for.

Widgets are meant to be framed by the origins in ``WIDGET_FRAME_ANCESTORS``;
every other page may not be framed at all. Widget views set their own policy
(``widget_csp``); this fills in safe defaults for everything else.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask
from flask import Response

from widget.embed import FRAME_SCRIPT_HASH

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline';"
    " script-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self';"
    " frame-ancestors 'none'"
)


@functools.cache
def widget_csp(frame_ancestors: str, analytics: bool = False) -> str:
    """Widgets run only their own height script (by hash) and, with
    analytics, our beacon script (which may post to us); load covers over
    https (or from us), and may be framed only by the configured origins."""
    scripts = f"'{FRAME_SCRIPT_HASH}'"
    if analytics:
        scripts += " 'self'; connect-src 'self'"
    return (
        "default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline';"
        f" script-src {scripts}; base-uri 'none'; form-action 'none';"
        f" frame-ancestors {frame_ancestors}"
    )


DEFAULT_PORTS = {"http": 80, "https": 443}


def _split_origin(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port is None:
        return None
    return parts.scheme, parts.hostname, port


def _source_matches(source: str, origin: tuple[str, str, int]) -> bool:
    """CSP source-expression matching (CSP 3, section 6.7.2), for origins."""
    scheme, host, port = origin
    # http: also allows https:, as a CSP source does.
    schemes = {"http": ("http", "https"), "https": ("https",)}
    if source.endswith(":") and "/" not in source:
        return scheme in schemes.get(source[:-1].lower(), ())
    source_scheme, _, rest = source.rpartition("://")
    if source_scheme and scheme not in schemes.get(source_scheme.lower(), ()):
        return False
    host_port = rest.split("/", 1)[0].lower()
    source_host, _, source_port = host_port.partition(":")
    if source_host.startswith("*."):
        if not host.endswith(source_host[1:]):
            return False
    elif source_host != host:
        return False
    if source_port == "*":
        return True
    if source_port:
        return (
            source_port.isascii() and source_port.isdigit() and int(source_port) == port
        )
    return port == DEFAULT_PORTS[scheme]


def cors_origin(
    frame_ancestors: str, origin: str | None, own_origin: str
) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for a fragment request.

    Pages that may frame a widget may also read its fragment: ``*`` (the
    default) lets any page read it, as any page may frame it; a list of
    origins lets exactly those (and ``'self'``) read it; ``None`` otherwise.
    """
    sources = frame_ancestors.split()
    if "*" in sources:
        return "*"
    parsed = _split_origin(origin) if origin else None
    if origin is None or parsed is None:
        return None
    for source in sources:
        if source.lower() == "'self'":
            if origin == own_origin:
                return origin
        elif not source.startswith("'") and _source_matches(source, parsed):
            return origin
    return None


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        if "X-Content-Type-Options" in headers:
            return response  # the view set its own (widgets do, to stay cheap)
        for name, value in default_headers(headers.get("Content-Security-Policy")):
            headers.setdefault(name, value)
        return response


def default_headers(csp: str | None) -> list[tuple[str, str]]:
    """The security headers a response without its own gets (``csp``: the
    policy it set, if any); widget.hotpath adds them as this hook would."""
    headers = [("X-Content-Type-Options", "nosniff")]
    if csp is None:
        csp = DEFAULT_CSP
        headers.append(("Content-Security-Policy", csp))
    if "frame-ancestors 'none'" in csp:
        headers.append(("X-Frame-Options", "DENY"))
    headers.append(("Referrer-Policy", "strict-origin-when-cross-origin"))
    return headers
