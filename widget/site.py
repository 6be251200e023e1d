"""Pages for developers, bloggers and operators: the preview index and /healthz."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import render_template

from widget import auth
from widget.catalog.stub import StubCatalog
from widget.embed import snippets
from widget.freshness import topic_status
from widget.lookup import public_base_url
from widget.models import TopicState
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


def stub_lists(states: list[TopicState]) -> list[str]:
    """The topics whose stored list came from the stub catalog."""
    return [
        s.topic.slug
        for s in states
        if s.snapshot is not None and s.snapshot.source.catalog == StubCatalog.name
    ]


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness for anyone; the store's name, its error and the failing
    topics only with the admin token (``Authorization: Bearer``): error
    texts can name hosts."""
    found = services()
    details = auth.bearer_is_admin(required=False)
    body: dict[str, Any] = {
        "status": "ok",
        "catalog": found.catalog.name,
        "store_ok": True,
    }
    try:
        states = found.store.list_states()
    except StoreError as exc:
        body.update(status="degraded", store_ok=False)
        if details:
            body.update(store=found.store.name, store_error=str(exc))
        return jsonify(body), 503
    # Demo lists are never served under another catalog, but say so: they
    # mean the stub is (or was, until each topic's next refresh) in use.
    body["stub_lists"] = len(stub_lists(states))
    if details:
        now = found.lists.now()
        body["store"] = found.store.name
        body["topics"] = len(states)
        body["failing"] = [
            {"slug": s.topic.slug, "kind": s.error.kind, "message": s.error.message}
            for s in states
            if s.error is not None and topic_status(s, now) == "failing"
        ]
    return jsonify(body), 200
