"""Request bodies read with a limit, whether sent with a length or chunked."""

from __future__ import annotations

from flask import request

from widget.errors import PayloadTooLarge


def read_body(limit: int, why: str) -> bytes:
    """The request body, at most ``limit`` bytes; ``why`` ends the message.

    :raises PayloadTooLarge: past ``limit``.
    """
    too_large = PayloadTooLarge(f"The body is larger than {limit} bytes; {why}.")
    length = request.content_length
    if length is not None:
        if length > limit:
            raise too_large
        return request.get_data(cache=False)
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # no length and no chunking: there is no body
    raw: bytes = request.environ["wsgi.input"].read(limit + 1)
    if len(raw) > limit:
        raise too_large
    return raw
