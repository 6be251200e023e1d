"""The stub-server's options, items, call log, issued tokens and queued faults.

One ``StubState`` per stub app, in ``app.extensions["stub"]``; views reach it
through ``stub_state()``. A view that Amazon would count as a call names its
operation with ``called``; the answer is then logged with its status.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from flask import Response
from flask import current_app
from flask import g
from flask import request

from widget.catalog.stub import StubItem

#: Faults a call can be given: HTTP errors, a 200 with a broken body, a hang.
FAULTS = ("429", "500", "503", "401", "malformed", "hang", "sparse", "ineligible")


@dataclass
class StubOptions:
    client_id: str = "stub-client"
    client_secret: str = "stub-secret"
    #: more credentials, each (region, id, secret): valid only for that
    #: region's marketplaces, as Amazon's are (the one above serves all)
    credentials: tuple[tuple[str, str, str], ...] = ()
    latency: float = 0.0  #: seconds added to every catalog call
    fail_rate: float = 0.0  #: share of catalog calls given a random fault
    faults: tuple[str, ...] = ("500",)  #: the kinds fail_rate draws from
    throttle: bool = False  #: answer 429 past ``tps`` calls in a second
    tps: float = 1.0
    retry_after: int = 1  #: retryAfterSeconds in 429 answers
    hang: float = 2.0  #: how long a "hang" fault stalls
    token_lifetime: int = 3600
    image_base: str | None = None  #: prefix of relative covers; our own URL
    #: answer every catalog call 403 AssociateNotEligible (too few sales)
    ineligible: bool = False
    seed: int = 0


@dataclass
class StubState:
    options: StubOptions
    items: list[StubItem] = field(default_factory=list)
    covers_dir: Path = Path()
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[dict[str, Any]] = field(default_factory=list)
    #: token → (credential family "2"/"3", expiry, region or None for all)
    tokens: dict[str, tuple[str, float, str | None]] = field(default_factory=dict)
    queued: deque[str] = field(default_factory=deque)
    #: faults queued for one marketplace's calls only
    queued_for: dict[str, deque[str]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    admitted: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.by_asin = {item.asin.upper(): item for item in self.items}
        self.by_isbn = {item.isbn: item for item in self.items if item.isbn}

    def log(
        self, operation: str, at: float, status: int, marketplace: str | None = None
    ) -> None:
        call = {"operation": operation, "at": at, "status": status}
        if marketplace:
            call["marketplace"] = marketplace
        with self.lock:
            self.calls.append(call)

    def admit(self, second: int) -> bool:
        """Count a catalog call in its arrival second unless that second
        already holds ``tps`` of them (checked and counted atomically, so
        concurrent calls cannot slip past the limit together)."""
        with self.lock:
            if self.admitted[second] >= self.options.tps:
                return False
            self.admitted[second] += 1
            return True

    def next_fault(self, marketplace: str | None = None) -> str | None:
        with self.lock:
            mine = self.queued_for.get(marketplace or "")
            if mine:
                return mine.popleft()
            if self.queued:
                return self.queued.popleft()
            if self.rng.random() < self.options.fail_rate:
                return self.rng.choice(self.options.faults)
        return None


def stub_state() -> StubState:
    found: StubState = current_app.extensions["stub"]
    return found


def called(operation: str) -> StubState:
    """Note that this request is a call to log, and when it arrived."""
    g.operation, g.arrived = operation, time.time()
    return stub_state()


def log_call(response: Response) -> Response:
    """Log each call with the status it was answered with."""
    if "operation" in g:
        marketplace = request.headers.get("x-marketplace")
        stub_state().log(g.operation, g.arrived, response.status_code, marketplace)
    return response
