"""The JSON API, read side: topics and their current lists."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import jsonify

from widget.api_json import topic_detail
from widget.api_json import topic_etag
from widget.api_json import topic_summary
from widget.errors import NotFound
from widget.freshness import freshness
from widget.freshness import topic_status
from widget.lookup import check_slug
from widget.lookup import public_base_url
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
    lists = services().lists
    try:
        state = lists.state(slug)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None
    now = lists.now()
    # Everything the JSON depends on is in the key, so it is built once.
    key = (
        "api",
        slug,
        state.version,
        freshness(state.snapshot, now),
        topic_status(state, now),
        public_base_url(),
    )
    body = lists.memo(key, lambda: json.dumps(topic_detail(state)).encode())
    return Response(
        body,
        mimetype="application/json",
        headers={"Cache-Control": "public, max-age=60", "ETag": topic_etag(state)},
    )
