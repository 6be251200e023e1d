"""The per-app services (store, catalog, list service), built once in
``create_app`` and reached through ``services()``; no module-level state."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from flask import Flask
from flask import current_app

from widget.analytics import Analytics
from widget.catalog import Catalog
from widget.catalog import StubCatalog
from widget.catalog import make_catalog
from widget.catalog import make_manual_catalog
from widget.catalog import make_store_catalogs
from widget.config import ConfigError
from widget.config import longest_fetch
from widget.freshness import utc_now
from widget.jobs import Jobs
from widget.lists import ListService
from widget.models import Topic
from widget.params import StoreChoices
from widget.render import render_widget
from widget.store import SnapshotStore
from widget.store import StoreError
from widget.store import TopicExists
from widget.store import make_store
from widget.stores import build_stores

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
    jobs: Jobs
    analytics: Analytics
    #: the stores widgets may ask for with ``store=``
    store_choices: StoreChoices = field(default_factory=StoreChoices)


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
    shops = build_stores(config)
    store_catalogs = make_store_catalogs(config, store)

    lists = ListService(
        store,
        catalog,
        functools.partial(render_widget, app),
        now=clock or utc_now,
        cache_size=config["WIDGET_CACHE_SIZE"],
        lease_ttl=config["WIDGET_LEASE_TTL"],
        first_visit_wait=config["WIDGET_FIRST_VISIT_WAIT"],
        manual=make_manual_catalog(config),
        stores=store_catalogs,
    )
    if catalog.name == "amazon" and longest_fetch(config) >= lists.lease_ttl:
        log.warning(
            "WIDGET_LEASE_TTL=%g is shorter than the longest catalog fetch (%gs):"
            " a second worker may take a topic over mid-fetch",
            lists.lease_ttl,
            longest_fetch(config),
        )
    analytics = Analytics(
        store,
        keep_days=config["WIDGET_ANALYTICS_DAYS"],
        now=clock or utc_now,
        store_keys=tuple(store_catalogs),
    )
    found = Services(
        config=config,
        store=store,
        catalog=catalog,
        lists=lists,
        jobs=Jobs(lists),
        analytics=analytics,
        store_choices=StoreChoices(
            next(iter(shops)),
            tuple((key, shop.lang) for key, shop in shops.items() if not shop.default),
        ),
    )
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


def announce(found: Services) -> None:
    """What an operator must see when the service starts serving."""
    if isinstance(found.catalog, StubCatalog):
        found.catalog.announce()


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
