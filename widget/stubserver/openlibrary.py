"""Open Library's books API and covers over the stub catalog.

``GET /api/books?bibkeys=ISBN:…&format=json&jscmd=data`` answers the stub
books it knows by ISBN-10 or ISBN-13, in Open Library's shape (title and
subtitle apart, authors as objects, a free-text publish date, covers by
size), and leaves the others out, as Open Library does.
``GET /b/isbn/<isbn>-S|M|L.jpg`` serves the bundled SVG cover;
``?default=false`` makes a missing cover a 404 instead of a blank image.

The stub-server's fault switches apply to the books API as to the Creators
API: ``--latency``, ``--fail-rate`` with ``--fault``, ``--throttle`` and
faults queued through ``POST /_stub/faults``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask import Response
from flask import abort
from flask import request
from flask import send_from_directory

from widget.catalog.identifiers import IdentifierError
from widget.catalog.identifiers import isbn13_to_10
from widget.catalog.identifiers import parse_isbn
from widget.catalog.stub import COVERS_ROUTE
from widget.catalog.stub import StubItem
from widget.stubserver.state import StubState

OPERATION = "openlibrary"
_COVER = re.compile(r"^([0-9Xx-]+)-([SML])\.jpg$")
_BLANK = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def register_openlibrary(
    app: Flask, state: StubState, items: list[StubItem], covers_dir: Path
) -> None:
    options = state.options
    by_isbn = {item.isbn: item for item in items if item.isbn}

    def find(key: str) -> StubItem | None:
        kind, _, value = key.partition(":")
        if kind.strip().upper() != "ISBN":
            return None
        try:
            return by_isbn.get(parse_isbn(value))
        except IdentifierError:
            return None

    def answer(status: int, body: str, mimetype: str, arrived: float) -> Response:
        state.log(OPERATION, arrived, status)
        return Response(body, status=status, mimetype=mimetype)

    @app.get("/api/books")
    def openlibrary_books() -> Response:
        arrived = time.time()
        if request.args.get("jscmd") != "data":
            why = "the stub-server serves jscmd=data only"
            return answer(400, why, "text/plain", arrived)
        keys = [k.strip() for k in request.args.get("bibkeys", "").split(",")]
        if options.latency:
            time.sleep(options.latency)
        throttled = options.throttle and not state.admit(int(arrived))
        fault = "429" if throttled else state.next_fault()
        if fault == "hang":
            time.sleep(options.hang)
        elif fault == "malformed":
            return answer(200, '{"ISBN:97', "application/json", arrived)
        elif fault is not None and fault.isdigit():
            response = answer(int(fault), "Try again later.", "text/plain", arrived)
            if fault == "429":
                response.headers["Retry-After"] = str(options.retry_after)
            return response
        base = (options.image_base or request.host_url).rstrip("/")
        found = {
            key: entry(item, base, sparse=fault == "sparse")
            for key in keys
            if key and (item := find(key))
        }
        if request.args.get("format") == "json":
            return answer(200, json.dumps(found), "application/json", arrived)
        script = f"var _OLBookInfo = {json.dumps(found)};"
        return answer(200, script, "application/javascript", arrived)

    @app.get("/b/isbn/<name>")
    def openlibrary_cover(name: str) -> Response:
        match = _COVER.match(name)
        item = find(f"ISBN:{match.group(1)}") if match else None
        image = item.image if item else None
        if image is None or not image.url.startswith(COVERS_ROUTE):
            if request.args.get("default") == "false":
                abort(404)
            return Response(_BLANK, mimetype="image/svg+xml")
        file = image.url.removeprefix(COVERS_ROUTE)
        return send_from_directory(
            covers_dir, file, mimetype="image/svg+xml", max_age=86400
        )


def entry(item: StubItem, base: str, *, sparse: bool = False) -> dict[str, Any]:
    """One book as ``jscmd=data`` describes an edition."""
    assert item.isbn is not None
    olid = f"OL{int(item.isbn[-10:-1])}M"
    title, _, subtitle = item.title.partition(": ")
    out: dict[str, Any] = {
        "url": f"{base}/books/{olid}",
        "key": f"/books/{olid}",
        "title": title,
    }
    if sparse:
        return out
    if subtitle:
        out["subtitle"] = subtitle
    if item.authors:
        out["authors"] = [
            {"url": f"{base}/authors/OL{n}A", "name": name}
            for n, name in enumerate(item.authors, start=1)
        ]
    identifiers = {"isbn_13": [item.isbn], "openlibrary": [olid]}
    isbn10 = isbn13_to_10(item.isbn)
    if isbn10:
        identifiers["isbn_10"] = [isbn10]
    out["identifiers"] = identifiers
    if item.published:
        day = item.published
        out["publish_date"] = f"{day:%B} {day.day}, {day.year}"
    if item.image and item.image.url.startswith(COVERS_ROUTE):
        out["cover"] = {
            size: f"{base}/b/isbn/{item.isbn}-{letter}.jpg"
            for size, letter in (("small", "S"), ("medium", "M"), ("large", "L"))
        }
    return out
