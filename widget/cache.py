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

    A worker caches thousands of widget bodies of about 17 KB of repetitive
    HTML each, while its traffic goes mostly to a few of them: those stay
    ready to send, the rest cost one decompression (tens of microseconds)
    when asked for again. Every widget shares its styles and markup with
    every other, so the first full body becomes a preset dictionary for the
    rest: each then keeps only what is its own (0.9 KB compressed instead of
    3.9 KB, bench/bench_memory.py).
    """

    def __init__(self, maxsize: int, hot: int = 64) -> None:
        self._packed: LockedLRU[K, tuple[RenderedWidget, bytes]] = LockedLRU(maxsize)
        self._hot: LockedLRU[K, RenderedWidget] = LockedLRU(min(hot, maxsize))
        #: what every body is compressed against (zlib's window: 32 KiB)
        self._shared = b""

    def get(self, key: K) -> RenderedWidget | None:
        found = self._hot.get(key)
        if found is None:
            packed = self._packed.get(key)
            if packed is None:
                return None
            value, shared = packed
            unpack = zlib.decompressobj(zdict=shared)
            found = replace(value, body=unpack.decompress(value.body) + unpack.flush())
            self._hot.put(key, found)
        return found

    def put(self, key: K, value: RenderedWidget) -> None:
        if not self._shared and value.has_list:
            self._shared = value.body[-ZLIB_WINDOW:]
        # Each entry keeps the dictionary it was packed with (the same bytes
        # object for all but the few packed before there was one).
        shared = self._shared
        pack = zlib.compressobj(6, zdict=shared)
        body = pack.compress(value.body) + pack.flush()
        self._packed.put(key, (replace(value, body=body), shared))
        self._hot.put(key, value)


ZLIB_WINDOW = 32 * 1024
