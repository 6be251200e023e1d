"""Open Library's books API: titles, authors, covers and dates by ISBN.

``GET /api/books?bibkeys=ISBN:a,ISBN:b&format=json&jscmd=data`` answers a
JSON object keyed by the bibkeys it knows (unknown ISBNs are simply
absent), each with ``title``, ``subtitle``, ``authors[].name``,
``identifiers.isbn_13``, ``publish_date`` (free text) and, when the edition
has one, ``cover.{small,medium,large}``: covers.openlibrary.org URLs by
cover id, which are hot-linked as they are (lookups by cover id are not
rate-limited per visitor, by ISBN they are).

Every failure leaves as a ``CatalogError`` (see ``widget.catalog.base``):
timeouts, refused connections and 5xx are ``CatalogUnavailable``, 429 is
``CatalogThrottled``, a 404 (a wrong ``WIDGET_OPENLIBRARY_URL``) is a
``CatalogConfigError`` and an unreadable answer ``CatalogBadResponse``.
One odd entry only costs its own data: the book then counts as unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import requests

from widget.catalog.base import CatalogBadResponse
from widget.catalog.base import CatalogConfigError
from widget.catalog.base import CatalogError
from widget.catalog.base import CatalogThrottled
from widget.catalog.base import CatalogUnavailable
from widget.catalog.dates import parse_published
from widget.catalog.identifiers import first_isbn
from widget.config import OPENLIBRARY_TIMEOUT
from widget.models import Image

log = logging.getLogger(__name__)

#: ISBNs per request: one call for a whole hand-picked list, short URLs.
BATCH_SIZE = 20
#: Open Library sends no cover sizes; these are the usual "-M" and "-L"
#: boxes (2:3), enough for the width/height attributes that keep layouts
#: from jumping while the covers load.
MEDIUM_COVER = (180, 270)
LARGE_COVER = (360, 540)
#: Open Library asks API clients to name themselves.
USER_AGENT = "book-widget (self-hosted affiliate book boxes; manual lists)"


@dataclass(frozen=True)
class OpenBook:
    """What Open Library knows about one edition."""

    title: str
    authors: tuple[str, ...] = ()
    cover: Image | None = None
    large_cover: Image | None = None
    published: date | None = None
    isbn: str | None = None


class OpenLibrary:
    """A client for the books API, with its session and timeouts injected."""

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        timeout: tuple[float, float] = OPENLIBRARY_TIMEOUT,
        batch_size: int = BATCH_SIZE,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.batch_size = batch_size
        self.user_agent = user_agent

    def books(self, isbns: Sequence[str]) -> dict[str, OpenBook]:
        """The books Open Library knows, keyed by the ISBN-13s asked for.

        :raises CatalogError: when a batch cannot be fetched or read.
        """
        wanted = list(dict.fromkeys(isbns))
        found: dict[str, OpenBook] = {}
        for start in range(0, len(wanted), self.batch_size):
            batch = wanted[start : start + self.batch_size]
            data = self._get(batch)
            for isbn in batch:
                book = to_open_book(data.get(f"ISBN:{isbn}"))
                if book is not None:
                    found[isbn] = book
        return found

    def close(self) -> None:
        self.session.close()

    def _get(self, isbns: list[str]) -> dict[str, Any]:
        params = {
            "bibkeys": ",".join(f"ISBN:{isbn}" for isbn in isbns),
            "format": "json",
            "jscmd": "data",
        }
        try:
            response = self.session.get(
                f"{self.base_url}/api/books",
                params=params,
                headers={"User-Agent": self.user_agent, "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise CatalogUnavailable(
                f"Open Library: {type(exc).__name__} fetching {len(isbns)} books"
            ) from exc
        if response.status_code != 200:
            raise _status_error(response)
        try:
            data = response.json()
        except ValueError as exc:
            raise CatalogBadResponse("Open Library: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise CatalogBadResponse("Open Library: the answer is not a JSON object")
        return data


def _status_error(response: requests.Response) -> CatalogError:
    status = response.status_code
    if status == 429:
        try:
            wait: float | None = float(response.headers.get("Retry-After", ""))
        except ValueError:
            wait = None
        return CatalogThrottled("Open Library asked us to slow down", wait)
    if status >= 500:
        return CatalogUnavailable(f"Open Library answered HTTP {status}")
    if status == 404:
        return CatalogConfigError(
            "Open Library has no books API at this address: check"
            " WIDGET_OPENLIBRARY_URL"
        )
    return CatalogBadResponse(f"Open Library answered HTTP {status}")


def to_open_book(entry: Any) -> OpenBook | None:
    """One entry of the answer, or None if it has no usable title."""
    if not isinstance(entry, dict):
        return None
    title = _text(entry.get("title"))
    if title is None:
        return None
    subtitle = _text(entry.get("subtitle"))
    cover = _object(entry.get("cover"))
    identifiers = _object(entry.get("identifiers"))
    return OpenBook(
        title=f"{title}: {subtitle}" if subtitle else title,
        authors=_authors(entry.get("authors")),
        cover=_cover(cover.get("medium"), MEDIUM_COVER),
        large_cover=_cover(cover.get("large"), LARGE_COVER),
        published=parse_published(entry.get("publish_date")),
        isbn=first_isbn(identifiers.get("isbn_13")),
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _authors(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    names = (_text(a.get("name")) for a in raw if isinstance(a, dict))
    return tuple(dict.fromkeys(name for name in names if name))


def _cover(url: Any, size: tuple[int, int]) -> Image | None:
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return Image(url, *size)
