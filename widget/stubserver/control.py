"""Routes tests and developers use to watch and steer the stub-server."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request

from widget.stubserver.state import FAULTS
from widget.stubserver.state import StubState


def register_control(app: Flask, state: StubState) -> None:
    @app.get("/_stub/calls")
    def calls() -> Response:
        with state.lock:
            logged = list(state.calls)
        counts = Counter(c["operation"] for c in logged)
        return jsonify(counts=dict(counts), calls=logged)

    @app.post("/_stub/reset")
    def reset() -> Response:
        with state.lock:
            state.calls.clear()
            state.queued.clear()
        return jsonify(ok=True)

    @app.post("/_stub/faults")
    def queue_faults() -> Response | tuple[Response, int]:
        wanted = (request.get_json(silent=True) or {}).get("next", [])
        if not isinstance(wanted, list) or any(f not in FAULTS for f in wanted):
            return jsonify(error=f"next: a list of {', '.join(FAULTS)}"), 400
        with state.lock:
            state.queued.extend(wanted)
        return jsonify(queued=len(state.queued))

    @app.post("/_stub/revoke")
    def revoke() -> Response:
        with state.lock:
            state.tokens.clear()
        return jsonify(ok=True)
