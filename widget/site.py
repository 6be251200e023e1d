"""Pages for developers, bloggers and operators: the preview index and /healthz."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import render_template

from widget.catalog.stub import StubCatalog
from widget.freshness import topic_status
from widget.lookup import public_base_url
from widget.models import TopicState
from widget.services import services
from widget.store import StoreError

bp = Blueprint("site", __name__)


@bp.get("/")
def index() -> str:
    found = services()
    return render_template(
        "site/index.html",
        states=found.store.list_states(),
        base_url=public_base_url(),
        catalog=found.catalog.name,
    )


def stub_lists(states: list[TopicState]) -> list[str]:
    """The topics whose stored list came from the stub catalog."""
    return [
        s.topic.slug
        for s in states
        if s.snapshot is not None and s.snapshot.source.catalog == StubCatalog.name
    ]


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
    # Demo lists are never served under another catalog, but say so: they
    # mean the stub is (or was, until each topic's next refresh) in use.
    body["stub_lists"] = len(stub_lists(states))
    body["failing"] = [
        {"slug": s.topic.slug, "kind": s.error.kind, "message": s.error.message}
        for s in states
        if s.error is not None and topic_status(s, now) == "failing"
    ]
    return jsonify(body), 200
