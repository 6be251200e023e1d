"""A topic's counts over the last N days, as the admin page, the API, the CLI
and the CSV export show them: one ``Report``, built here."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from widget.models import TopicState
from widget.store.base import SnapshotStore

#: The longest period a report covers (the admin chart shows 30 days).
MAX_DAYS = 366
DEFAULT_DAYS = 30

#: count name -> sum, per item, page or store
Sums = dict[str, int]


@dataclass(frozen=True)
class Row:
    """Counts of one day, item, page or store."""

    key: str
    impressions: int = 0
    clicks: int = 0
    unique_clicks: int = 0

    @property
    def ctr(self) -> float | None:
        """Click-through rate: clicks per impression; None without impressions."""
        return self.clicks / self.impressions if self.impressions else None

    def as_dict(self, key_name: str) -> dict[str, Any]:
        return {
            key_name: self.key,
            "impressions": self.impressions,
            "clicks": self.clicks,
            "unique_clicks": self.unique_clicks,
            "ctr": None if self.ctr is None else round(self.ctr, 4),
        }


@dataclass(frozen=True)
class Report:
    slug: str
    days: tuple[Row, ...]  # oldest first, one per day, zeros included
    items: tuple[Row, ...]  # most clicked first
    pages: tuple[Row, ...]  # most seen first
    stores: tuple[Row, ...]

    @property
    def total(self) -> Row:
        return Row(
            "total",
            sum(d.impressions for d in self.days),
            sum(d.clicks for d in self.days),
            sum(d.unique_clicks for d in self.days),
        )


def day_range(today: date, days: int) -> list[str]:
    return [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def _rows(sums: dict[str, Sums], order: str) -> tuple[Row, ...]:
    rows = [Row(key, **counts) for key, counts in sums.items()]
    rows.sort(key=lambda r: (-getattr(r, order), -r.clicks, r.key))
    return tuple(rows)


def build_report(store: SnapshotStore, slug: str, today: date, days: int) -> Report:
    wanted = day_range(today, days)
    found = store.daily_counts(slug, wanted)
    by: dict[str, dict[str, Sums]] = {
        "item": defaultdict(dict),
        "page": defaultdict(dict),
        "store": defaultdict(dict),
    }
    day_rows = []
    for day in wanted:
        counts = found.get(day, {})
        day_rows.append(
            Row(
                day,
                counts.get("impressions", 0),
                counts.get("clicks", 0),
                counts.get("unique_clicks", 0),
            )
        )
        for name, value in counts.items():
            count, _, rest = name.partition("|")
            dimension, _, key = rest.partition("|")
            if dimension in by and count in ("impressions", "clicks", "unique_clicks"):
                sums = by[dimension][key]
                sums[count] = sums.get(count, 0) + value
    return Report(
        slug,
        tuple(day_rows),
        _rows(by["item"], "clicks"),
        _rows(by["page"], "impressions"),
        _rows(by["store"], "impressions"),
    )


def report_to_dict(report: Report, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "topic": report.slug,
        "days": [d.as_dict("day") for d in report.days],
        "total": report.total.as_dict("period"),
        "items": [
            r.as_dict("asin") | {"title": titles.get(r.key)} for r in report.items
        ],
        "pages": [r.as_dict("page") for r in report.pages],
        "stores": [r.as_dict("store") for r in report.stores],
    }


def report_csv(report: Report) -> str:
    """One line per day and per item, page and store, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["topic", "kind", "key", "impressions", "clicks", "unique_clicks"])
    for kind, rows in (
        ("day", report.days),
        ("item", report.items),
        ("page", report.pages),
        ("store", report.stores),
    ):
        for row in rows:
            # A leading =, +, - or @ would be a formula in a spreadsheet.
            key = "'" + row.key if row.key[:1] in ("=", "+", "-", "@") else row.key
            writer.writerow(
                [report.slug, kind, key, row.impressions, row.clicks, row.unique_clicks]
            )
    return out.getvalue()


def parse_days(raw: str | None) -> int:
    """``?days=N``: 1 to ``MAX_DAYS``, ``DEFAULT_DAYS`` if absent.

    :raises ValueError: saying what is accepted.
    """
    if raw is None or raw == "":
        return DEFAULT_DAYS
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ValueError(f"days must be a whole number from 1 to {MAX_DAYS}")
    return int(raw)


def titles_of(state: TopicState) -> dict[str, str]:
    """Item titles of the topic's current list, by upper-case ASIN."""
    if state.snapshot is None:
        return {}
    return {p.asin.upper(): p.title for p in state.snapshot.products}


def topic_report(
    store: SnapshotStore, state: TopicState, now: datetime, days: int
) -> Report:
    return build_report(store, state.topic.slug, now.astimezone(UTC).date(), days)
