"""Kinds of list value for topic fields: ASINs, title words and pins.

Each reads a JSON list from the API, or one line of text from the admin
form and CLI flags: items separated by commas (ASINs and pins also by
spaces), pins written ``ASIN@POSITION``. ``widget.topics`` declares the
fields; ``widget.curation`` applies them.
"""

from __future__ import annotations

import re
from typing import Any

from widget.fields import Kind
from widget.fields import text_of
from widget.fields import whole_number
from widget.models import MAX_ITEMS
from widget.models import Pin

ASIN = re.compile(r"[A-Z0-9]{10}")


def items_of(value: Any, separators: str) -> list[Any]:
    """A JSON list as it is; text split on ``separators``, blanks dropped."""
    if isinstance(value, list):
        return value
    return [part for part in re.split(separators, text_of(value)) if part.strip()]


def asin_of(value: Any) -> str:
    asin = text_of(value).upper()
    if not ASIN.fullmatch(asin):
        raise ValueError(f"{asin[:20]!r} is not an ASIN (10 letters or digits)")
    return asin


class ListKind(Kind):
    """A tuple of values, at most ``max_items``, without repeats."""

    metavar = "LIST"
    separators = r"[,\s]+"

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def item(self, value: Any) -> Any:
        return asin_of(value)

    def parse(self, value: Any) -> tuple[Any, ...]:
        found: list[Any] = []
        for raw in items_of(value, self.separators):
            item = self.item(raw)
            if item not in found:
                found.append(item)
        if len(found) > self.max_items:
            raise ValueError(f"takes at most {self.max_items} entries")
        return tuple(found)

    def describe(self) -> str:
        return f"a list of ASINs, at most {self.max_items}"

    def item_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{ASIN.pattern}$"}

    def input_schema(self) -> dict[str, Any]:
        return {
            "type": ["array", "string"],
            "items": self.item_schema(),
            "maxItems": self.max_items,
        }

    def output_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item_schema()}

    def dump(self, value: Any) -> list[Any]:
        return list(value or ())

    def load(self, data: Any) -> tuple[Any, ...]:
        return tuple(data or ())

    def text(self, value: Any) -> str:
        return ", ".join(value or ())


class Words(ListKind):
    """Words or phrases, separated by commas in text."""

    separators = r","

    def __init__(self, max_items: int, max_length: int) -> None:
        super().__init__(max_items)
        self.max_length = max_length

    def item(self, value: Any) -> str:
        word = " ".join(text_of(value).split())
        if not word or len(word) > self.max_length:
            raise ValueError(f"entries must be 1 to {self.max_length} characters")
        return word

    def describe(self) -> str:
        return (
            f"a list of words or phrases, at most {self.max_items} of at most"
            f" {self.max_length} characters"
        )

    def item_schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}


class Pins(ListKind):
    """``[{"asin", "position"}]``; in text ``B0STUB0001@1, B0STUB0005@3``."""

    metavar = "ASIN@POS,..."

    def __init__(self) -> None:
        super().__init__(MAX_ITEMS)

    def item(self, value: Any) -> Pin:
        if isinstance(value, dict):
            asin, position = value.get("asin"), value.get("position")
        else:
            asin, _, position = text_of(value).partition("@")
        try:
            number = whole_number(position)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= MAX_ITEMS:
            raise ValueError(f"positions must be whole numbers from 1 to {MAX_ITEMS}")
        return Pin(asin_of(asin), number)

    def parse(self, value: Any) -> tuple[Pin, ...]:
        pins = sorted(super().parse(value), key=lambda pin: pin.position)
        if len({pin.asin for pin in pins}) < len(pins):
            raise ValueError("pins each ASIN once")
        if len({pin.position for pin in pins}) < len(pins):
            raise ValueError("pins one ASIN per position")
        return tuple(pins)

    def describe(self) -> str:
        return (
            f'a list of {{"asin", "position"}} (1 to {MAX_ITEMS});'
            " in forms and flags ASIN@POSITION, comma-separated"
        )

    def item_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["asin", "position"],
            "additionalProperties": False,
            "properties": {
                "asin": super().item_schema(),
                "position": {"type": "integer", "minimum": 1, "maximum": MAX_ITEMS},
            },
        }

    def dump(self, value: Any) -> list[dict[str, Any]]:
        return [{"asin": p.asin, "position": p.position} for p in value or ()]

    def load(self, data: Any) -> tuple[Pin, ...]:
        return tuple(Pin(p["asin"], int(p["position"])) for p in data or ())

    def text(self, value: Any) -> str:
        return ", ".join(f"{p.asin}@{p.position}" for p in value or ())
