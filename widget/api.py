"""The JSON API, read side: topics and their current lists."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from flask import url_for

from widget.errors import NotFound
from widget.freshness import freshness
from widget.freshness import topic_status
from widget.models import TopicState
from widget.render import is_https
from widget.serialize import error_to_dict
from widget.serialize import iso
from widget.serialize import product_to_dict
from widget.serialize import topic_to_dict
from widget.services import services
from widget.store import TopicNotFound
from widget.views import check_slug

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def topic_summary(state: TopicState) -> dict[str, Any]:
    snapshot = state.snapshot
    return {
        "slug": state.topic.slug,
        "title": state.topic.title,
        "last_update": iso(snapshot.updated_at) if snapshot else None,
        "status": topic_status(state, services().lists.now()),
        "widget_url": url_for(
            "widget.widget_document", slug=state.topic.slug, _external=True
        ),
    }


def topic_detail(state: TopicState) -> dict[str, Any]:
    snapshot = state.snapshot
    detail = topic_summary(state) | {
        "topic": topic_to_dict(state.topic),
        "source": snapshot.source if snapshot else None,
        "disclosure": current_app.config["WIDGET_DISCLOSURE"],
        "error": error_to_dict(state.error) if state.error else None,
        "products": [],
        "prices_as_of": None,
    }
    if snapshot is not None:
        fresh = freshness(snapshot, services().lists.now())
        # Same Associates rules as the widget: no prices past 24 hours.
        show_prices = fresh != "stale"
        detail["products"] = [
            product_to_dict(p)
            | (
                {}
                if show_prices
                else {"price": None, "list_price": None, "saving": None}
            )
            | ({} if p.image and is_https(p.image.url) else {"image": None})
            for p in snapshot.products
            if is_https(p.url)
        ]
        detail["prices_as_of"] = iso(snapshot.updated_at) if show_prices else None
    return detail


@bp.get("/topics")
def list_topics() -> Response:
    states = services().store.list_states()
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
        request.host_url,
    )
    body = lists.memo(key, lambda: json.dumps(topic_detail(state)).encode())
    return Response(
        body,
        mimetype="application/json",
        headers={"Cache-Control": "public, max-age=60"},
    )
