"""The JSON API, admin side: create, change, remove and refresh topics.

Every route takes ``Authorization: Bearer <WIDGET_ADMIN_TOKEN>``: 401 without
one, 403 with a wrong one (counted toward the per-client failure limit),
503 while no token is set. Bodies are JSON objects of topic fields; anything
else is a 400 that says what was wrong, per field where it can.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from flask import url_for

from widget import auth
from widget.api import requested_store
from widget.api_json import topic_detail
from widget.api_json import topic_etag
from widget.bodies import read_body
from widget.errors import BadRequest
from widget.errors import Conflict
from widget.errors import NotFound
from widget.errors import PreconditionFailed
from widget.jobs import JobRecord
from widget.jobs import result_to_dict
from widget.lookup import check_slug
from widget.lookup import refresh_job
from widget.lookup import stored_state
from widget.models import Topic
from widget.refresh import Outcome
from widget.refresh import RefreshResult
from widget.serialize import error_to_dict
from widget.services import services
from widget.stats import parse_days
from widget.stats import report_to_dict
from widget.stats import titles_of
from widget.stats import topic_report
from widget.store import TopicExists
from widget.store import TopicNotFound
from widget.store import VersionConflict
from widget.topics import TopicInvalid
from widget.topics import parse_topic

bp = Blueprint("api_admin", __name__, url_prefix="/api/v1")

#: Topic bodies are a few hundred bytes; anything far bigger is a mistake.
MAX_BODY = 16 * 1024


@bp.before_request
def require_token() -> None:
    auth.bearer_is_admin(required=True)


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _body() -> bytes:
    """:raises PayloadTooLarge: past ``MAX_BODY``."""
    return read_body(MAX_BODY, "a topic needs far less")


def _json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    :raises BadRequest: if it is not JSON or not an object.
    :raises PayloadTooLarge: past ``MAX_BODY``.
    """
    try:
        data = json.loads(_body())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(
            'The body is not JSON; send an object such as {"title": "NASA Artemis"}.'
        ) from None
    except RecursionError:
        raise BadRequest("The body is nested too deeply for a topic.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object of topic fields.")
    return data


def _topic_from(data: dict[str, Any], existing: Topic | None = None) -> Topic:
    """The topic a body describes (a change of ``existing``, if given).

    :raises BadRequest: naming each bad field.
    """
    try:
        return parse_topic(data, settings=services().config, existing=existing)
    except TopicInvalid as exc:
        fields = "; ".join(f"{name} {message}" for name, message in exc.errors.items())
        raise BadRequest(f"Invalid topic: {fields}.", fields=exc.errors) from None


@bp.post("/topics")
def create_topic() -> tuple[Response, int, dict[str, str]]:
    found = services()
    topic = _topic_from(_json_object())
    try:
        found.store.add_topic(topic)
    except TopicExists:
        raise Conflict(f"A topic with slug {topic.slug!r} exists already.") from None
    state = stored_state(topic.slug)
    headers = {
        "Location": url_for("api.get_topic", slug=topic.slug),
        "ETag": topic_etag(state),
    }
    return jsonify(topic_detail(state)), 201, headers


def _if_match(slug: str) -> int | None:
    """The version an ``If-Match`` header insists on, or None without one.

    :raises PreconditionFailed: if it names another version than the current.
    """
    if "If-Match" not in request.headers or request.if_match.star_tag:
        return None
    state = stored_state(slug)
    if topic_etag(state).strip('"') not in request.if_match:
        raise PreconditionFailed(
            f"The topic changed since you read it (its ETag is now"
            f" {topic_etag(state)}); read it again and resend your change."
        )
    return state.version


@bp.route("/topics/<slug>", methods=["PUT", "PATCH"])
def change_topic(slug: str) -> Response:
    """Change only the given fields, atomically: a concurrent change to other
    fields is kept, and with ``If-Match`` a lost race is a 412."""
    check_slug(slug)
    data = _json_object()
    expected = _if_match(slug)
    try:
        services().store.change_topic(
            slug, lambda current: _topic_from(data, current.topic), if_version=expected
        )
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    except VersionConflict:
        if expected is not None:
            raise PreconditionFailed(
                "The topic changed while your change was on its way; read it"
                " again and resend your change."
            ) from None
        raise Conflict(
            "The topic is being changed by many others right now; try again."
        ) from None
    state = stored_state(slug)
    response = jsonify(topic_detail(state))
    response.headers["ETag"] = topic_etag(state)
    return response


@bp.delete("/topics/<slug>")
def remove_topic(slug: str) -> tuple[str, int]:
    check_slug(slug)
    try:
        services().store.remove_topic(slug)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    return "", 204


def _result_body(result: RefreshResult) -> dict[str, Any]:
    """The list now served, plus what happened to this refresh."""
    body = topic_detail(result.state) | result_to_dict(result)
    body["error"] = None
    if result.outcome is Outcome.BUSY:
        body["error"] = {
            "code": "busy",
            "message": "Another worker is refreshing this topic right now.",
        }
    elif result.error is not None:
        body["error"] = {"code": "upstream_" + result.error.kind} | error_to_dict(
            result.error
        )
    return body


#: The status each outcome answers with.
STATUS = {
    Outcome.REFRESHED: 200,
    Outcome.UNCHANGED: 200,
    Outcome.SKIPPED: 200,
    Outcome.FAILED: 502,
    Outcome.BUSY: 409,
}


def _accepted(job: JobRecord) -> tuple[Response, int, dict[str, str]]:
    """202: the refresh goes on in the background; follow it at Location."""
    location = url_for("api_admin.get_job", job_id=job.id)
    record = services().jobs.record(job.id) or {}
    return jsonify(record), 202, {"Location": location}


@bp.post("/topics/<slug>/refresh")
def refresh_topic(
    slug: str,
) -> tuple[Response, int] | tuple[Response, int, dict[str, str]]:
    # ?store=de refreshes that store's list (and answers with it)
    job, result = refresh_job(slug, trigger="api", store=requested_store())
    if result is None:
        return _accepted(job)
    body = _result_body(result)
    if result.store is not None:
        body["store"] = result.store
    return jsonify(body), STATUS[result.outcome]


@bp.post("/refresh")
def refresh_all() -> tuple[Response, int] | tuple[Response, int, dict[str, str]]:
    due = request.args.get("due", "0")
    if due not in ("0", "1"):
        raise BadRequest("due must be 0 or 1.")
    jobs = services().jobs
    job, done = jobs.refresh_all(trigger="api", due_only=due == "1")
    if done is None:
        return _accepted(job)
    return jsonify(job.public()), 200


@bp.get("/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    record = services().jobs.record(job_id)
    if record is None:
        raise NotFound(f"There is no job {job_id!r} (jobs are kept for a day).")
    return jsonify(record)


@bp.get("/topics/<slug>/stats")
def topic_stats(slug: str) -> Response:
    """Impressions, clicks, unique clicks and CTR per day, item, page and store."""
    try:
        days = parse_days(request.args.get("days"))
    except ValueError as exc:
        raise BadRequest(str(exc), fields={"days": str(exc)}) from None
    state = stored_state(slug)
    found = services()
    report = topic_report(found.store, state, found.lists.now(), days)
    return jsonify(report_to_dict(report, titles_of(state)))
