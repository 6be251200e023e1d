"""Hand-picked book lists from a CSV file: ``widget topics import FILE.csv``.

One row per book, in the order the widget shows them, under a header
naming the columns (any order; ``note`` may be left out)::

    slug,title,identifier,note
    summer-reads,Summer reads,978-0-316-76948-8,Signed copy
    summer-reads,,B0STUBKND1,
    moon,Books about the Moon,0000000019,

Rows with the same ``slug`` make one manual topic (a blank slug is made
from the title). A new topic needs a title on one of its rows; an existing
topic keeps its other settings and gets ``catalog=manual`` with exactly the
file's books. Every row is checked before anything is written, and each bad
one is named by its line in the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from widget.fields import BookList
from widget.models import slugify
from widget.topics import FIELDS_BY_NAME

COLUMNS = ("slug", "title", "identifier", "note")
REQUIRED = ("identifier",)


class BookListsInvalid(ValueError):
    """The file cannot be imported; ``str()`` names every bad line."""


@dataclass
class BookListRows:
    slug: str
    title: str = ""
    #: (line in the file, {"asin": identifier, "note": note})
    entries: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_book_lists(lines: Iterable[str]) -> list[BookListRows]:
    """The file's topics, in the order they first appear.

    :raises BookListsInvalid: for a missing column or a row without a topic.
    """
    reader = csv.DictReader(lines)
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [c for c in REQUIRED if c not in header]
    if missing or not {"slug", "title"} & set(header):
        raise BookListsInvalid(
            "the first line must name the columns: slug, title, identifier, note"
            " (identifier and one of slug or title are required)"
        )
    reader.fieldnames = header
    topics: dict[str, BookListRows] = {}
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        text = {c: (row.get(c) or "").strip() for c in COLUMNS}
        if not any(text.values()):
            continue
        slug = text["slug"] or slugify(text["title"])
        if not slug:
            errors.append(f"line {line}: give a slug or a title")
            continue
        rows = topics.setdefault(slug, BookListRows(slug))
        rows.title = rows.title or text["title"]
        entry = {"asin": text["identifier"], "note": text["note"] or None}
        rows.entries.append((line, entry))
    if errors:
        raise BookListsInvalid("; ".join(errors))
    if not topics:
        raise BookListsInvalid("the file lists no books")
    return list(topics.values())


def topic_data(rows: BookListRows) -> dict[str, Any]:
    """The topic fields the rows give, their books checked line by line.

    :raises ValueError: naming each bad line.
    """
    kind = FIELDS_BY_NAME["items"].kind
    assert isinstance(kind, BookList)
    items = kind.parse_numbered(rows.entries, "line")
    data: dict[str, Any] = {
        "slug": rows.slug,
        "catalog": "manual",
        "items": kind.dump(items),
    }
    if rows.title:
        data["title"] = rows.title
    return data
