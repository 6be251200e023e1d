"""The upstream request budget, kept in the snapshot store.

Every Creators API request (searchItems, getItems, and each retry of them)
first reserves its start time: at least ``1/TPS`` seconds (plus a small
margin for network jitter) after the previous reservation of the same
credential, a GCRA "next allowed time" kept atomically in the store. So
calls are spaced evenly across every worker and host sharing the store, not
merely counted per second (a fixed window lets two calls 0.2 s apart pass a
1-per-second budget when they straddle a second boundary). Each request also
takes one unit from the day's count (TPD). Token requests go to the separate
OAuth endpoint, happen about once an hour and are not counted.

A start time more than ``max_wait`` away, or a spent day, raises
``CatalogBudgetExhausted`` so the refresh fails fast and the widget keeps its
last good list.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from widget.catalog.base import CatalogBudgetExhausted
from widget.config import BUDGET_MAX_WAIT
from widget.store.base import SnapshotStore

DAY = 86400
#: Added to each 1/TPS spacing: a call leaves a little after its slot starts,
#: and what the upstream sees must still be spaced at least 1/TPS apart.
SPACING_MARGIN = 0.05


class Budget:
    def __init__(
        self,
        store: SnapshotStore,
        *,
        tps: float = 1.0,
        tpd: int = 8640,
        name: str = "amazon",
        max_wait: float = BUDGET_MAX_WAIT,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.spacing = 1 / tps + SPACING_MARGIN
        self.tpd = tpd
        self.name = name
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def take(self) -> None:
        """Wait for this call's turn and count it in the day's budget.

        :raises CatalogBudgetExhausted: when the day's budget is spent or the
            call's turn would come more than ``max_wait`` seconds from now.
        """
        wait = self.store.reserve_slot(
            f"{self.name}:next", self.spacing, self.max_wait, self.clock
        )
        if wait is None:
            raise self._busy()
        if not self.store.take_budget(f"{self.name}:tpd", self.tpd, DAY, self.clock()):
            raise CatalogBudgetExhausted(
                f"the day's upstream request budget ({self.tpd}) is spent;"
                " refreshes resume at 00:00 UTC"
            )
        # The reservation orders the callers; a caller that woke late (a busy
        # machine) must not bring the next one too close, so each records its
        # actual departure, and waits on if the last one left too recently.
        waited = 0.0
        while True:
            if wait > 0:
                if waited + wait > self.max_wait:
                    raise self._busy()
                self.sleep(wait)
                waited += wait
            wait = self.store.claim_departure(
                f"{self.name}:sent", self.spacing, self.clock
            )
            if wait <= 0:
                return

    def _busy(self) -> CatalogBudgetExhausted:
        return CatalogBudgetExhausted(
            f"upstream request budget busy (one call per {self.spacing:.2f}s)"
            f" for more than {self.max_wait:g}s"
        )

    def used_today(self) -> int:
        return self.store.budget_used(f"{self.name}:tpd", DAY, self.clock())
