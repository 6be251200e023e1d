"""Which stored lists may be served: only those from the catalog, marketplace
and partner tag configured now.

A list fetched under another source (the stub's demo books after a switch
to Amazon, another store, another partner tag) is not served as current:
the topic counts as having no list, so it is due at once and visitors see
"being prepared" until the new source's list arrives. A link tagged for
another partner is never served, whatever the list says.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from widget.models import Source
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList

#: The catalog name of an open-data list standing in for an API list whose
#: data may no longer be shown (``widget.fallback``).
OPEN_DATA = "open-data"


def same_source(stored: Source, current: Source) -> bool:
    """The catalogs match (or an open-data list stands in for a search
    catalog's), and so do the marketplace and partner tag where
    the stored list recorded them (lists stored before sources were recorded
    name only their catalog)."""
    stands_in = stored.catalog == OPEN_DATA and current.catalog != "manual"
    return (stored.catalog == current.catalog or stands_in) and all(
        mine is None or mine == theirs
        for mine, theirs in (
            (stored.marketplace, current.marketplace),
            (stored.partner_tag, current.partner_tag),
        )
    )


def link_tag(url: str) -> str | None:
    """The partner tag an Amazon link carries (its ``tag`` parameter)."""
    tags = parse_qs(urlsplit(url).query).get("tag")
    return tags[0] if tags else None


def current_snapshot(snapshot: TopList | None, source: Source) -> TopList | None:
    """The snapshot as it may be served under ``source``: None when it came
    from another source; without the products linked for another partner."""
    if snapshot is None or not same_source(snapshot.source, source):
        return None
    if source.partner_tag is None:
        return snapshot
    products = tuple(
        p for p in snapshot.products if link_tag(p.url) in (None, source.partner_tag)
    )
    if len(products) == len(snapshot.products):
        return snapshot
    return replace(snapshot, products=products) if products else None


def topic_source(source: Source, topic: Topic) -> Source:
    """The source a topic's lists come from: the catalog's, with the topic's
    own tracking id as partner tag where it has one (catalogs fetch with it,
    so the links stay exactly as Amazon made them)."""
    if topic.tracking_id is None or source.partner_tag is None:
        return source
    return replace(source, partner_tag=topic.tracking_id)


def serving(state: TopicState, source: Source) -> TopicState:
    """The topic's state as it may be served under ``source``."""
    snapshot = current_snapshot(state.snapshot, source)
    return state if snapshot is state.snapshot else replace(state, snapshot=snapshot)
