"""A change counter shared by every process on one host, in a mapped file.

SQLite has no change notification, and reading a topic's version from the
database on every widget request cost more than the rest of a cached
widget's work. So every write also bumps this counter after it commits, and
readers ask the database again only when the counter moved, or when their
answer is a second old: a writer that died between its commit and its bump
cannot leave a worker stale for longer than that.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct

_COUNTER = struct.Struct("=Q")


class ChangeCounter:
    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < _COUNTER.size:
            os.ftruncate(self._fd, _COUNTER.size)
        self._map = mmap.mmap(self._fd, _COUNTER.size)

    def value(self) -> int:
        return int(_COUNTER.unpack_from(self._map)[0])

    def bump(self) -> None:
        # Locked so the counter only ever grows: a reader that saw N before a
        # commit is then sure to see a different value after it.
        fcntl.lockf(self._fd, fcntl.LOCK_EX)
        try:
            _COUNTER.pack_into(self._map, 0, (self.value() + 1) % 2**64)
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)
