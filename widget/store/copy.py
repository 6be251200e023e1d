"""Copy topics, lists, errors and history from one store to another, e.g.
SQLite to Redis when a second host arrives, or back.

Safe to run again: what the target already holds is left alone, a list is
only replaced by a newer one (``save_snapshot``), and history entries the
target has already are not added twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from widget.models import HistoryEntry
from widget.models import TopicState
from widget.serialize import history_to_dict
from widget.store.base import SnapshotStore
from widget.stores import MARKETPLACES

#: Meta keys that travel with the data: "seeded" keeps a removed demo topic
#: from coming back when the service first starts on the new store.
COPIED_META = ("seeded",)
#: More than any store keeps per topic (ListService keeps 50).
HISTORY_LIMIT = 1000


@dataclass
class CopySummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    snapshots: int = 0
    errors: int = 0
    history: int = 0

    def line(self, source: str, target: str) -> str:
        topics = self.added + self.updated + self.unchanged
        return (
            f"Copied {source} to {target}: {topics} topics ({self.added} added,"
            f" {self.updated} updated, {self.unchanged} unchanged),"
            f" {self.snapshots} lists, {self.errors} errors,"
            f" {self.history} history entries"
        )


def copy_store(source: SnapshotStore, target: SnapshotStore) -> CopySummary:
    """:raises StoreError: if either store fails; what was copied stays."""
    summary = CopySummary()
    for state in source.list_states():
        slug = state.topic.slug
        existing = target.get_state(slug)
        if existing is None:
            target.add_topic(state.topic)
            summary.added += 1
        elif existing.topic != state.topic:
            target.update_topic(state.topic)
            summary.updated += 1
        else:
            summary.unchanged += 1
        _copy_list(state, existing, target, None, summary)
        _copy_store_lists(source, target, slug, summary)
        summary.history += _copy_history(source, target, slug)
    for key in COPIED_META:
        value = source.get_meta(key)
        if value is not None and target.get_meta(key) != value:
            target.set_meta(key, value)
    return summary


def _copy_store_lists(
    source: SnapshotStore, target: SnapshotStore, slug: str, summary: CopySummary
) -> None:
    """Each other Amazon store's list and error of the topic (every store
    key is looked at: the copy needs no settings)."""
    for key in MARKETPLACES:
        state = source.get_state(slug, key)
        if state is None:
            return  # removed meanwhile
        existing = target.get_state(slug, key)
        _copy_list(state, existing, target, key, summary)


def _copy_list(
    state: TopicState,
    existing: TopicState | None,
    target: SnapshotStore,
    store: str | None,
    summary: CopySummary,
) -> None:
    """The list (of ``store``) and its error, where the target's is older."""
    held = existing.snapshot if existing else None
    if state.snapshot is not None and state.snapshot != held:
        if target.save_snapshot(state.snapshot, store):
            summary.snapshots += 1
            held = state.snapshot
    error = state.error
    if (
        error is not None
        and (existing is None or existing.error != error)
        and (held is None or error.at >= held.updated_at)
    ):
        target.record_error(state.topic.slug, error, store)
        summary.errors += 1


def _copy_history(source: SnapshotStore, target: SnapshotStore, slug: str) -> int:
    def key(entry: HistoryEntry) -> str:
        return json.dumps(history_to_dict(entry), sort_keys=True)

    have = {key(e) for e in target.history(slug, limit=HISTORY_LIMIT)}
    missing = [
        e for e in source.history(slug, limit=HISTORY_LIMIT) if key(e) not in have
    ]
    for entry in reversed(missing):  # oldest first, so newest stays on top
        target.add_history(entry, keep=max(50, len(missing)))
    return len(missing)
