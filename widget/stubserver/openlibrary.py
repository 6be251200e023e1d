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
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import g
from flask import request
from flask import send_from_directory

from widget.catalog.identifiers import IdentifierError
from widget.catalog.identifiers import isbn13_to_10
from widget.catalog.identifiers import parse_isbn
from widget.catalog.stub import COVERS_ROUTE
from widget.catalog.stub import StubItem
from widget.stubserver.state import StubState
from widget.stubserver.state import called
from widget.stubserver.state import stub_state

OPERATION = "openlibrary"
_COVER = re.compile(r"^([0-9Xx-]+)-([SML])\.jpg$")
_BLANK = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


bp = Blueprint("stub_openlibrary", __name__)


def find(state: StubState, key: str) -> StubItem | None:
    """The stub book a bibkey such as "ISBN:9780000000017" names, if any."""
    kind, _, value = key.partition(":")
    if kind.strip().upper() != "ISBN":
        return None
    try:
        return state.by_isbn.get(parse_isbn(value))
    except IdentifierError:
        return None


def injected_fault(state: StubState) -> Response | str | None:
    """Wait the configured latency, then play this call's fault: the answer
    that replaces the books, "sparse" (titles only) or None."""
    options = state.options
    if options.latency:
        time.sleep(options.latency)
    throttled = options.throttle and not state.admit(int(g.arrived))
    fault = "429" if throttled else state.next_fault()
    if fault == "hang":
        time.sleep(options.hang)
    elif fault == "malformed":
        return Response('{"ISBN:97', mimetype="application/json")
    elif fault is not None and fault.isdigit():
        response = Response("Try again later.", int(fault), mimetype="text/plain")
        if fault == "429":
            response.headers["Retry-After"] = str(options.retry_after)
        return response
    return fault


@bp.get("/api/books")
def openlibrary_books() -> Response:
    state = called(OPERATION)
    if request.args.get("jscmd") != "data":
        why = "the stub-server serves jscmd=data only"
        return Response(why, 400, mimetype="text/plain")
    keys = [k.strip() for k in request.args.get("bibkeys", "").split(",")]
    fault = injected_fault(state)
    if isinstance(fault, Response):
        return fault
    base = (state.options.image_base or request.host_url).rstrip("/")
    found = {
        key: entry(item, base, sparse=fault == "sparse")
        for key in keys
        if key and (item := find(state, key))
    }
    if request.args.get("format") == "json":
        return Response(json.dumps(found), mimetype="application/json")
    script = f"var _OLBookInfo = {json.dumps(found)};"
    return Response(script, mimetype="application/javascript")


@bp.get("/b/isbn/<name>")
def openlibrary_cover(name: str) -> Response:
    state = stub_state()
    match = _COVER.match(name)
    item = find(state, f"ISBN:{match.group(1)}") if match else None
    image = item.image if item else None
    if image is None or not image.url.startswith(COVERS_ROUTE):
        if request.args.get("default") == "false":
            abort(404)
        return Response(_BLANK, mimetype="image/svg+xml")
    file = image.url.removeprefix(COVERS_ROUTE)
    return send_from_directory(
        state.covers_dir, file, mimetype="image/svg+xml", max_age=86400
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
