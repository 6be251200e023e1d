"""Publication dates as upstreams write them.

Amazon sends ``2025-03-01T00:00:01Z`` (sometimes only ``2025-03`` or
``2025``); Open Library sends free text: ``2005``, ``May 2005``,
``May 16, 2005``, ``16 May 2005``. A missing month or day counts as the
first, and anything without a year is no date.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?$")
_TOKEN = re.compile(r"[a-z]+|\d+")
_MONTHS = {
    name: number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}


def parse_published(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    iso = _ISO.match(text.strip())
    if iso:
        numbers = [int(part or 1) for part in iso.groups()]
    else:
        tokens = _TOKEN.findall(text.lower())
        years = [int(t) for t in tokens if t.isdigit() and len(t) == 4]
        months = [_MONTHS[t[:3]] for t in tokens if t[:3] in _MONTHS]
        days = [int(t) for t in tokens if t.isdigit() and len(t) <= 2]
        if not years:
            return None
        month = months[0] if months else 1
        numbers = [years[0], month, days[0] if months and days else 1]
    try:
        return date(*numbers)
    except ValueError:
        return None
