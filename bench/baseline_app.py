"""The baseline: a minimal Flask app returning fixed bytes.

It stands for "the fastest a Flask app could possibly answer" under the same
gunicorn settings; the service is measured as a ratio against it. It serves
the widget bytes, a 304 for the widget's ETag, and the API's JSON bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask import Response
from flask import request

FOLDER = Path(os.environ["BASELINE_DIR"])
WIDGET = (FOLDER / "widget.html").read_bytes()
ETAG = (FOLDER / "etag").read_text()
JSON = (FOLDER / "topic.json").read_bytes()

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/widget/<slug>")
def widget(slug: str) -> Response:
    if request.headers.get("If-None-Match") == ETAG:
        return Response(status=304)
    return Response(WIDGET, mimetype="text/html")


@app.get("/api/v1/topics/<slug>")
def topic(slug: str) -> Response:
    return Response(JSON, mimetype="application/json")
