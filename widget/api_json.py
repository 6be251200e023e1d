"""The JSON a topic is answered with, by the read and the admin API alike.

The list goes through ``render.display_products``: the API serialises what
the widget would show (the same links, covers and price rules), with the
full product data besides.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import url_for

from widget.embed import snippets
from widget.freshness import freshness
from widget.freshness import topic_status
from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import disclosure_for
from widget.lookup import public_base_url
from widget.models import TopicState
from widget.render import display_products
from widget.render import prices_as_of
from widget.render import shows_prices
from widget.serialize import error_to_dict
from widget.serialize import iso
from widget.serialize import product_to_dict
from widget.serialize import topic_to_dict
from widget.services import services


def topic_summary(state: TopicState) -> dict[str, Any]:
    snapshot = state.snapshot
    return {
        "slug": state.topic.slug,
        "title": state.topic.title,
        "last_update": iso(snapshot.updated_at) if snapshot else None,
        "status": topic_status(state, services().lists.now()),
        "widget_url": public_base_url()
        + url_for("widget.widget_document", slug=state.topic.slug),
    }


def topic_etag(state: TopicState) -> str:
    """The topic's version as an entity tag: what ``If-Match`` sends back."""
    return f'"{state.version}"'


def topic_detail(state: TopicState) -> dict[str, Any]:
    snapshot = state.snapshot
    detail = topic_summary(state) | {
        "topic": topic_to_dict(state.topic),
        "source": snapshot.source.catalog if snapshot else None,
        "disclosure": disclosure_for(DEFAULT_LANGUAGE, current_app.config),
        "error": error_to_dict(state.error) if state.error else None,
        "products": [],
        "prices_as_of": None,
        "embed": snippets(
            public_base_url(),
            state.topic.slug,
            state.topic.title,
            count=state.topic.item_count,
        ).as_json(),
    }
    if snapshot is not None:
        fresh = freshness(snapshot, services().lists.now())
        shown = display_products(
            snapshot.products,
            base_url=public_base_url(),
            show_prices=shows_prices(fresh),
        )
        detail["products"] = [product_to_dict(p) for p in shown]
        priced = prices_as_of(shown, snapshot.updated_at)
        detail["prices_as_of"] = iso(priced) if priced else None
    return detail
