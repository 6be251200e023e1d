"""How old a list is, and what that means: price rules, schedule, status.

Pure functions of a topic's state and the time, shared by the list service,
the schedule, the API, the admin pages and the metrics.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from widget.models import TopicState
from widget.models import TopList

#: Amazon: prices older than this carry their "as of" time and a disclaimer.
PRICE_AS_OF_AFTER = timedelta(hours=1)
#: Amazon: product data older than this may not be shown with prices.
MAX_DATA_AGE = timedelta(hours=24)
#: The schedule retries a failing topic this soon (or at its interval if shorter).
FAILING_RETRY_AFTER = timedelta(minutes=15)


def utc_now() -> datetime:
    return datetime.now(UTC)


def freshness(snapshot: TopList | None, now: datetime) -> str:
    """``fresh`` (< 1 h), ``aging`` (prices need an "as of"), ``stale`` (> 24 h,
    no prices) or ``missing``."""
    if snapshot is None:
        return "missing"
    return freshness_at(snapshot.updated_at, now)


def freshness_at(updated_at: datetime, now: datetime) -> str:
    """``freshness`` of a list fetched at ``updated_at``."""
    age = now - updated_at
    if age >= MAX_DATA_AGE:
        return "stale"
    return "aging" if age >= PRICE_AS_OF_AFTER else "fresh"


def next_refresh_at(state: TopicState) -> datetime | None:
    """When the schedule will next refresh this topic; None means now."""
    interval = min(state.topic.refresh_interval, MAX_DATA_AGE)
    if state.error is not None and state.last_attempt is not None:
        # Failing topics retry sooner than their interval, but not in a loop.
        return state.last_attempt + min(interval, FAILING_RETRY_AFTER)
    if state.snapshot is None:
        return None
    return state.snapshot.updated_at + interval


def is_due(state: TopicState, now: datetime) -> bool:
    """Whether the schedule should refresh this topic now."""
    if state.snapshot is None and state.error is None:
        return True
    due_at = next_refresh_at(state)
    return due_at is None or now >= due_at


def topic_status(state: TopicState, now: datetime) -> str:
    """``pending`` (no list yet), ``failing`` (last refresh failed), ``stale``
    (older than its interval or 24 h) or ``fresh``: what admins see."""
    snapshot = state.snapshot
    if state.error is not None and (
        snapshot is None or state.error.at >= snapshot.updated_at
    ):
        return "failing"
    if snapshot is None:
        return "pending"
    age = now - snapshot.updated_at
    if age >= min(state.topic.refresh_interval, MAX_DATA_AGE):
        return "stale"
    return "fresh"
