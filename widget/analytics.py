"""Click and impression counts, private by construction.

No address or user agent is stored. A visitor's clicks on a topic count as
one unique click per day through a keyed hash of (address, user agent,
topic, day); the key is a random salt made for each UTC day, claimed in the
store under its own key (``analytics-salt:<day>``, so every worker and host
uses the same one) that expires the day after: yesterday's hashes can then
no longer be linked to anyone. Only the hash marks "already clicked today"
(a claim that expires with the day), apart from the counts, which are daily
sums per topic: in total and per store, item and embedding page, deleted
after ``WIDGET_ANALYTICS_DAYS``. Bots and headless browsers are not counted.
Each client address may send ``EVENT_RATE`` beacons a minute (counted in the
store under the salted hash, across workers and hosts).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from enum import Enum

from widget.cache import LockedLRU
from widget.events import Event
from widget.events import Shown
from widget.events import shown_items
from widget.store.base import SnapshotStore

#: Beacons a client address may send per minute; a page with three boxes
#: sends three impressions and a few clicks.
EVENT_RATE = 60
EVENT_WINDOW = 60
#: User agents that are not people: crawlers, previews, scripts and
#: headless or automated browsers.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|scrap|headless|phantomjs|electron|selenium|webdriver"
    r"|puppeteer|playwright|lighthouse|pagespeed|preview|facebookexternalhit"
    r"|curl|wget|python|httpx|aiohttp|okhttp|go-http|java/|libwww|http_request"
    r"|node-fetch|axios|monitor|uptime|pingdom",
    re.IGNORECASE,
)
#: Counts names: "impressions", "clicks", "unique_clicks" in total, and
#: "<count>|<store|item|page>|<value>" per store, item and page.
COUNTS = ("impressions", "clicks", "unique_clicks")


class Outcome(Enum):
    COUNTED = "counted"
    REPEAT = "repeat"  # a click counted, but not as a new unique one
    BOT = "bot"
    UNKNOWN = "unknown"  # no such topic, item or store
    OWN = "own"  # a box on the service's own pages (home page, admin preview)
    LIMITED = "limited"


def is_bot(user_agent: str) -> bool:
    return not user_agent.startswith("Mozilla/") or bool(BOTS.search(user_agent))


def utc_day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


class Analytics:
    def __init__(
        self,
        store: SnapshotStore,
        *,
        keep_days: int,
        now: Callable[[], datetime],
        store_keys: tuple[str, ...] = (),
    ) -> None:
        self.store = store
        #: the configured stores besides the default one, each with its lists
        self.store_keys = store_keys
        self.keep_days = keep_days
        self.now = now
        self._salt: tuple[str, bytes] = ("", b"")
        self._lock = threading.Lock()
        self._shown: LockedLRU[tuple[str, int], Shown] = LockedLRU(1024)
        #: outcomes since start, for /metrics
        self.stats: Counter[str] = Counter()
        self._drained: Counter[str] = Counter()

    def salt(self, day: str) -> bytes:
        """The day's salt, the same in every worker and host."""
        with self._lock:
            if self._salt[0] == day:
                return self._salt[1]
        ends = datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1)
        # Kept an hour past midnight, for beacons of the day still arriving.
        ttl = max(60.0, (ends - self.now()).total_seconds() + 3600)
        held = self.store.claim(f"analytics-salt:{day}", secrets.token_hex(32), ttl)
        with self._lock:
            self._salt = (day, held.encode())
        return held.encode()

    def _hash(self, salt: bytes, *parts: str) -> str:
        text = "\n".join(parts).encode("utf-8", "replace")
        return hmac.new(salt, text, hashlib.sha256).hexdigest()[:32]

    def shown(self, slug: str) -> Shown | None:
        version = self.store.version(slug)
        if version is None:
            return None
        found = self._shown.get((slug, version))
        if found is None:
            found = shown_items(self.store, slug, self.store_keys)
            if found is None:
                return None
            self._shown.put((slug, version), found)
        return found

    def record(
        self, event: Event, address: str, user_agent: str, own_origin: str = ""
    ) -> Outcome:
        """Count one beacon, or say why it does not count; boxes on pages of
        ``own_origin`` (the service's own previews) never count."""
        if own_origin and event.page.startswith(own_origin.rstrip("/") + "/"):
            outcome = Outcome.OWN
        else:
            outcome = self._record(event, address, user_agent)
        with self._lock:
            self.stats[f"{event.type}:{outcome.value}"] += 1
        return outcome

    def _record(self, event: Event, address: str, user_agent: str) -> Outcome:
        if is_bot(user_agent):
            return Outcome.BOT
        moment = self.now()
        day = utc_day(moment)
        salt = self.salt(day)
        bucket = "events:" + self._hash(salt, address)
        if not self.store.take_budget(bucket, EVENT_RATE, EVENT_WINDOW, time.time()):
            return Outcome.LIMITED
        shown = self.shown(event.topic)
        if shown is None or not shown.allows(event):
            return Outcome.UNKNOWN
        name = "impressions" if event.type == "impression" else "clicks"
        deltas = {name: 1, f"{name}|store|{event.store}": 1}
        if event.page:
            deltas[f"{name}|page|{event.page}"] = 1
        outcome = Outcome.COUNTED
        if event.asin is not None:
            deltas[f"clicks|item|{event.asin}"] = 1
            visitor = self._hash(salt, address, user_agent, event.topic, day)
            ttl = (
                datetime.fromisoformat(day).replace(tzinfo=UTC)
                + timedelta(days=1, hours=1)
                - moment
            ).total_seconds()
            key = f"analytics-click:{day}:{visitor}"
            mine = secrets.token_hex(8)
            if self.store.claim(key, mine, max(60.0, ttl)) == mine:
                deltas["unique_clicks"] = 1
                deltas[f"unique_clicks|item|{event.asin}"] = 1
            else:
                outcome = Outcome.REPEAT
        self.store.add_daily_counts(event.topic, day, deltas, self.keep_days)
        return outcome

    def drain_stats(self) -> Counter[str]:
        """Outcomes counted since the last drain (for the metrics flusher)."""
        with self._lock:
            delta = self.stats - self._drained
            self._drained = self.stats.copy()
        return delta
