"""Security headers on every response, chosen by who the page is for.

Widgets are meant to be framed by the origins in ``WIDGET_FRAME_ANCESTORS``;
every other page may not be framed at all. Widget views set their own policy
(``widget_csp``); this fills in safe defaults for everything else.
"""

from __future__ import annotations

import functools

from flask import Flask
from flask import Response

from widget.embed import FRAME_SCRIPT_HASH

DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline';"
    " script-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self';"
    " frame-ancestors 'none'"
)


@functools.cache
def widget_csp(frame_ancestors: str) -> str:
    """Widgets run only their own height script (by hash), load covers over
    https (or from us), and may be framed only by the configured origins."""
    return (
        "default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline';"
        f" script-src '{FRAME_SCRIPT_HASH}'; base-uri 'none'; form-action 'none';"
        f" frame-ancestors {frame_ancestors}"
    )


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        if "X-Content-Type-Options" in headers:
            return response  # the view set its own (widgets do, to stay cheap)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        if "frame-ancestors 'none'" in headers["Content-Security-Policy"]:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
