"""SQLite snapshot store: the default, for one host with any number of workers.

Each thread keeps its own connection (sqlite3 connections are not shared
across threads). WAL mode lets readers go on while a refresh writes, and
every write is one ``BEGIN IMMEDIATE`` transaction, so a crash mid-write
leaves the previous list intact, never half a list.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from widget.config import SQLITE_BUSY_TIMEOUT
from widget.models import HistoryEntry
from widget.models import RefreshError
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList
from widget.serialize import error_to_dict
from widget.serialize import history_from_dict
from widget.serialize import history_to_dict
from widget.serialize import iso
from widget.serialize import state_from_stored
from widget.serialize import topic_to_dict
from widget.serialize import toplist_to_dict
from widget.store.base import Clock
from widget.store.base import SnapshotStore
from widget.store.base import StoreError
from widget.store.base import TopicExists
from widget.store.base import TopicNotFound
from widget.store.base import VersionConflict
from widget.store.base import days_before
from widget.store.changes import ChangeCounter

#: Expired claims and budget windows are deleted at most this often
#: (seconds), not on every write.
CLAIMS_PRUNE_EVERY = 60.0
#: The longest budget window in use (a day: WIDGET_AMAZON_TPD).
BUDGET_LONGEST_WINDOW = 86400

SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    snapshot TEXT,
    snapshot_at TEXT,
    error TEXT,
    last_attempt TEXT
);
CREATE TABLE IF NOT EXISTS store_lists (
    slug TEXT NOT NULL,
    store TEXT NOT NULL,
    snapshot TEXT,
    snapshot_at TEXT,
    error TEXT,
    last_attempt TEXT,
    PRIMARY KEY (slug, store)
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_slug ON history (slug, id);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS budget (
    bucket TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE TABLE IF NOT EXISTS revoked (key TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS slots (bucket TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_expires ON claims (expires);
CREATE TABLE IF NOT EXISTS daily_counts (
    slug TEXT NOT NULL,
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (slug, day, name)
);
CREATE INDEX IF NOT EXISTS daily_counts_day ON daily_counts (day);
INSERT OR IGNORE INTO meta (key, value) VALUES ('sequence', '0');
"""


#: Pages each connection keeps in memory, in KiB.
PAGE_CACHE_KIB = 256


class SQLiteStore(SnapshotStore):
    name = "sqlite"

    #: How long a version read from the database may be trusted while the
    #: change counter stands still.
    VERSION_MAX_AGE = 1.0

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = SQLITE_BUSY_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = str(path)
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._clock = clock
        # slug -> (change counter when read, version, when read)
        self._versions: dict[str, tuple[int, int | None, float]] = {}
        self._changes: ChangeCounter | None = None
        self._claims_pruned = 0.0
        self._budget_pruned = 0.0
        self._counts_pruned = ""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._changes = ChangeCounter(self.path + "-changes")
        try:
            self._connection().executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot set up SQLite store {self.path}: {exc}") from exc

    # -- connections --------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(
                    self.path, timeout=self._busy_timeout, isolation_level=None
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                # Each of a worker's threads has a connection, and each kept
                # up to 2 MiB of pages (SQLite's default); the OS caches the
                # file for all of them anyway (bench/bench_memory.py).
                db.execute(f"PRAGMA cache_size={-PAGE_CACHE_KIB}")
            except sqlite3.Error as exc:
                raise StoreError(
                    f"cannot open SQLite store {self.path}: {exc}"
                ) from exc
            self._local.db = db
        return db

    @contextmanager
    def _write(self, *, versions: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction; ``versions`` says it may change topic versions,
        which other workers learn of through the change counter."""
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite store write failed: {exc}") from exc
        if versions and self._changes is not None:
            self._changes.bump()

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        try:
            rows: list[sqlite3.Row] = self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite store read failed: {exc}") from exc
        return rows

    @staticmethod
    def _next_version(db: sqlite3.Connection) -> int:
        row = db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1"
            " WHERE key = 'sequence' RETURNING value"
        ).fetchone()
        return int(row[0])

    # -- topics -------------------------------------------------------------
    def add_topic(self, topic: Topic) -> None:
        with self._write(versions=True) as db:
            exists = db.execute("SELECT 1 FROM topics WHERE slug = ?", (topic.slug,))
            if exists.fetchone():
                raise TopicExists(topic.slug)
            db.execute(
                "INSERT INTO topics (slug, title, data, version) VALUES (?, ?, ?, ?)",
                (
                    topic.slug,
                    topic.title,
                    json.dumps(topic_to_dict(topic)),
                    self._next_version(db),
                ),
            )

    def update_topic(self, topic: Topic, *, if_version: int | None = None) -> int:
        with self._write(versions=True) as db:
            row = db.execute(
                "SELECT version FROM topics WHERE slug = ?", (topic.slug,)
            ).fetchone()
            if row is None:
                raise TopicNotFound(topic.slug)
            if if_version is not None and int(row[0]) != if_version:
                raise VersionConflict(topic.slug)
            version = self._next_version(db)
            db.execute(
                "UPDATE topics SET title = ?, data = ?, version = ? WHERE slug = ?",
                (topic.title, json.dumps(topic_to_dict(topic)), version, topic.slug),
            )
        return version

    def remove_topic(self, slug: str) -> None:
        with self._write(versions=True) as db:
            if not db.execute("DELETE FROM topics WHERE slug = ?", (slug,)).rowcount:
                raise TopicNotFound(slug)
            db.execute("DELETE FROM history WHERE slug = ?", (slug,))
            db.execute("DELETE FROM store_lists WHERE slug = ?", (slug,))
            self._next_version(db)

    _STATE_COLUMNS = "data, version, snapshot, error, last_attempt"

    @staticmethod
    def _state(row: sqlite3.Row) -> TopicState:
        return state_from_stored(*row)

    def get_state(self, slug: str, store: str | None = None) -> TopicState | None:
        if store is not None:
            rows = self._read(
                "SELECT t.data, t.version, s.snapshot, s.error, s.last_attempt"
                " FROM topics t LEFT JOIN store_lists s"
                " ON s.slug = t.slug AND s.store = ? WHERE t.slug = ?",
                (store, slug),
            )
            return self._state(rows[0]) if rows else None
        rows = self._read(
            f"SELECT {self._STATE_COLUMNS} FROM topics WHERE slug = ?", (slug,)
        )
        return self._state(rows[0]) if rows else None

    def list_states(self) -> list[TopicState]:
        return list(self.iter_states())

    def iter_states(self) -> Iterator[TopicState]:
        rows = self._read(
            f"SELECT {self._STATE_COLUMNS} FROM topics ORDER BY title COLLATE NOCASE"
        )
        return map(self._state, rows)

    def version(self, slug: str) -> int | None:
        now = self._clock()
        if self._changes is not None:
            seen = self._changes.value()  # read before the query, not after
            cached = self._versions.get(slug)
            if (
                cached is not None
                and cached[0] == seen
                and now - cached[2] < self.VERSION_MAX_AGE
            ):
                return cached[1]
        rows = self._read("SELECT version FROM topics WHERE slug = ?", (slug,))
        version = int(rows[0][0]) if rows else None
        if self._changes is not None:
            if len(self._versions) > 10_000:  # bounded: slugs come from URLs
                self._versions.clear()
            self._versions[slug] = (seen, version, now)
        return version

    # -- snapshots ----------------------------------------------------------
    def save_snapshot(self, snapshot: TopList, store: str | None = None) -> int | None:
        if store is not None:
            return self._save_store_snapshot(snapshot, store)
        stamp = iso(snapshot.updated_at)
        with self._write(versions=True) as db:
            row = db.execute(
                "SELECT snapshot_at FROM topics WHERE slug = ?", (snapshot.slug,)
            ).fetchone()
            if row is None or (row[0] is not None and row[0] > stamp):
                return None
            version = self._next_version(db)
            db.execute(
                "UPDATE topics SET snapshot = ?, snapshot_at = ?, error = NULL,"
                " last_attempt = ?, version = ? WHERE slug = ?",
                (
                    json.dumps(toplist_to_dict(snapshot)),
                    stamp,
                    stamp,
                    version,
                    snapshot.slug,
                ),
            )
        return version

    def _save_store_snapshot(self, snapshot: TopList, store: str) -> int | None:
        stamp = iso(snapshot.updated_at)
        with self._write(versions=True) as db:
            row = db.execute(
                "SELECT t.slug, s.snapshot_at FROM topics t LEFT JOIN store_lists s"
                " ON s.slug = t.slug AND s.store = ? WHERE t.slug = ?",
                (store, snapshot.slug),
            ).fetchone()
            if row is None or (row[1] is not None and row[1] > stamp):
                return None
            version = self._next_version(db)
            db.execute(
                "INSERT INTO store_lists (slug, store, snapshot, snapshot_at, error,"
                " last_attempt) VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (slug, store)"
                " DO UPDATE SET snapshot = excluded.snapshot, snapshot_at ="
                " excluded.snapshot_at, error = NULL, last_attempt ="
                " excluded.last_attempt",
                (
                    snapshot.slug,
                    store,
                    json.dumps(toplist_to_dict(snapshot)),
                    stamp,
                    stamp,
                ),
            )
            db.execute(
                "UPDATE topics SET version = ? WHERE slug = ?", (version, snapshot.slug)
            )
        return version

    def _record_store_error(
        self, slug: str, error: RefreshError, store: str
    ) -> int | None:
        with self._write(versions=True) as db:
            version = self._next_version(db)
            if not db.execute(
                "UPDATE topics SET version = ? WHERE slug = ?", (version, slug)
            ).rowcount:
                return None
            db.execute(
                "INSERT INTO store_lists (slug, store, error, last_attempt)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (slug, store) DO UPDATE SET"
                " error = excluded.error, last_attempt = excluded.last_attempt",
                (slug, store, json.dumps(error_to_dict(error)), iso(error.at)),
            )
        return version

    def record_error(
        self, slug: str, error: RefreshError, store: str | None = None
    ) -> int | None:
        if store is not None:
            return self._record_store_error(slug, error, store)
        with self._write(versions=True) as db:
            version = self._next_version(db)
            changed = db.execute(
                "UPDATE topics SET error = ?, last_attempt = ?, version = ?"
                " WHERE slug = ?",
                (json.dumps(error_to_dict(error)), iso(error.at), version, slug),
            ).rowcount
        return version if changed else None

    # -- history ------------------------------------------------------------
    def add_history(self, entry: HistoryEntry, keep: int = 50) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO history (slug, data) VALUES (?, ?)",
                (entry.slug, json.dumps(history_to_dict(entry))),
            )
            db.execute(
                "DELETE FROM history WHERE slug = ? AND id NOT IN"
                " (SELECT id FROM history WHERE slug = ? ORDER BY id DESC LIMIT ?)",
                (entry.slug, entry.slug, keep),
            )

    def history(self, slug: str, limit: int = 20) -> list[HistoryEntry]:
        rows = self._read(
            "SELECT data FROM history WHERE slug = ? ORDER BY id DESC LIMIT ?",
            (slug, limit),
        )
        return [history_from_dict(json.loads(row[0])) for row in rows]

    # -- coordination -------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        now = time.time()
        with self._write() as db:
            row = db.execute(
                "SELECT holder, expires FROM leases WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            db.execute(
                "INSERT OR REPLACE INTO leases (name, holder, expires)"
                " VALUES (?, ?, ?)",
                (name, holder, now + ttl),
            )
        return True

    def release_lease(self, name: str, holder: str) -> None:
        with self._write() as db:
            db.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)
            )

    def revoke(self, key: str, ttl: float) -> None:
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM revoked WHERE until < ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO revoked (key, until) VALUES (?, ?)",
                (key, now + ttl),
            )

    def is_revoked(self, key: str) -> bool:
        rows = self._read(
            "SELECT 1 FROM revoked WHERE key = ? AND until >= ?", (key, time.time())
        )
        return bool(rows)

    def take_budget(self, bucket: str, limit: int, window: int, now: float) -> bool:
        start = int(now // window) * window
        with self._write() as db:
            row = db.execute(
                "SELECT used FROM budget WHERE bucket = ? AND window_start = ?",
                (bucket, start),
            ).fetchone()
            used = row[0] if row else 0
            if used >= limit:
                return False
            db.execute(
                "INSERT OR REPLACE INTO budget (bucket, window_start, used)"
                " VALUES (?, ?, ?)",
                (bucket, start, used + 1),
            )
            # Old windows are useless; drop them so the table stays tiny.
            db.execute(
                "DELETE FROM budget WHERE bucket = ? AND window_start < ?",
                (bucket, start),
            )
            # And buckets nobody uses any more (one per client address for
            # beacons and logins): every window is at most a day long.
            if now >= self._budget_pruned + CLAIMS_PRUNE_EVERY:
                db.execute(
                    "DELETE FROM budget WHERE window_start < ?",
                    (now - 2 * BUDGET_LONGEST_WINDOW,),
                )
                self._budget_pruned = now
        return True

    def budget_used(self, bucket: str, window: int, now: float) -> int:
        start = int(now // window) * window
        rows = self._read(
            "SELECT used FROM budget WHERE bucket = ? AND window_start = ?",
            (bucket, start),
        )
        return int(rows[0][0]) if rows else 0

    def reserve_slot(
        self, bucket: str, spacing: float, max_wait: float, clock: Clock
    ) -> float | None:
        with self._write() as db:
            now = clock()  # once the write lock is ours
            start = max(now, self._slot(db, bucket) or now)
            if start - now > max_wait:
                return None
            self._set_slot(db, bucket, start + spacing)
        return start - now

    def claim_departure(self, bucket: str, spacing: float, clock: Clock) -> float:
        with self._write() as db:
            now = clock()
            last = self._slot(db, bucket)
            if last is not None and now < last + spacing:
                return last + spacing - now
            self._set_slot(db, bucket, now)
        return 0.0

    @staticmethod
    def _slot(db: sqlite3.Connection, bucket: str) -> float | None:
        row = db.execute("SELECT at FROM slots WHERE bucket = ?", (bucket,)).fetchone()
        return None if row is None else float(row[0])

    @staticmethod
    def _set_slot(db: sqlite3.Connection, bucket: str, at: float) -> None:
        db.execute(
            "INSERT OR REPLACE INTO slots (bucket, at) VALUES (?, ?)", (bucket, at)
        )

    # -- jobs -----------------------------------------------------------------
    def put_job(self, job_id: str, record: str, ttl: float) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO jobs (id, data, expires) VALUES (?, ?, ?)",
                (job_id, record, now + ttl),
            )
            db.execute("DELETE FROM jobs WHERE expires < ?", (now,))

    def get_job(self, job_id: str) -> str | None:
        rows = self._read(
            "SELECT data FROM jobs WHERE id = ? AND expires >= ?",
            (job_id, time.time()),
        )
        return str(rows[0][0]) if rows else None

    # -- metrics --------------------------------------------------------------
    def add_counters(self, deltas: dict[str, int]) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name)"
                " DO UPDATE SET value = value + excluded.value",
                list(deltas.items()),
            )

    def counters(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self._read("SELECT * FROM counters")
        }

    # -- analytics ------------------------------------------------------------
    def claim(self, key: str, value: str, ttl: float) -> str:
        now = time.time()
        with self._write() as db:
            if now >= self._claims_pruned + CLAIMS_PRUNE_EVERY:
                db.execute("DELETE FROM claims WHERE expires < ?", (now,))
                self._claims_pruned = now
            row = db.execute(
                "SELECT value FROM claims WHERE key = ? AND expires >= ?", (key, now)
            ).fetchone()
            if row is not None:
                return str(row[0])
            db.execute(
                "INSERT OR REPLACE INTO claims (key, value, expires) VALUES (?, ?, ?)",
                (key, value, now + ttl),
            )
        return value

    def add_daily_counts(
        self, slug: str, day: str, deltas: dict[str, int], keep_days: int
    ) -> None:
        oldest = days_before(day, keep_days)
        with self._write() as db:
            db.executemany(
                "INSERT INTO daily_counts (slug, day, name, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(slug, day, name)"
                " DO UPDATE SET value = value + excluded.value",
                [(slug, day, name, delta) for name, delta in deltas.items()],
            )
            if self._counts_pruned != oldest:  # once a day per process
                db.execute("DELETE FROM daily_counts WHERE day < ?", (oldest,))
                self._counts_pruned = oldest

    def daily_counts(self, slug: str, days: list[str]) -> dict[str, dict[str, int]]:
        if not days:
            return {}
        rows = self._read(
            "SELECT day, name, value FROM daily_counts"
            " WHERE slug = ? AND day >= ? AND day <= ?",
            (slug, min(days), max(days)),
        )
        wanted = set(days)
        counts: dict[str, dict[str, int]] = {}
        for day, name, value in rows:
            if day in wanted:
                counts.setdefault(str(day), {})[str(name)] = int(value)
        return counts

    # -- housekeeping -------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

    def close(self) -> None:
        if self._changes is not None:
            self._changes.close()
            self._changes = None
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
