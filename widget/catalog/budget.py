"""The upstream request budget, counted in the snapshot store.

Every Creators API request (searchItems, getItems, and each retry of them)
takes one unit from a per-second window (TPS) and one from a per-day window
(TPD) first. The counters live in the store, so every worker and every host
sharing it draws from the same budget. Token requests go to the separate
OAuth endpoint, happen about once an hour and are not counted.

A full second waits for the next window (up to ``max_wait``); a spent day
raises ``CatalogBudgetExhausted`` so the refresh fails fast and the widget
keeps its last good list.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from widget.catalog.base import CatalogBudgetExhausted
from widget.config import BUDGET_MAX_WAIT
from widget.store.base import SnapshotStore

DAY = 86400


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
        # The store counts whole windows: 2.5 TPS is 2 per second, and a
        # rate below 1 is 1 request per ceil(1/tps) seconds.
        if tps >= 1:
            self.per_window, self.window = int(tps), 1
        else:
            self.per_window, self.window = 1, math.ceil(1 / tps)
        self.tpd = tpd
        self.name = name
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def take(self) -> None:
        """Count one upstream request, waiting for room in the current second.

        :raises CatalogBudgetExhausted: when the day's budget is spent or no
            room came up within ``max_wait`` seconds.
        """
        waited = 0.0
        while True:
            now = self.clock()
            if self.store.take_budget(
                f"{self.name}:tps", self.per_window, self.window, now
            ):
                break
            # Sleep to just past the start of the next window, where the
            # count starts again.
            pause = self.window - (now % self.window) + 0.005
            if waited + pause > self.max_wait:
                raise CatalogBudgetExhausted(
                    f"upstream request budget busy ({self.per_window} per"
                    f" {self.window}s) for more than {self.max_wait:g}s"
                )
            self.sleep(pause)
            waited += pause
        if not self.store.take_budget(f"{self.name}:tpd", self.tpd, DAY, self.clock()):
            raise CatalogBudgetExhausted(
                f"the day's upstream request budget ({self.tpd}) is spent;"
                " refreshes resume at 00:00 UTC"
            )

    def used_today(self) -> int:
        return self.store.budget_used(f"{self.name}:tpd", DAY, self.clock())
