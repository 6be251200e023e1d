"""Pages for developers, bloggers and operators: the preview index and /healthz."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import render_template

from widget.embed import snippets
from widget.freshness import topic_status
from widget.lookup import public_base_url
from widget.services import services
from widget.store import StoreError

bp = Blueprint("site", __name__)


@bp.get("/")
def index() -> str:
    found = services()
    base_url = public_base_url()
    topics = [
        (state, snippets(base_url, s.slug, s.title, count=s.item_count))
        for state in found.store.list_states()
        for s in (state.topic,)
    ]
    return render_template(
        "site/index.html",
        topics=topics,
        base_url=base_url,
        catalog=found.catalog.name,
    )


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    found = services()
    body: dict[str, Any] = {
        "status": "ok",
        "catalog": found.catalog.name,
        "store": found.store.name,
        "store_ok": True,
    }
    try:
        states = found.store.list_states()
    except StoreError as exc:
        body.update(status="degraded", store_ok=False, store_error=str(exc))
        return jsonify(body), 503
    now = services().lists.now()
    body["topics"] = len(states)
    body["failing"] = [
        {"slug": s.topic.slug, "kind": s.error.kind, "message": s.error.message}
        for s in states
        if s.error is not None and topic_status(s, now) == "failing"
    ]
    return jsonify(body), 200
