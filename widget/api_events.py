"""``POST /api/v1/events``: the widgets' click and impression beacons.

Public and hostile-input-proof: a strict schema (``widget.events``), a
size limit, only known topics, items and stores, a per-address rate, 204
when taken (whether or not it counted: a bot is not told it was spotted),
never a 500. Readable (CORS) by the origins that may frame widgets.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import request

from widget.analytics import Outcome
from widget.bodies import read_body
from widget.errors import BadRequest
from widget.errors import Forbidden
from widget.errors import NotFound
from widget.errors import TooManyRequests
from widget.events import MAX_EVENT_BODY
from widget.events import EventInvalid
from widget.events import parse_event
from widget.headers import cors_origin
from widget.services import services

bp = Blueprint("events", __name__, url_prefix="/api/v1")


def allowed_origin() -> str | None:
    """The CORS origin to answer with; None for an origin that may not send."""
    own = request.host_url.rstrip("/")
    origin = request.headers.get("Origin")
    if origin is None or origin == own:
        return origin or "*"
    return cors_origin(current_app.config["WIDGET_FRAME_ANCESTORS"], origin, own)


@bp.after_request
def cors(response: Response) -> Response:
    origin = allowed_origin()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        if origin != "*":
            response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/events", methods=["OPTIONS"])
def preflight() -> Response:
    """For clients that post ``application/json`` with fetch."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.post("/events")
def post_event() -> Response:
    if not current_app.config["WIDGET_ANALYTICS"]:
        raise NotFound("Counting is off on this service (WIDGET_ANALYTICS=off).")
    if allowed_origin() is None:
        raise Forbidden("This origin may not embed widgets of this service.")
    body = read_body(MAX_EVENT_BODY, "a beacon needs far less")
    try:
        event = parse_event(body)
    except EventInvalid as exc:
        raise BadRequest("The event is malformed.", fields=exc.errors) from None
    outcome = services().analytics.record(
        event,
        request.remote_addr or "unknown",
        request.headers.get("User-Agent", "")[:512],
        own_origin=request.host_url,
    )
    if outcome is Outcome.LIMITED:
        raise TooManyRequests("Too many events from this address; try later.")
    return Response(status=204)
