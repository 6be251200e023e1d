"""What every blueprint needs to find: a topic by its slug, and our own
public base URL."""

from __future__ import annotations

from flask import current_app
from flask import request

from widget.errors import BadRequest
from widget.errors import NotFound
from widget.models import TopicState
from widget.models import is_valid_slug
from widget.services import services


def check_slug(slug: str) -> str:
    """:raises BadRequest: for a slug no topic can have."""
    if not is_valid_slug(slug):
        raise BadRequest(
            "Topic names are lowercase letters, digits and single hyphens,"
            " at most 64 characters (e.g. nasa-artemis)."
        )
    return slug


def stored_state(slug: str) -> TopicState:
    """The topic as stored, without fetching anything.

    :raises BadRequest: for a malformed slug.
    :raises NotFound: if there is no such topic.
    """
    check_slug(slug)
    state = services().store.get_state(slug)
    if state is None:
        raise NotFound(f"There is no topic called {slug!r}.")
    return state


def public_base_url() -> str:
    """``WIDGET_PUBLIC_URL``, else this request's host, without a final slash."""
    configured: str | None = current_app.config["WIDGET_PUBLIC_URL"]
    return configured.rstrip("/") if configured else request.host_url.rstrip("/")
