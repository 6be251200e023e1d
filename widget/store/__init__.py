"""Snapshot stores, chosen by the ``WIDGET_STORE`` URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicExists
from widget.store.base import TopicNotFound
from widget.store.sqlite import SQLiteStore

__all__ = [
    "SnapshotStore",
    "StoreError",
    "TopicExists",
    "TopicNotFound",
    "make_store",
    "SQLiteStore",
]


def make_store(url: str) -> SnapshotStore:
    """Open the store a ``WIDGET_STORE`` URL names.

    :raises ValueError: for a URL no store understands.
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite://")
        # sqlite:///relative/path -> "/relative/path" after the prefix; three
        # slashes mean relative to the working folder, four mean absolute.
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise ValueError("WIDGET_STORE: sqlite URL needs a path")
        return SQLiteStore(path)
    raise ValueError(
        f"WIDGET_STORE: unsupported store URL scheme {scheme!r}"
        " (use sqlite:///path or redis://host:port/db)"
    )
