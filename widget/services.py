"""The per-app services (store, catalog, list service), built once in
``create_app`` and reached through ``services()``; no module-level state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from flask import Flask
from flask import current_app
from flask import render_template

from widget.catalog import Catalog
from widget.catalog import make_catalog
from widget.config import ConfigError
from widget.freshness import utc_now
from widget.lists import ListService
from widget.lists import Variant
from widget.models import Topic
from widget.models import TopicState
from widget.render import widget_context
from widget.store import SnapshotStore
from widget.store import StoreError
from widget.store import TopicExists
from widget.store import make_store

if TYPE_CHECKING:
    from widget.metrics import Metrics

log = logging.getLogger(__name__)

DEMO_TOPICS = (
    Topic(slug="nasa-artemis", title="NASA Artemis", keywords="nasa artemis"),
    Topic(slug="science-fiction", title="Science Fiction", keywords="science fiction"),
)


@dataclass
class Services:
    config: Mapping[str, Any]
    store: SnapshotStore
    catalog: Catalog
    lists: ListService
    metrics: Metrics = field(init=False)


def services() -> Services:
    found: Services = current_app.extensions["widget"]
    return found


def init_app(
    app: Flask,
    *,
    catalog: Catalog | None = None,
    store: SnapshotStore | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Services:
    config = app.config
    if store is None:
        try:
            store = make_store(config["WIDGET_STORE"])
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if catalog is None:
        catalog = make_catalog(config, store)

    def render(state: TopicState, variant: Variant, now: datetime, fresh: str) -> bytes:
        context = widget_context(state, variant, now, fresh, config)
        template = (
            "widget/fragment.html"
            if variant.kind == "fragment"
            else "widget/document.html"
        )
        with app.app_context():
            return render_template(template, **context).encode("utf-8")

    lists = ListService(
        store,
        catalog,
        render,
        now=clock or utc_now,
        cache_size=config["WIDGET_CACHE_SIZE"],
        lease_ttl=config["WIDGET_LEASE_TTL"],
    )
    found = Services(config=config, store=store, catalog=catalog, lists=lists)
    app.extensions["widget"] = found
    if config["WIDGET_SEED_DEMO"]:
        try:
            seed_demo_topics(store, config)
        except StoreError as exc:
            # Start anyway (gunicorn would otherwise stop every worker): the
            # service recovers by itself when the store is back; seeding
            # happens on the next start that can reach it.
            log.error("store unreachable at start-up, demo topics not seeded: %s", exc)
    return found


def seed_demo_topics(store: SnapshotStore, config: Mapping[str, Any]) -> None:
    """Add the demo topics on the very first start, never again (an admin
    who removes them keeps them removed)."""
    if store.get_meta("seeded"):
        return
    for topic in DEMO_TOPICS:
        try:
            store.add_topic(
                topic.with_changes(refresh_interval=config["WIDGET_REFRESH_INTERVAL"])
            )
        except TopicExists:
            pass  # another worker seeded it a moment ago
    store.set_meta("seeded", "1")
    log.info("seeded demo topics: %s", ", ".join(t.title for t in DEMO_TOPICS))
