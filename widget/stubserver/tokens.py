"""The two token endpoints, as on Amazon's auth hosts: Cognito (2.x,
form-encoded, id and secret also via HTTP Basic) and Login with Amazon (3.x,
JSON). Both check grant type, client id, secret and scope."""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request

from widget.stubserver.state import StubState


def register_tokens(app: Flask, state: StubState) -> None:
    options = state.options

    def token_answer(family: str) -> Response:
        token = "stub-" + secrets.token_urlsafe(24)
        with state.lock:
            state.tokens[token] = (family, time.time() + options.token_lifetime)
        return jsonify(
            access_token=token,
            expires_in=options.token_lifetime,
            token_type="Bearer",
        )

    def check_client(fields: dict[str, Any], scope: str) -> tuple[str, int] | None:
        if fields.get("grant_type") != "client_credentials":
            return "unsupported_grant_type", 400
        if (fields.get("client_id"), fields.get("client_secret")) != (
            options.client_id,
            options.client_secret,
        ):
            return "invalid_client", 401
        if fields.get("scope") != scope:
            return "invalid_scope", 400
        return None

    @app.post("/oauth2/token")  # Cognito, credential versions 2.x
    def cognito_token() -> Response | tuple[Response, int]:
        arrived = time.time()
        fields: dict[str, Any] = dict(request.form)
        if request.authorization and request.authorization.type == "basic":
            fields.setdefault("client_id", request.authorization.username)
            fields.setdefault("client_secret", request.authorization.password)
        problem = check_client(fields, "creatorsapi/default")
        state.log("token", arrived, problem[1] if problem else 200)
        if problem:
            return jsonify(error=problem[0]), problem[1]
        return token_answer("2")

    @app.post("/auth/o2/token")  # Login with Amazon, credential versions 3.x
    def lwa_token() -> Response | tuple[Response, int]:
        arrived = time.time()
        fields = request.get_json(silent=True)
        problem = (
            check_client(fields, "creatorsapi::default")
            if isinstance(fields, dict)
            else ("invalid_request", 400)
        )
        state.log("token", arrived, problem[1] if problem else 200)
        if problem:
            description = "The request body must be JSON with client credentials."
            return jsonify(error=problem[0], error_description=description), problem[1]
        return token_answer("3")
