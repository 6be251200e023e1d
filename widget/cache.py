"""A bounded cache that threads can share.

cachetools caches are not thread-safe (a lookup reorders the LRU list), and
gunicorn's gthread workers serve requests from several threads of one
process: every access goes through one lock, held only for the lookup or
the store, never while a value is built.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic
from typing import TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LockedLRU(Generic[K, V]):
    def __init__(self, maxsize: int) -> None:
        self._cache: LRUCache[K, V] = LRUCache(maxsize)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._cache.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._cache[key] = value
