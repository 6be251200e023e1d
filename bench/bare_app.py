"""The floor: a bare WSGI callable sending the baseline's bytes, with no
framework at all. Under the same gunicorn settings it shows what gunicorn's
own work per request leaves for any app (bench/bench_widget.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FOLDER = Path(os.environ["BASELINE_DIR"])
WIDGET = (FOLDER / "widget.html").read_bytes()
ETAG = (FOLDER / "etag").read_text()
JSON = (FOLDER / "topic.json").read_bytes()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/healthz":
        body, kind = b'{"status": "ok"}', "application/json"
    elif path.startswith("/widget/"):
        if environ.get("HTTP_IF_NONE_MATCH") == ETAG:
            start_response("304 NOT MODIFIED", [])
            return [b""]
        body, kind = WIDGET, "text/html; charset=utf-8"
    else:
        body, kind = JSON, "application/json"
    start_response(
        "200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))]
    )
    return [body]
