"""What the admin pages show about a topic, in words a blogger reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from widget.fallback import topic_mode
from widget.freshness import next_refresh_at
from widget.freshness import topic_status
from widget.models import TopicState
from widget.serialize import iso

#: What each kind of refresh error means for the admin, before the details.
ERROR_HINTS = {
    "config": "Amazon refused our settings; check the credential and partner tag.",
    "not_eligible": "Amazon withdrew API access (too few sales); it is retried.",
    "credentials": "Amazon refused the credential; check its ID, secret and version.",
    "unavailable": "Amazon could not be reached; it will be retried.",
    "throttled": "Amazon asked us to slow down; it will be retried.",
    "bad_response": "Amazon answered something we could not read.",
    "budget": "Our daily request budget is spent; it will be retried.",
    "no_results": "The search found no books; try other keywords.",
    "internal": "A bug in the catalog adapter; see the server log.",
}


@dataclass(frozen=True)
class TopicRow:
    slug: str
    title: str
    items: int
    status: str
    last_update: str | None
    age: str | None
    next_refresh: str
    error: str | None
    mode: str  #: where the list comes from: API, manual or open data
    mode_why: str


def duration_words(delta: timedelta) -> str:
    """The two largest units of a duration: "3 hours 5 minutes"."""
    rd = relativedelta(seconds=int(abs(delta.total_seconds()))).normalized()
    units = [
        (rd.days, "day"),
        (rd.hours, "hour"),
        (rd.minutes, "minute"),
        (rd.seconds, "second"),
    ]
    parts = [f"{n} {name}{'' if n == 1 else 's'}" for n, name in units if n]
    return " ".join(parts[:2]) or "0 seconds"


def age_words(then: datetime, now: datetime) -> str:
    if now - then < timedelta(minutes=1):
        return "just now"
    return duration_words(now - then) + " ago"


def next_refresh_words(state: TopicState, now: datetime) -> str:
    due_at = next_refresh_at(state)
    if due_at is None or due_at <= now:
        return "due now"
    return "in " + duration_words(due_at - now)


def error_words(state: TopicState) -> str | None:
    if state.error is None:
        return None
    hint = ERROR_HINTS.get(state.error.kind, "The last refresh failed.")
    return f"{hint} ({state.error.message}, {iso(state.error.at)})"


def topic_row(state: TopicState, now: datetime) -> TopicRow:
    snapshot = state.snapshot
    mode, why = topic_mode(state)
    return TopicRow(
        slug=state.topic.slug,
        title=state.topic.title,
        items=len(snapshot.products) if snapshot else 0,
        status=topic_status(state, now),
        last_update=iso(snapshot.updated_at) if snapshot else None,
        age=age_words(snapshot.updated_at, now) if snapshot else None,
        next_refresh=next_refresh_words(state, now),
        error=error_words(state),
        mode=mode,
        mode_why=why,
    )
