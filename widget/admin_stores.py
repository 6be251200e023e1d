"""The admin's view of a topic's lists in the other Amazon stores: each
store's status, age and last error, and refreshing one store or all.

Store refreshes run in the background; a page waits for them at most
``REFRESH_REQUEST_WAIT`` seconds, as for any admin refresh."""

from __future__ import annotations

from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime

from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.wrappers import Response as BaseResponse

from widget.admin_table import TopicRow
from widget.admin_table import topic_row
from widget.config import REFRESH_REQUEST_WAIT
from widget.errors import NotFound
from widget.lists import ListService
from widget.lookup import stored_state
from widget.refresh import RefreshResult
from widget.services import services


def store_rows(
    lists: ListService, slug: str, now: datetime
) -> list[tuple[str, TopicRow]]:
    """Each other store's list of the topic, as the admin table shows it."""
    refresher = lists.refresher
    rows = []
    for key in refresher.stores:
        state = lists.store.get_state(slug, key)
        if state is None or not refresher.per_store(state, key):
            continue
        rows.append((key, topic_row(refresher.serving(state, key), now)))
    return rows


def every_store_row(
    lists: ListService, slugs: list[str], now: datetime
) -> dict[str, list[tuple[str, TopicRow]]]:
    if not lists.refresher.stores:
        return {}
    return {slug: store_rows(lists, slug, now) for slug in slugs}


def refresh_stores(slug: str) -> BaseResponse:
    """Refresh the topic in one store (form field ``store``) or all."""
    state = stored_state(slug)
    lists = services().lists
    key = request.form.get("store") or None
    if key is not None and key not in lists.refresher.stores:
        raise NotFound(f"There is no store {key!r}.")
    keys = [key] if key else list(lists.refresher.stores)

    def work() -> list[RefreshResult]:
        return [lists.refresher.refresh(slug, "admin", None, k) for k in keys]

    future = lists.background.submit(f"admin-stores:{slug}:{key or '*'}", work)
    title = state.topic.title
    try:
        results = future.result(timeout=REFRESH_REQUEST_WAIT)
    except FutureTimeout:
        flash(f"{title}: the stores are still being refreshed.", "warning")
        return redirect(url_for("admin.topic", slug=slug))
    for result in results:
        where = f"{title} [{result.store}]"
        if result.outcome.ok:
            flash(f"{where}: refreshed, {result.items_changed} changed.")
        elif result.error is not None:
            message = f"{where}: refresh failed ({result.error.message})."
            flash(message + " Its last good list stays.", "error")
        else:
            flash(f"{where}: {result.outcome.value}.", "warning")
    return redirect(url_for("admin.topic", slug=slug))
