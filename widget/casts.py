"""Casts that check a setting's shape, not only its type: footer
placeholders, number ranges, URLs, host names and CSP source lists.

Each takes the raw value and returns the cleaned one, or raises
``ValueError`` with a message that ``load_config`` puts after the setting's
name. Whatever passes here cannot break a widget later.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

#: The placeholders a footer may (and, for ``{date}``, must) contain.
FOOTER_FIELDS = frozenset({"date"})

# A CSP source expression (CSP 3, "source-list"), as frame-ancestors takes it:
# a keyword, a scheme ("https:") or a host source with optional scheme,
# wildcard subdomain, port and path. Nothing that could end the directive.
_KEYWORDS = frozenset({"'self'", "'none'"})
_SCHEME = r"[a-zA-Z][a-zA-Z0-9+.-]*"
_HOST_SOURCE = re.compile(
    rf"^(?:{_SCHEME}://)?"
    r"(?:\*|(?:\*\.)?[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)"
    r"(?::(?:\d{1,5}|\*))?"
    r"(?:/[A-Za-z0-9._~%!$&'()*+=:@/-]*)?$"
)
_SCHEME_SOURCE = re.compile(rf"^{_SCHEME}:$")
_HOSTNAME = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$"
)


def to_footer(value: Any) -> str:
    """A footer line with ``{date}`` and no other placeholder.

    ``{{`` and ``}}`` stand for literal braces, as in ``str.format``.
    """
    text = str(value).strip()
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError:
        raise ValueError(
            "has a stray { or } (write {{ or }} for a literal brace)"
        ) from None
    for name in fields:
        if name not in FOOTER_FIELDS:
            raise ValueError(
                f"has the placeholder {{{name}}}; the only one is {{date}}"
                if name
                else "has an empty placeholder {}; the only one is {date}"
            )
    if "date" not in fields:
        raise ValueError("must contain {date} (Amazon requires the last update date)")
    try:
        text.format(date="2026-11-26")
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ValueError(f"cannot be filled in ({exc})") from None
    return text


def whole_at_least(low: int) -> Callable[[Any], int]:
    def cast(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("expected a whole number")
        number = value if isinstance(value, int) else int(str(value).strip())
        if number < low:
            raise ValueError(f"must be at least {low}")
        return number

    return cast


def whole_in(low: int, high: int) -> Callable[[Any], int]:
    """A whole number from ``low`` to ``high``."""
    at_least = whole_at_least(low)

    def cast(value: Any) -> int:
        number = at_least(value)
        if number > high:
            raise ValueError(f"must be from {low} to {high}")
        return number

    return cast


def float_in(low: float, high: float) -> Callable[[Any], float]:
    """A finite number with ``low < value <= high``."""

    def cast(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("expected a number")
        number = float(value)
        if not math.isfinite(number) or not low < number <= high:
            raise ValueError(
                f"must be a number greater than {low:g} and at most {high:g}"
            )
        return number

    return cast


def to_frame_ancestors(value: Any) -> str:
    """CSP ``frame-ancestors`` sources, separated by spaces."""
    text = str(value).strip()
    if not text:
        raise ValueError("give at least one source, e.g. * or https://blog.example.com")
    if re.search(r"[^\x21-\x7e ]", text):
        raise ValueError(
            "may only hold sources separated by spaces (no line breaks or other"
            " control characters)"
        )
    sources = text.split()
    for source in sources:
        if source in _KEYWORDS or _SCHEME_SOURCE.match(source):
            continue
        if _HOST_SOURCE.match(source):
            continue
        raise ValueError(
            f"{source!r} is not a CSP source (examples: * 'self'"
            " https://blog.example.com https://*.example.com); separate sources"
            " with spaces, not commas or semicolons"
        )
    if "'none'" in sources and len(sources) > 1:
        raise ValueError("'none' cannot be combined with other sources")
    return " ".join(sources)


def to_base_url(value: Any) -> str:
    """An http(s) URL with a host and nothing after its path."""
    text = str(value).strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or re.search(r"[\x00-\x20\x7f]", text)
    ):
        raise ValueError("expected an http:// or https:// URL with a host name")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must not carry a query, a fragment or a user name")
    try:
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        raise ValueError("has a malformed port") from None
    return text.rstrip("/")


def to_optional_base_url(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return to_base_url(text) if text else None


def to_hostname(value: Any) -> str:
    text = str(value).strip().lower()
    if not _HOSTNAME.match(text) or len(text) > 253:
        raise ValueError("expected a host name such as www.amazon.com")
    return text


#: An Associates tracking id: letters, digits, dots and underscores in
#: hyphen-separated parts, ending with the two-digit store suffix ("-20").
PARTNER_TAG = re.compile(r"^[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-\d{2}$")


def to_partner_tag(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not PARTNER_TAG.match(text):
        raise ValueError("expected a tracking id such as mysite-20")
    return text
