"""The JSON API, read side: topics and their current lists."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from widget.api_json import topic_detail
from widget.api_json import topic_etag
from widget.api_json import topic_summary
from widget.errors import BadRequest
from widget.errors import NotFound
from widget.freshness import freshness
from widget.freshness import topic_status
from widget.lists import ListService
from widget.lookup import check_slug
from widget.lookup import public_base_url
from widget.models import TopicState
from widget.services import services
from widget.store import TopicNotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/topics")
def list_topics() -> Response:
    states = services().lists.states()
    return jsonify({"topics": [topic_summary(s) for s in states]})


@bp.get("/topics/<slug>")
def get_topic(slug: str) -> Response:
    check_slug(slug)
    store = requested_store()
    lists = services().lists
    try:
        state = lists.state(slug, store)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    served = served_store(state, store)
    key = topic_key(lists, state, public_base_url(), served)
    body = lists.memo(
        key, lambda: json.dumps(topic_detail(state) | {"store": served}).encode()
    )
    # widget.hotpath answers the same request when the JSON is built: keep
    # what it sends (topic_headers) the same.
    return Response(body, mimetype="application/json", headers=topic_headers(state))


def topic_key(
    lists: ListService, state: TopicState, base_url: str, served: str
) -> tuple[Any, ...]:
    """Everything a topic's JSON depends on, so it is built once."""
    now = lists.now()
    return (
        "api",
        state.topic.slug,
        state.version,
        freshness(state.snapshot, now),
        topic_status(state, now),
        base_url,
        served,
    )


def topic_headers(state: TopicState) -> list[tuple[str, str]]:
    return [("Cache-Control", "public, max-age=60"), ("ETag", topic_etag(state))]


def requested_store() -> str | None:
    """The ``store`` query parameter: None for the default store.

    :raises BadRequest: for a store that is not configured (the API is
        strict where widgets forgive).
    """
    raw = request.args.get("store")
    choices = services().store_choices
    if raw is None or raw == choices.default:
        return None
    if raw in dict(choices.others):
        return raw
    known = ", ".join([choices.default, *dict(choices.others)])
    raise BadRequest(
        f"No store {raw!r} is configured (stores: {known}).",
        fields={"store": f"one of {known}"},
    )


def served_store(state: TopicState, store: str | None) -> str:
    """The key of the store whose list ``state`` holds: ``store``'s, or the
    default store's while ``store`` has none yet."""
    lists = services().lists
    default = services().store_choices.default
    if store is None or state.snapshot is None:
        return default
    own = lists.refresher.source_for(state.topic, store)
    return store if state.snapshot.source == own else default
