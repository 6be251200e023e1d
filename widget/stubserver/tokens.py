"""The two token endpoints, as on Amazon's auth hosts: Cognito (2.x,
form-encoded, id and secret also via HTTP Basic) and Login with Amazon (3.x,
JSON). Both check grant type, client id, secret and scope."""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from widget.stubserver.checks import json_body
from widget.stubserver.state import StubState
from widget.stubserver.state import called

bp = Blueprint("stub_tokens", __name__)


def issue_token(state: StubState, family: str, region: str | None) -> Response:
    lifetime = state.options.token_lifetime
    token = "stub-" + secrets.token_urlsafe(24)
    with state.lock:
        state.tokens[token] = (family, time.time() + lifetime, region)
    return jsonify(access_token=token, expires_in=lifetime, token_type="Bearer")


#: A token good for every region: the default credential's.
ALL_REGIONS = "*"


def client_region(state: StubState, given: tuple[Any, Any]) -> str | None:
    """The region a credential is valid for (``ALL_REGIONS`` for the
    default one), None for an unknown credential."""
    options = state.options
    if given == (options.client_id, options.client_secret):
        return ALL_REGIONS
    for region, client_id, secret in options.credentials:
        if given == (client_id, secret):
            return region
    return None


def client_problem(
    state: StubState, fields: dict[str, Any], scope: str
) -> tuple[str, int] | None:
    """The OAuth error and status for bad client credentials, or None."""
    if fields.get("grant_type") != "client_credentials":
        return "unsupported_grant_type", 400
    if (
        client_region(state, (fields.get("client_id"), fields.get("client_secret")))
        is None
    ):
        return "invalid_client", 401
    if fields.get("scope") != scope:
        return "invalid_scope", 400
    return None


def token_region(state: StubState, fields: dict[str, Any]) -> str | None:
    region = client_region(state, (fields["client_id"], fields["client_secret"]))
    return None if region == ALL_REGIONS else region


@bp.post("/oauth2/token")  # Cognito, credential versions 2.x
def cognito_token() -> Response | tuple[Response, int]:
    state = called("token")
    fields: dict[str, Any] = dict(request.form)
    if request.authorization and request.authorization.type == "basic":
        fields.setdefault("client_id", request.authorization.username)
        fields.setdefault("client_secret", request.authorization.password)
    problem = client_problem(state, fields, "creatorsapi/default")
    if problem:
        return jsonify(error=problem[0]), problem[1]
    return issue_token(state, "2", token_region(state, fields))


@bp.post("/auth/o2/token")  # Login with Amazon, credential versions 3.x
def lwa_token() -> Response | tuple[Response, int]:
    state = called("token")
    fields = json_body()
    problem = (
        client_problem(state, fields, "creatorsapi::default")
        if isinstance(fields, dict)
        else ("invalid_request", 400)
    )
    if problem:
        description = "The request body must be JSON with client credentials."
        return jsonify(error=problem[0], error_description=description), problem[1]
    assert isinstance(fields, dict)
    return issue_token(state, "3", token_region(state, fields))
