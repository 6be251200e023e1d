"""What every blueprint needs to find: a topic by its slug, and our own
public base URL."""

from __future__ import annotations

import logging
import re

from flask import current_app
from flask import request

from widget.errors import BadRequest
from widget.errors import NotFound
from widget.jobs import JobRecord
from widget.models import TopicState
from widget.models import is_valid_slug
from widget.refresh import RefreshResult
from widget.services import services
from widget.store.base import TopicNotFound

log = logging.getLogger(__name__)


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


def refresh_job(
    slug: str, *, trigger: str, store: str | None = None
) -> tuple[JobRecord, RefreshResult | None]:
    """Refresh one topic for an admin page or the API: the job, and its
    result if it ended within the request's wait (see ``Jobs.refresh``).

    :raises BadRequest: for a malformed slug.
    :raises NotFound: if there is no such topic.
    """
    check_slug(slug)
    try:
        return services().jobs.refresh(slug, trigger=trigger, store=store)
    except TopicNotFound:
        raise NotFound(f"There is no topic called {slug!r}.") from None


#: Host headers trusted without WIDGET_PUBLIC_URL: this machine's own names,
#: as in development (`widget run`) and tests. Anything else could be any
#: client's invention, and public URLs end up in cacheable responses.
LOOPBACK_HOST = re.compile(r"^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$")


def public_base_url() -> str:
    """The service's address for absolute URLs (embed codes, fragment covers,
    the API's ``widget_url``), without a final slash: ``WIDGET_PUBLIC_URL``;
    without it, the request's own origin only on a loopback host, else ""
    (root-relative URLs). Never an arbitrary ``Host`` header.
    """
    found = base_url_for(
        current_app.config["WIDGET_PUBLIC_URL"], request.host, request.host_url
    )
    if found is None:
        if not current_app.extensions.setdefault("public_url_warned", False):
            current_app.extensions["public_url_warned"] = True
            log.warning(
                "WIDGET_PUBLIC_URL is unset: embed codes and fragments use relative"
                " URLs for requests to hosts other than localhost; set it to the"
                " service's public address"
            )
        return ""
    return found


def base_url_for(configured: str | None, host: str, host_url: str) -> str | None:
    """``public_base_url`` for a request to ``host``; None for "relative URLs,
    because the setting is missing" (which the caller warns about)."""
    if configured:
        return configured
    if LOOPBACK_HOST.match(host):
        return host_url.rstrip("/")
    return None
