"""Routes tests and developers use to watch and steer the stub-server, and
the bundled covers it serves."""

from __future__ import annotations

from collections import Counter
from collections import deque

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import send_from_directory

from widget.stubserver.checks import json_body
from widget.stubserver.state import FAULTS
from widget.stubserver.state import stub_state

bp = Blueprint("stub_control", __name__)


@bp.get("/_stub/calls")
def calls() -> Response:
    state = stub_state()
    with state.lock:
        logged = list(state.calls)
    counts = Counter(c["operation"] for c in logged)
    return jsonify(counts=dict(counts), calls=logged)


@bp.post("/_stub/reset")
def reset() -> Response:
    state = stub_state()
    with state.lock:
        state.calls.clear()
        state.queued.clear()
        state.queued_for.clear()
    return jsonify(ok=True)


@bp.post("/_stub/faults")
def queue_faults() -> Response | tuple[Response, int]:
    body = json_body()
    wanted = body.get("next", []) if isinstance(body, dict) else None
    if not isinstance(wanted, list) or any(f not in FAULTS for f in wanted):
        return jsonify(error=f"next: a list of {', '.join(FAULTS)}"), 400
    # With "marketplace", only that marketplace's calls get them.
    marketplace = body.get("marketplace")
    if marketplace is not None and not isinstance(marketplace, str):
        return jsonify(error="marketplace: a host such as www.amazon.de"), 400
    state = stub_state()
    with state.lock:
        queue = (
            state.queued
            if marketplace is None
            else state.queued_for.setdefault(marketplace, deque())
        )
        queue.extend(wanted)
    return jsonify(queued=len(queue))


@bp.post("/_stub/eligibility")
def eligibility() -> Response | tuple[Response, int]:
    """``{"eligible": false}`` plays an account below Amazon's sales bar."""
    body = json_body()
    eligible = body.get("eligible") if isinstance(body, dict) else None
    if not isinstance(eligible, bool):
        return jsonify(error="eligible: true or false"), 400
    stub_state().options.ineligible = not eligible
    return jsonify(eligible=eligible)


@bp.post("/_stub/revoke")
def revoke() -> Response:
    state = stub_state()
    with state.lock:
        state.tokens.clear()
    return jsonify(ok=True)


@bp.get("/stub-covers/<name>")
def cover(name: str) -> Response:
    return send_from_directory(stub_state().covers_dir, name, max_age=86400)
