"""A bounded cache that threads can share.

cachetools caches are not thread-safe (a lookup reorders the LRU list), and
gunicorn's gthread workers serve requests from several threads of one
process: every access goes through one lock, held only for the lookup or
the store, never while a value is built.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Hashable
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Generic
from typing import TypeVar

from cachetools import LRUCache

if TYPE_CHECKING:
    from widget.lists import RenderedWidget

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

    def pop(self, key: K) -> None:
        with self._lock:
            self._cache.pop(key, None)


class PackedLRU(Generic[K]):
    """A LockedLRU of rendered widgets that keeps their bodies compressed,
    with the most recently used few also kept whole.

    A worker caches thousands of widget bodies of about 12 KB of repetitive
    HTML each (a fifth of that compressed), while its traffic goes mostly to
    a few of them: those stay ready to send, the rest cost one decompression
    (tens of microseconds) when asked for again.
    """

    def __init__(self, maxsize: int, hot: int = 64) -> None:
        self._packed: LockedLRU[K, RenderedWidget] = LockedLRU(maxsize)
        self._hot: LockedLRU[K, RenderedWidget] = LockedLRU(min(hot, maxsize))

    def get(self, key: K) -> RenderedWidget | None:
        found = self._hot.get(key)
        if found is None:
            packed = self._packed.get(key)
            if packed is None:
                return None
            found = replace(packed, body=zlib.decompress(packed.body))
            self._hot.put(key, found)
        return found

    def put(self, key: K, value: RenderedWidget) -> None:
        self._packed.put(key, replace(value, body=zlib.compress(value.body, 6)))
        self._hot.put(key, value)
