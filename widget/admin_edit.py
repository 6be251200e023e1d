"""Saving an admin's edit form without losing what someone else saved meanwhile.

The form carries the topic's version and the values it showed. On saving,
only the fields this admin changed are applied, to the topic as it is now,
by the store's compare-and-set (``SnapshotStore.change_topic``). If the
version moved on, the fields someone else changed are kept unless this
admin changed the same field to something else: then nothing is saved and
the form comes back with the admin's values and what is saved now.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from widget.models import Topic
from widget.models import TopicState
from widget.store.base import SnapshotStore

VERSION_FIELD = "version"
BASE_FIELD = "base"


class EditConflict(Exception):
    """Someone else saved other values for fields this admin changed too."""

    def __init__(self, theirs: dict[str, str]) -> None:
        super().__init__(", ".join(theirs))
        #: field -> the value saved now, for each field in conflict
        self.theirs = theirs


@dataclass(frozen=True)
class SavedEdit:
    version: int
    #: fields someone else changed meanwhile, kept as they saved them
    kept: tuple[str, ...]


def form_base(state: TopicState, values: dict[str, str]) -> dict[str, str]:
    """The hidden fields an edit form carries: what it was made from."""
    return {VERSION_FIELD: str(state.version), BASE_FIELD: json.dumps(values)}


def _read_base(version: str, base: str) -> tuple[int, dict[str, str]] | None:
    try:
        shown = json.loads(base)
        number = int(version)
    except ValueError:
        return None
    if not isinstance(shown, dict) or not all(
        isinstance(v, str) for v in shown.values()
    ):
        return None
    return number, shown


def save_edit(
    store: SnapshotStore,
    slug: str,
    typed: dict[str, str],
    *,
    version: str,
    base: str,
    values_of: Callable[[Topic], dict[str, str]],
    build: Callable[[dict[str, str], Topic], Topic],
) -> SavedEdit:
    """Apply the fields the admin changed; ``build`` turns them into the new
    topic (and raises for invalid input).

    :raises EditConflict: when someone else changed the same field.
    :raises TopicNotFound:
    """
    read = _read_base(version, base)
    # A form without its base (an old page) saves every field, as before.
    mine = (
        typed
        if read is None
        else {k: v for k, v in typed.items() if read[1].get(k) != v}
    )
    kept: list[str] = []

    def change(current: TopicState) -> Topic:
        kept.clear()
        if read is not None and current.version != read[0]:
            now = values_of(current.topic)
            theirs = [k for k in now if k in read[1] and now[k] != read[1][k]]
            clash = {k: now[k] for k in theirs if k in mine and mine[k] != now[k]}
            if clash:
                raise EditConflict(clash)
            kept.extend(k for k in theirs if k not in mine)
        return build(mine, current.topic)

    new_version = store.change_topic(slug, change)
    return SavedEdit(new_version, tuple(kept))
