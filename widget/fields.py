"""Kinds of input value: how each is read from untrusted input, described,
shown in a form and written as JSON.

``parse`` takes a value as it comes from an API body, a form or a CLI flag
and returns the value or raises ``ValueError`` (``TypeError`` for a value
of the wrong type) with words that follow the field's name: "item_count
must be a whole number from 1 to 10". ``widget.topics`` declares each topic
field with one of these kinds.
"""

from __future__ import annotations

import re
import string
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from widget.casts import PARTNER_TAG
from widget.casts import to_partner_tag
from widget.catalog.identifiers import IdentifierError
from widget.catalog.identifiers import ManualItem
from widget.catalog.identifiers import compact
from widget.catalog.identifiers import parse_book_id
from widget.catalog.identifiers import split_line
from widget.config import duration_text
from widget.models import MAX_SLUG_LENGTH
from widget.models import SLUG_PATTERN
from widget.models import is_valid_slug
from widget.text import clean_text

#: Bad lines of a book list named in one message; the rest are counted.
MAX_LINE_ERRORS = 5


class Kind(ABC):
    #: The admin form's input element: "text", "number" or "select".
    input = "text"
    #: The choices of a "select".
    options: tuple[str, ...] = ()
    #: What a CLI flag's value is called in --help.
    metavar = "TEXT"

    @abstractmethod
    def parse(self, value: Any) -> Any:
        """:raises ValueError: or ``TypeError``, saying what is accepted."""

    @abstractmethod
    def describe(self) -> str:
        """What it accepts, in words: "text, at most 80 characters"."""

    @abstractmethod
    def input_schema(self) -> dict[str, Any]:
        """JSON Schema of the input ``parse`` accepts."""

    def output_schema(self) -> dict[str, Any]:
        """JSON Schema of ``dump``'s output."""
        return self.input_schema()

    def dump(self, value: Any) -> Any:
        """The JSON form of a value: API answers, exports and stores."""
        return value

    def load(self, data: Any) -> Any:
        """A value from its JSON form (trusted: written by ``dump``)."""
        return data

    def text(self, value: Any) -> str:
        """A value as a form shows it; ``parse`` reads it back."""
        return "" if value is None else str(value)

    def form_attributes(self) -> dict[str, str]:
        return {}


def text_of(value: Any) -> str:
    """Input text without control characters (see ``widget.text``)."""
    if not isinstance(value, str):
        raise TypeError  # the field's message: "has the wrong type"
    return clean_text(value).strip()


def whole_number(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("must be a whole number")
    if isinstance(value, int):
        return value
    text = text_of(value)
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ValueError("must be a whole number")
    return int(text)


class Text(Kind):
    def __init__(self, max_length: int, *, squeeze: bool = False) -> None:
        self.max_length = max_length
        self.squeeze = squeeze  # runs of spaces become one

    def parse(self, value: Any) -> str:
        text = text_of(value)
        if self.squeeze:
            text = " ".join(text.split())
        if len(text) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters")
        return text

    def describe(self) -> str:
        return f"text, at most {self.max_length} characters"

    def input_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}

    def form_attributes(self) -> dict[str, str]:
        return {"maxlength": str(self.max_length)}


class Slug(Kind):
    metavar = "SLUG"

    def parse(self, value: Any) -> str:
        text = text_of(value)
        if not is_valid_slug(text):
            raise ValueError(
                f"use lowercase letters, digits and hyphens, at most {MAX_SLUG_LENGTH}"
            )
        return text

    def describe(self) -> str:
        return (
            f"lowercase letters, digits and single hyphens, at most"
            f" {MAX_SLUG_LENGTH} characters"
        )

    def input_schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": SLUG_PATTERN.pattern,
            "maxLength": MAX_SLUG_LENGTH,
        }

    def form_attributes(self) -> dict[str, str]:
        return {"maxlength": str(MAX_SLUG_LENGTH)}


class Choice(Kind):
    input = "select"
    metavar = "NAME"

    def __init__(self, options: tuple[str, ...]) -> None:
        self.options = options

    def parse(self, value: Any) -> str:
        text = text_of(value)
        if text not in self.options:
            raise ValueError(f"must be one of {', '.join(self.options)}")
        return text

    def describe(self) -> str:
        return "one of " + ", ".join(self.options)

    def input_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options)}


class Digits(Kind):
    """A number that is an identifier, kept as text: "16272"."""

    metavar = "NUMBER"

    def __init__(self, max_length: int, what: str) -> None:
        self.pattern = re.compile(f"[0-9]{{1,{max_length}}}")
        self.what = what  # "a browse node number, e.g. 16272"

    def parse(self, value: Any) -> str:
        text = str(whole_number(value)) if not isinstance(value, str) else value
        text = text.strip()
        if not self.pattern.fullmatch(text):
            raise ValueError(f"must be {self.what}")
        return text

    def describe(self) -> str:
        return self.what

    def input_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{self.pattern.pattern}$"}

    def form_attributes(self) -> dict[str, str]:
        return {"inputmode": "numeric"}


class Whole(Kind):
    input = "number"
    metavar = "N"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def parse(self, value: Any) -> int:
        number = whole_number(value)
        if not self.low <= number <= self.high:
            raise ValueError(f"must be a whole number from {self.low} to {self.high}")
        return number

    def describe(self) -> str:
        return f"whole number, {self.low} to {self.high}"

    def input_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}

    def form_attributes(self) -> dict[str, str]:
        return {"min": str(self.low), "max": str(self.high)}


class Duration(Kind):
    """A duration such as "30m", "12h", "1d" or seconds; whole seconds in JSON."""

    metavar = "DURATION"

    def __init__(
        self, cast: Callable[[Any], timedelta], low: timedelta, high: timedelta
    ) -> None:
        self.cast = cast  # checks the bounds too: the setting's own cast
        self.low, self.high = low, high

    def parse(self, value: Any) -> timedelta:
        if isinstance(value, bool):
            raise TypeError
        return self.cast(value)

    def describe(self) -> str:
        low, high = duration_text(self.low), duration_text(self.high)
        return f"duration such as 30m, 12h, 1d or seconds, {low} to {high}"

    def input_schema(self) -> dict[str, Any]:
        return self.output_schema() | {"type": ["string", "integer"]}

    def output_schema(self) -> dict[str, Any]:
        low, high = self.low.total_seconds(), self.high.total_seconds()
        return {"type": "integer", "minimum": int(low), "maximum": int(high)}

    def dump(self, value: Any) -> int:
        return int(value.total_seconds())

    def load(self, data: Any) -> timedelta:
        return timedelta(seconds=int(data))

    def text(self, value: Any) -> str:
        return duration_text(value)


class BookList(Kind):
    """Hand-picked books in the admin's order, each with an optional note.

    A form or a CLI flag gives lines, "ASIN-or-ISBN  optional note"; an API
    body gives a list of ``{"asin" or "isbn", "note"}`` objects (or of such
    lines). Every bad line is named at once, by its number, so an admin can
    fix a pasted list in one go.
    """

    input = "textarea"
    metavar = "LINES"

    def __init__(self, max_items: int, max_note: int) -> None:
        self.max_items = max_items
        self.max_note = max_note

    def parse(self, value: Any) -> tuple[ManualItem, ...]:
        if isinstance(value, str):
            entries: list[Any] = value.splitlines()  # each cleaned in _item
            where = "line"
        elif isinstance(value, list):
            entries, where = value, "item"
        else:
            raise TypeError
        return self.parse_numbered(list(enumerate(entries, start=1)), where)

    def parse_numbered(
        self, entries: list[tuple[int, Any]], where: str
    ) -> tuple[ManualItem, ...]:
        """Entries numbered as the admin sees them (lines of a form or a
        file, items of a list).

        :raises ValueError: naming each bad entry by its number.
        """
        items: list[ManualItem] = []
        errors: list[str] = []
        seen: dict[str, int] = {}
        for number, entry in entries:
            if isinstance(entry, str) and not entry.strip():
                continue
            try:
                item = self._item(entry)
                if item.book.key in seen:
                    first = seen[item.book.key]
                    raise IdentifierError(
                        f'"{item.book.typed}" repeats {where} {first}'
                    )
            except IdentifierError as exc:
                errors.append(f"{where} {number}: {exc}")
                continue
            seen[item.book.key] = number
            items.append(item)
        if len(items) > self.max_items:
            errors.append(f"at most {self.max_items} books, not {len(items)}")
        if errors:
            more = len(errors) - MAX_LINE_ERRORS
            shown = errors[:MAX_LINE_ERRORS] + ([f"{more} more"] if more > 0 else [])
            raise ValueError("; ".join(shown))
        return tuple(items)

    def _item(self, entry: Any) -> ManualItem:
        """:raises IdentifierError: for a bad identifier or note."""
        if isinstance(entry, str):
            book, note = split_line(clean_text(entry))
        elif isinstance(entry, dict):
            ids = [entry[k] for k in ("asin", "isbn") if entry.get(k) is not None]
            extra = set(entry) - {"asin", "isbn", "note"}
            if len(ids) != 1 or not isinstance(ids[0], str) or extra:
                raise IdentifierError('give one of "asin" or "isbn" (and "note")')
            raw_note = entry.get("note")
            if raw_note is not None and not isinstance(raw_note, str):
                raise IdentifierError('"note" must be text')
            book = parse_book_id(clean_text(ids[0]))
            note = " ".join(clean_text(raw_note or "").split()) or None
        else:
            raise IdentifierError("must be text or an object")
        if note is not None and len(note) > self.max_note:
            raise IdentifierError(f"the note is over {self.max_note} characters")
        # Kept as written without hyphens or labels: what reads back the same.
        return ManualItem(replace(book, typed=compact(book.typed)), note)

    def describe(self) -> str:
        return (
            f"up to {self.max_items} ASINs or ISBNs, one per line (API: a list of"
            ' {"asin" or "isbn", "note"}), each optionally followed by a note'
        )

    def input_schema(self) -> dict[str, Any]:
        entry = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "asin": {"type": "string"},
                "isbn": {"type": "string"},
                "note": {"type": ["string", "null"], "maxLength": self.max_note},
            },
        }
        return {"type": "array", "maxItems": self.max_items, "items": entry}

    def output_schema(self) -> dict[str, Any]:
        schema = self.input_schema()
        return schema | {"items": schema["items"] | {"required": ["note"]}}

    def dump(self, value: Any) -> list[dict[str, str | None]]:
        return [
            {"isbn" if item.book.isbn else "asin": identifier(item), "note": item.note}
            for item in value
        ]

    def load(self, data: Any) -> tuple[ManualItem, ...]:
        return tuple(
            ManualItem(
                parse_book_id(entry.get("isbn") or entry["asin"]), entry.get("note")
            )
            for entry in data or ()
        )

    def text(self, value: Any) -> str:
        return "\n".join(
            f"{identifier(item)}  {item.note}" if item.note else identifier(item)
            for item in value or ()
        )


def identifier(item: ManualItem) -> str:
    """The identifier as the admin gave it, without hyphens or labels."""
    return item.book.typed


class Flag(Kind):
    """On or off: JSON true/false, or on/off, yes/no, true/false, 1/0."""

    input = "select"
    options = ("off", "on")
    metavar = "on|off"
    WORDS = {"on": True, "yes": True, "true": True, "1": True}
    WORDS |= {"off": False, "no": False, "false": False, "0": False}

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = text_of(value).lower()
        if word not in self.WORDS:
            raise ValueError("must be on or off (true or false)")
        return self.WORDS[word]

    def describe(self) -> str:
        return "on or off (true or false)"

    def input_schema(self) -> dict[str, Any]:
        return {"type": ["boolean", "string"]}

    def output_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def text(self, value: Any) -> str:
        return "on" if value else "off"


class Decimal(Kind):
    """A number with one decimal, such as a star rating: 4.5."""

    input = "number"
    metavar = "NUMBER"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def parse(self, value: Any) -> float:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = text_of(value).replace(",", ".")
            if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3})?", text):
                raise ValueError(f"must be a number from {self.low} to {self.high}")
            number = float(text)
        if not self.low <= number <= self.high:  # NaN fails here too
            raise ValueError(f"must be a number from {self.low} to {self.high}")
        return round(number, 1)

    def describe(self) -> str:
        return f"number, {self.low} to {self.high}"

    def input_schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.low, "maximum": self.high}

    def form_attributes(self) -> dict[str, str]:
        return {"min": str(self.low), "max": str(self.high), "step": "0.1"}


class Template(Text):
    """Text with ``{name}`` placeholders from a fixed set ("{{" is a brace)."""

    def __init__(self, max_length: int, names: tuple[str, ...]) -> None:
        super().__init__(max_length, squeeze=True)
        self.names = names

    def parse(self, value: Any) -> str:
        text = super().parse(value)
        wanted = " and ".join("{" + name + "}" for name in self.names)
        try:
            parts = [(f, s, c) for _, f, s, c in string.Formatter().parse(text) if f]
        except ValueError:  # a lone "{" or "}"
            parts = [("", "", None)]
        if any(f not in self.names or s or c for f, s, c in parts):
            raise ValueError(f"may only use the placeholders {wanted}")
        return text

    def describe(self) -> str:
        names = ", ".join("{" + name + "}" for name in self.names)
        return f"text with {names}, at most {self.max_length} characters"


class StoreKeys(Kind):
    """Amazon store keys (``widget.stores``), given as a list or as text
    separated by spaces or commas; empty means every configured store."""

    metavar = "KEYS"

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys

    def parse(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, list | tuple):
            given = [text_of(v).lower() for v in value]
        else:
            given = text_of(value).lower().replace(",", " ").split()
        unknown = [key for key in given if key not in self.keys]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an Amazon store key (e.g. us, de)")
        return tuple(dict.fromkeys(given))

    def describe(self) -> str:
        return "store keys such as `us de uk` (API: a list)"

    def input_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": list(self.keys)}}

    def dump(self, value: Any) -> Any:
        return list(value)

    def load(self, data: Any) -> Any:
        return tuple(data)

    def text(self, value: Any) -> str:
        return " ".join(value or ())


class TrackingId(Kind):
    """An Amazon Associates tracking id (partner tag) such as ``mysite-20``."""

    metavar = "TAG"

    def parse(self, value: Any) -> str | None:
        return to_partner_tag(text_of(value))

    def describe(self) -> str:
        return "an Associates tracking id such as mysite-20"

    def input_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": PARTNER_TAG.pattern, "maxLength": 128}

    def form_attributes(self) -> dict[str, str]:
        return {"maxlength": "128"}
