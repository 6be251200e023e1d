"""Request bodies as the stub-server reads them: JSON that cannot hurt it,
and the type each Creators API field must have. A body of the wrong shape
gets Amazon's 400 ``ValidationException``, never a 500."""

from __future__ import annotations

import json
from typing import Any

from flask import request


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


#: Request fields the stub reads, and the test each value must pass.
FIELDS = {
    "keywords": _text,
    "title": _text,
    "author": _text,
    "searchIndex": _text,
    "sortBy": _text,
    "browseNodeId": lambda v: _text(v) or _whole(v),
    "partnerTag": _text,
    "marketplace": _text,
    "itemCount": _whole,
    "itemPage": _whole,
    "resources": _texts,
    "itemIds": _texts,
}


def json_body() -> Any:
    """The body parsed as JSON, or None when it is not (too deep included)."""
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        return None


def wrong_types(body: dict[str, Any]) -> list[str]:
    """The fields present with a value of the wrong type."""
    return [
        name
        for name, fits in FIELDS.items()
        if body.get(name) is not None and not fits(body[name])
    ]
