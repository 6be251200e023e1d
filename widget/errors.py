"""Errors that carry their HTTP status and a message safe to show anyone.

One handler answers JSON (``{"error": {"code", "message"}}``) under ``/api``
and to clients that prefer JSON, and a small HTML page to everyone else.
Nothing ever shows a traceback: an unreachable store is a 503 with
``Retry-After``; other unexpected exceptions are logged and answered with a
plain 500.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask import Response
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from widget.store.base import StoreError
from widget.store.base import TopicExists
from widget.store.base import TopicNotFound

log = logging.getLogger(__name__)


class WidgetError(Exception):
    """An error a request ends with: its HTTP ``status``, a stable ``code``
    for JSON clients and a message safe to show anyone. Subclasses set both
    in their class line: ``class NotFound(WidgetError, status=404, ...)``."""

    status = 400
    code = "bad_request"

    def __init_subclass__(cls, *, status: int = 0, code: str = "") -> None:
        super().__init_subclass__()
        cls.status = status or cls.status
        cls.code = code or cls.code

    def __init__(
        self,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.fields = fields  # per-field messages for JSON clients


class BadRequest(WidgetError): ...


class NotFound(WidgetError, status=404, code="not_found"): ...


class Conflict(WidgetError, status=409, code="conflict"): ...


class Unauthorized(WidgetError, status=401, code="unauthorized"): ...


class Forbidden(WidgetError, status=403, code="forbidden"): ...


class PreconditionFailed(WidgetError, status=412, code="precondition_failed"): ...


class PayloadTooLarge(WidgetError, status=413, code="payload_too_large"): ...


class TooManyRequests(WidgetError, status=429, code="too_many_requests"): ...


class ServiceUnavailable(WidgetError, status=503, code="unavailable"): ...


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path in (
        "/healthz",
        "/openapi.json",
    ):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
) -> Response:
    if wants_json():
        error: dict[str, object] = {"code": code, "message": message}
        if fields:
            error["fields"] = fields
        response = jsonify({"error": error})
    else:
        response = Response(
            render_template("errors/error.html", status=status, message=message),
            mimetype="text/html",
        )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WidgetError)
    def handle_widget_error(error: WidgetError) -> Response:
        return error_response(
            error.status, error.code, error.message, error.headers, error.fields
        )

    @app.errorhandler(StoreError)
    def handle_store_error(error: StoreError) -> Response:
        # Views translate these two; a stray one still gets its right status.
        if isinstance(error, TopicNotFound):
            return error_response(
                404, "not_found", f"There is no topic called {str(error)!r}."
            )
        if isinstance(error, TopicExists):
            return error_response(
                409, "conflict", f"A topic called {str(error)!r} exists already."
            )
        # The store is down: widgets a worker holds in memory are still
        # served (ListService); anything that needs the store waits for it.
        log.warning(
            "store unavailable on %s %s: %s", request.method, request.path, error
        )
        return error_response(
            503,
            "store_unavailable",
            "The list store cannot be reached right now; please try again shortly.",
            {"Retry-After": "30"},
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        headers = dict(error.get_headers()) if status == 405 else {}
        headers.pop("Content-Type", None)
        return error_response(status, code, error.description or error.name, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            500,
            "internal_error",
            "Something went wrong on our side; it has been logged.",
        )
