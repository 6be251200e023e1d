"""The baseline: a minimal Flask app returning fixed bytes with the same headers.

It stands for "the fastest a Flask widget could possibly be" under the same
gunicorn settings; the service is measured as a ratio against it.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask import Response

BODY = Path(os.environ["BASELINE_BODY"]).read_bytes()

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/widget/<slug>")
def widget(slug: str) -> Response:
    return Response(BODY, mimetype="text/html")
