"""Snapshot stores, chosen by the ``WIDGET_STORE`` URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicExists
from widget.store.base import TopicNotFound
from widget.store.base import VersionConflict
from widget.store.sqlite import SQLiteStore

__all__ = [
    "SnapshotStore",
    "StoreError",
    "TopicExists",
    "TopicNotFound",
    "VersionConflict",
    "make_store",
    "SQLiteStore",
]


def make_store(url: str) -> SnapshotStore:
    """Open the store a ``WIDGET_STORE`` URL names: ``sqlite:///path``,
    ``redis://[:password@]host:port/db`` or ``rediss://...`` (TLS; options
    such as ``?ssl_ca_certs=/path/ca.pem`` go in the query).

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
    if scheme in ("redis", "rediss"):
        # Imported here so a SQLite-only deployment never loads redis-py.
        from widget.store.redis import RedisStore

        return RedisStore.from_url(url)
    raise ValueError(
        f"WIDGET_STORE: unsupported store URL scheme {scheme!r}"
        " (use sqlite:///path, redis://host:port/db or rediss://host:port/db)"
    )
