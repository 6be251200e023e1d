"""A small WSGI app that speaks the Creators API over the stub catalog
(and Open Library's books API, see ``widget.stubserver.openlibrary``).

Token endpoints for both credential families, ``searchItems`` and
``getItems`` with Amazon's request checks and error bodies, and injected
faults. ``GET /_stub/calls`` reports every call served (with its arrival
time) so tests can count token fetches and measure the request rate;
``POST /_stub/reset`` clears the log, ``POST /_stub/faults`` queues faults
for the next catalog calls and ``POST /_stub/revoke`` expires every token.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request
from flask import send_from_directory
from werkzeug.serving import make_server

from widget.catalog.stub import StubItem
from widget.catalog.stub import search
from widget.stubserver import wire
from widget.stubserver.control import register_control
from widget.stubserver.openlibrary import register_openlibrary
from widget.stubserver.state import StubOptions
from widget.stubserver.state import StubState
from widget.stubserver.tokens import register_tokens

PARTNER_TAG = re.compile(r"^[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-\d{2}$")
BEARER = re.compile(r"^Bearer ([^\s,]+)(?:, Version (\S+))?$")


def create_stub_app(
    items: list[StubItem], covers_dir: Path, options: StubOptions
) -> Flask:
    app = Flask(__name__)
    state = StubState(options, rng=random.Random(options.seed))
    app.extensions["stub"] = state
    register_tokens(app, state)
    register_control(app, state)
    register_openlibrary(app, state, items, covers_dir)

    def refuse(arrived: float, operation: str, status: int, body: Any) -> Response:
        state.log(operation, arrived, status)
        response = jsonify(body)
        response.status_code = status
        return response

    def checked(operation: str, arrived: float) -> Response | dict[str, Any]:
        """The request body, or the error Amazon would answer instead."""
        match = BEARER.match(request.headers.get("Authorization", ""))
        with state.lock:
            known = state.tokens.get(match.group(1)) if match else None
        if match is None or known is None:
            why = wire.error(
                "UnauthorizedException", "Invalid token.", reason="InvalidToken"
            )
            return refuse(arrived, operation, 401, why)
        family, expires = known
        if time.time() >= expires:
            why = wire.error(
                "UnauthorizedException", "Token expired.", reason="TokenExpired"
            )
            return refuse(arrived, operation, 401, why)
        version = match.group(2)
        if (family == "2") != bool(version and version.startswith("2.")):
            why = wire.error(
                "UnauthorizedException",
                "Credential version does not match the token issuer.",
                reason="InvalidIssuer",
            )
            return refuse(arrived, operation, 401, why)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            why = wire.error(
                "ValidationException", "Cannot parse the request.", reason="CannotParse"
            )
            return refuse(arrived, operation, 400, why)
        if not request.headers.get("x-marketplace"):
            why = wire.error(
                "ValidationException",
                "The x-marketplace header is required.",
                reason="FieldValidationFailed",
                fieldList=["x-marketplace"],
            )
            return refuse(arrived, operation, 400, why)
        tag = body.get("partnerTag")
        if not isinstance(tag, str) or not PARTNER_TAG.match(tag):
            why = wire.error(
                "ValidationException",
                f"The partner tag {tag!r} is invalid.",
                reason="InvalidPartnerTag",
            )
            return refuse(arrived, operation, 400, why)
        return body

    def faulted(operation: str, arrived: float) -> Response | str | None:
        """A fault's answer, "sparse" (answer with fields missing) or None."""
        if options.throttle and not state.admit(int(arrived)):
            return throttled(operation, arrived)
        fault = state.next_fault()
        if fault is None:
            return None
        if fault == "429":
            return throttled(operation, arrived)
        if fault in ("500", "503"):
            kind = "InternalServerException" if fault == "500" else "ServiceUnavailable"
            return refuse(
                arrived, operation, int(fault), wire.error(kind, "Try again.")
            )
        if fault == "401":
            why = wire.error(
                "UnauthorizedException", "Token expired.", reason="TokenExpired"
            )
            return refuse(arrived, operation, 401, why)
        if fault == "hang":
            time.sleep(options.hang)
            return None
        if fault == "sparse":
            return fault
        state.log(operation, arrived, 200)
        return Response('{"searchResult": {"items": [', mimetype="application/json")

    def throttled(operation: str, arrived: float) -> Response:
        body = wire.error(
            "ThrottleException",
            "Request rate exceeded.",
            retryAfterSeconds=options.retry_after,
        )
        response = refuse(arrived, operation, 429, body)
        response.headers["Retry-After"] = str(options.retry_after)
        return response

    def answer(operation: str, arrived: float, body: dict[str, Any]) -> Response:
        state.log(operation, arrived, 200)
        return jsonify(body)

    def render(item: StubItem, body: dict[str, Any]) -> dict[str, Any]:
        return wire.item_json(
            item,
            set(body.get("resources") or ()),
            marketplace=request.headers["x-marketplace"],
            partner_tag=body["partnerTag"],
            image_base=options.image_base or request.host_url,
        )

    @app.post("/catalog/v1/searchItems")
    def search_items() -> Response:
        arrived = time.time()
        body = checked("searchItems", arrived)
        if isinstance(body, Response):
            return body
        count, page = body.get("itemCount", 10), body.get("itemPage", 1)
        keywords = " ".join(
            str(body.get(k) or "") for k in ("keywords", "title", "author")
        ).strip()
        bad = [
            name
            for name, value in (("itemCount", count), ("itemPage", page))
            if not isinstance(value, int) or not 1 <= value <= 10
        ]
        if not keywords:
            bad.append("keywords")
        if bad:
            why = wire.error(
                "ValidationException",
                "Invalid value for " + ", ".join(bad) + ".",
                reason="FieldValidationFailed",
                fieldList=bad,
            )
            return refuse(arrived, "searchItems", 400, why)
        if options.latency:
            time.sleep(options.latency)
        fault = faulted("searchItems", arrived)
        if isinstance(fault, Response):
            return fault
        node = body.get("browseNodeId")
        found = search(
            items,
            keywords,
            str(body.get("searchIndex") or "All"),
            None if node is None else str(node),
        )
        order = wire.relevance_order(found, keywords, body.get("sortBy"))
        chunk = order[(page - 1) * count : page * count]
        if not chunk:
            return refuse(
                arrived, "searchItems", 404, wire.not_found("SearchResult", keywords)
            )
        rendered = [render(item, body) for item in chunk]
        if fault == "sparse":
            rendered = [wire.sparse(item) for item in rendered]
        result = {
            "totalResultCount": len(found),
            "searchURL": f"https://{request.headers['x-marketplace']}/s/?field-keywords="
            + "+".join(keywords.split())
            + f"&tag={body['partnerTag']}&linkCode=osi",
            "items": rendered,
        }
        return answer("searchItems", arrived, {"searchResult": result})

    by_asin = {item.asin.upper(): item for item in items}

    @app.post("/catalog/v1/getItems")
    def get_items() -> Response:
        arrived = time.time()
        body = checked("getItems", arrived)
        if isinstance(body, Response):
            return body
        ids = body.get("itemIds")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
            why = wire.error(
                "ValidationException",
                "itemIds takes 1 to 10 ASINs.",
                reason="FieldValidationFailed",
                fieldList=["itemIds"],
            )
            return refuse(arrived, "getItems", 400, why)
        if options.latency:
            time.sleep(options.latency)
        fault = faulted("getItems", arrived)
        if isinstance(fault, Response):
            return fault
        known = [by_asin[str(i).upper()] for i in ids if str(i).upper() in by_asin]
        if not known:
            return refuse(
                arrived,
                "getItems",
                404,
                wire.not_found("Item", ",".join(map(str, ids))),
            )
        result: dict[str, Any] = {
            "itemsResult": {"items": [render(i, body) for i in known]}
        }
        missing = [i for i in ids if str(i).upper() not in by_asin]
        if missing:
            result["errors"] = [
                {
                    "code": "InvalidParameterValue",
                    "message": f"The ItemId {i} is not accessible through the API.",
                }
                for i in missing
            ]
        return answer("getItems", arrived, result)

    @app.get("/stub-covers/<name>")
    def cover(name: str) -> Response:
        return send_from_directory(covers_dir, name, max_age=86400)

    return app


@contextmanager
def serve_in_thread(
    app: Flask, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``app`` from a background thread; yields its base URL."""
    server = make_server(host, port, app, threaded=True)
    # A short poll interval makes shutdown (and so each test) quick.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
