"""Book identifiers as admins type them: ASINs, ISBN-10s and ISBN-13s.

One place decides what counts as a valid identifier, how it is written
(no hyphens or spaces, upper case) and when two lines name the same book,
so the admin form, the API, the CSV import and the catalogs agree.

For print books Amazon's ASIN is the ISBN-10, so an ISBN-10 (or an
ISBN-13 starting 978, which has one) gives both an ASIN for the product
link and an ISBN-13 for Open Library. A 979 ISBN-13 has no ISBN-10.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import takewhile

_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_ISBN10 = re.compile(r"^\d{9}[\dX]$")
_ISBN13 = re.compile(r"^97[89]\d{10}$")
# "ISBN-13: 978...", "ISBN 0...", "ASIN: B0..." as copied from a book page.
_LABEL = re.compile(r"^(?:ISBN(?:-?1[03])?|ASIN)\s*:?\s*", re.IGNORECASE)
# What may stand between an identifier and its note on one line.
_NOTE_SEPARATOR = re.compile(r"^[\s|:;,\u2013\u2014-]+")
_GROUP = re.compile(r"^[\dXx\-\u2010-\u2015]+$")
_MAX_TOKENS = 6  # "978 0 316 76948 8" is five groups
_TYPO = "its check digit does not match (a typo?)"


class IdentifierError(ValueError):
    """An identifier an admin typed is not a valid ASIN or ISBN."""


@dataclass(frozen=True)
class BookId:
    """One book: the ASIN to link by, the ISBN-13 to look up, and the
    identifier as the admin typed it (the title when nothing else is known)."""

    typed: str
    asin: str | None = None
    isbn: str | None = None

    @property
    def key(self) -> str:
        """Two ids with the same key name the same book."""
        return self.isbn or self.asin or self.typed


@dataclass(frozen=True)
class ManualItem:
    """One hand-picked book with the admin's optional one-line note."""

    book: BookId
    note: str | None = None


@dataclass(frozen=True)
class LineError:
    line: int  #: 1-based, as editors number lines
    message: str


def _quoted(text: str) -> str:
    return '"' + " ".join(text.split()) + '"'


def isbn10_check_digit(first9: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn10_to_13(isbn10: str) -> str:
    first12 = "978" + isbn10[:9]
    return first12 + isbn13_check_digit(first12)


def isbn13_to_10(isbn13: str) -> str | None:
    """The ISBN-10 of a 978 ISBN-13; None for 979 (they have none)."""
    if not isbn13.startswith("978"):
        return None
    return isbn13[3:12] + isbn10_check_digit(isbn13[3:12])


def compact(text: str) -> str:
    """``isbn 978-0-316 76948-8`` -> ``9780316769488``."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", _LABEL.sub("", text.strip())).upper()


def parse_isbn(text: str) -> str:
    """The ISBN-13 of an ISBN-10 or ISBN-13, checksum verified.

    :raises IdentifierError: naming what is wrong.
    """
    value = compact(text)
    if _ISBN10.match(value):
        if value[9] != isbn10_check_digit(value[:9]):
            raise IdentifierError(f"{_quoted(text)} is not a valid ISBN-10: {_TYPO}")
        return isbn10_to_13(value)
    if _ISBN13.match(value):
        if value[12] != isbn13_check_digit(value[:12]):
            raise IdentifierError(f"{_quoted(text)} is not a valid ISBN-13: {_TYPO}")
        return value
    if value.isdigit() and len(value) == 13:
        raise IdentifierError(
            f"{_quoted(text)} is not an ISBN-13 (they start 978 or 979)"
        )
    raise IdentifierError(f"{_quoted(text)} is not an ISBN-10 or ISBN-13")


def first_isbn(values: object) -> str | None:
    """The first valid ISBN of a list an upstream sent, as an ISBN-13;
    anything else (an EAN that is no ISBN, a number, junk) is passed over."""
    for value in values if isinstance(values, list) else ():
        try:
            return parse_isbn(str(value))
        except IdentifierError:
            continue
    return None


def parse_book_id(text: str) -> BookId:
    """An ASIN, ISBN-10 or ISBN-13, with hyphens, spaces or an "ISBN:" label.

    :raises IdentifierError: with a message an admin can act on.
    """
    typed = " ".join(text.split())
    value = compact(text)
    if not value:
        raise IdentifierError("no ASIN or ISBN given")
    if len(value) == 13 or _ISBN10.match(value):
        isbn = parse_isbn(text)
        return BookId(typed, asin=isbn13_to_10(isbn), isbn=isbn)
    if _ASIN.match(value) and not value.isdigit():
        return BookId(typed, asin=value)
    raise IdentifierError(
        f"{_quoted(typed)} is not an ASIN (10 letters and digits)"
        " or an ISBN (10 or 13 digits)"
    )


def split_line(line: str) -> tuple[BookId, str | None]:
    """``978-0-316-76948-8  Signed copy`` -> the book and its note.

    The identifier is the shortest run of leading words that is a valid
    ASIN or ISBN, so ISBNs written in groups ("978 0 316 76948 8") work.

    :raises IdentifierError: if the line does not start with one.
    """
    words = line.split()
    start = 1 if words and _LABEL.fullmatch(words[0]) else 0
    for end in range(start + 1, min(len(words), start + _MAX_TOKENS) + 1):
        try:
            book = parse_book_id(" ".join(words[start:end]))
        except IdentifierError:
            continue
        note = _NOTE_SEPARATOR.sub("", " ".join(words[end:])) or None
        return book, note
    # Explain the longest run of ISBN-like groups, else the first word.
    groups = list(takewhile(_GROUP.match, words[start : start + _MAX_TOKENS]))
    parse_book_id(" ".join(groups or words[start : start + 1]))
    raise IdentifierError("no ASIN or ISBN given")  # pragma: no cover - parsed above


def parse_lines(lines: Iterable[str]) -> tuple[list[ManualItem], list[LineError]]:
    """Items in the admin's order and one error per bad line.

    Blank lines are skipped; a book named twice (even once as ISBN-10 and
    once as ISBN-13) is an error on its second line.
    """
    items: list[ManualItem] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            book, note = split_line(line)
        except IdentifierError as exc:
            errors.append(LineError(number, str(exc)))
            continue
        if book.key in seen:
            errors.append(
                LineError(
                    number, f"{_quoted(book.typed)} repeats line {seen[book.key]}"
                )
            )
            continue
        seen[book.key] = number
        items.append(ManualItem(book, note))
    return items, errors
