"""Text and numbers from outside (catalogs, admins) made safe to keep and show.

Applied where data enters: the catalog adapters and topic input. Control
characters (C0, DEL, C1: among them ESC and the OSC that terminals obey)
are dropped, tabs and line breaks become spaces; numbers must be finite.
Bidirectional marks stay (right-to-left titles need them); widgets isolate
titles instead (``<bdi>``).
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile("[\t\n\r]")


def clean_text(text: str) -> str:
    """``text`` without control characters (breaks and tabs become spaces)."""
    return _CONTROL.sub("", _BREAKS.sub(" ", text))


def finite(value: Any) -> float | None:
    """A JSON number as a float, or None for anything else, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return number if math.isfinite(number) else None
