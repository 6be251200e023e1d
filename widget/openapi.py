"""``GET /openapi.json``: an OpenAPI 3.1 description of ``/api/v1``.

Kept beside the code it describes and checked by schemathesis
(tests/test_openapi.py), which calls every operation with generated input
and validates each answer against these schemas.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify

from widget.events import event_schema
from widget.fields import Slug
from widget.refresh import Outcome
from widget.services import services
from widget.topics import input_schema
from widget.topics import output_schema

bp = Blueprint("openapi", __name__)

NULLABLE_STRING = {"type": ["string", "null"]}
SLUG = Slug().input_schema()

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
TOPIC_SETTINGS = output_schema()
IMAGE = {
    "type": ["object", "null"],
    "properties": {
        "url": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
    },
}
PRICE: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {
        "amount": {"type": "number"},
        "currency": {"type": "string"},
        "display": {"type": "string"},
    },
}
PRODUCT = {
    "type": "object",
    "required": ["asin", "title", "url", "authors"],
    "properties": {
        "asin": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string", "pattern": "^https://"},
        "authors": {"type": "array", "items": {"type": "string"}},
        "image": IMAGE,
        "large_image": IMAGE,
        "price": PRICE,
        "list_price": PRICE,
        "saving": {
            "type": ["object", "null"],
            "properties": PRICE["properties"] | {"percentage": {"type": "integer"}},
        },
        "availability": NULLABLE_STRING,
        "rating": {"type": ["number", "null"]},
        "reviews": {"type": ["integer", "null"]},
        "sales_rank": {"type": ["integer", "null"]},
        "published": {"type": ["string", "null"], "format": "date"},
        "isbn": {"type": ["string", "null"], "description": "ISBN-13"},
        "note": NULLABLE_STRING,
    },
}
STATUS = {"type": "string", "enum": ["fresh", "stale", "failing", "pending"]}
TOPIC_SUMMARY = {
    "type": "object",
    "required": ["slug", "title", "last_update", "status", "widget_url"],
    "properties": {
        "slug": SLUG,
        "title": {"type": "string"},
        "last_update": {"type": ["string", "null"], "format": "date-time"},
        "status": STATUS,
        "widget_url": {"type": "string", "format": "uri"},
    },
}
TOPIC_DETAIL = {
    "allOf": [
        {"$ref": "#/components/schemas/TopicSummary"},
        {
            "type": "object",
            "required": ["topic", "products", "source", "disclosure", "error", "embed"],
            "properties": {
                "topic": {"$ref": "#/components/schemas/TopicSettings"},
                "products": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Product"},
                },
                "source": NULLABLE_STRING,
                "disclosure": {"type": "string"},
                "store": {
                    "type": "string",
                    "description": "The key of the store whose list this is.",
                },
                "prices_as_of": {"type": ["string", "null"], "format": "date-time"},
                "embed": {
                    "type": "object",
                    "description": "HTML to paste: embed.js (recommended) or an iframe",
                    "required": ["script", "iframe"],
                    "properties": {
                        "script": {"type": "string"},
                        "iframe": {"type": "string"},
                    },
                },
                "error": {
                    "type": ["object", "null"],
                    "properties": {
                        "message": {"type": "string"},
                        "kind": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                    },
                },
            },
        },
    ]
}


TOPIC_INPUT = input_schema()
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
REFRESH_RESULT = {
    "type": "object",
    "required": ["slug", "outcome", "refreshed", "busy", "items", "items_changed"],
    "properties": {
        "slug": SLUG,
        "outcome": {"type": "string", "enum": [o.value for o in Outcome]},
        "refreshed": {"type": "boolean", "description": "a new list was saved"},
        "busy": {"type": "boolean"},
        "items": {"type": "integer"},
        "items_changed": {
            "type": "integer",
            "description": "ranks now holding a different product",
        },
        "error": {"type": ["object", "null"]},
    },
}
REFRESH_OUTCOME = {
    "allOf": [
        {"$ref": "#/components/schemas/TopicDetail"},
        {"$ref": "#/components/schemas/RefreshResult"},
    ]
}
JOB = {
    "type": "object",
    "description": "A refresh running in the background, or its end.",
    "required": ["id", "kind", "state", "started_at", "results", "refreshed"]
    + ["failed", "left"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "kind": {"type": "string", "enum": ["refresh", "refresh_all"]},
        "slug": {"type": ["string", "null"]},
        "state": {
            "type": "string",
            "enum": ["running", "done", "failed", "lost"],
            "description": "lost: the worker running it stopped before the end",
        },
        "started_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "finished_at": NULLABLE_TIME,
        "results": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/RefreshResult"},
        },
        "refreshed": {"type": "integer"},
        "failed": {"type": "integer"},
        "left": {
            "type": "array",
            "items": SLUG,
            "description": "topics not reached before the time limit",
        },
        "error": {"type": ["string", "null"]},
    },
}
JOB_ACCEPTED = {
    "description": "Still running: follow the job at Location",
    "headers": {"Location": {"schema": {"type": "string"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
}
TOPIC_LIST = {
    "type": "object",
    "required": ["topics"],
    "properties": {
        "topics": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/TopicSummary"},
        }
    },
}


COUNTS_ROW = {
    "type": "object",
    "required": ["impressions", "clicks", "unique_clicks", "ctr"],
    "properties": {
        "impressions": {"type": "integer", "minimum": 0},
        "clicks": {"type": "integer", "minimum": 0},
        "unique_clicks": {"type": "integer", "minimum": 0},
        "ctr": {"type": ["number", "null"], "minimum": 0},
    },
}


def counts_by(key: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {key: {"type": "string"}} | (extra or {})
    return {
        "type": "array",
        "items": {"allOf": [COUNTS_ROW, {"type": "object", "properties": properties}]},
    }


TOPIC_STATS = {
    "type": "object",
    "required": ["topic", "days", "total", "items", "pages", "stores"],
    "properties": {
        "topic": SLUG,
        "days": counts_by("day"),
        "total": COUNTS_ROW,
        "items": counts_by("asin", {"title": {"type": ["string", "null"]}}),
        "pages": counts_by("page"),
        "stores": counts_by("store"),
    },
}


def json_response(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        },
    }


ERRORS = {
    "400": json_response("Error", "Bad input"),
    "404": json_response("Error", "No such topic"),
}
ADMIN_ERRORS = {
    "400": json_response("Error", "Bad input, with a message per field"),
    "401": json_response("Error", "No admin token sent"),
    "403": json_response("Error", "Wrong admin token"),
    "413": json_response("Error", "Body too large"),
    "429": json_response("Error", "Too many failed tokens from this client"),
    "503": json_response("Error", "No admin token configured on the server"),
}
ADMIN: dict[str, Any] = {"security": [{"adminToken": []}]}
TOPIC_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/TopicInput"}}
    },
}
SLUG_PARAMETER = {"name": "slug", "in": "path", "required": True, "schema": SLUG}


def store_parameter() -> dict[str, Any]:
    """``store``: one of the stores this service is configured for."""
    choices = services().store_choices
    keys = [choices.default, *dict(choices.others)]
    return {
        "name": "store",
        "in": "query",
        "required": False,
        "description": "A configured store key (WIDGET_AMAZON_STORES): that"
        " store's list; the default store's when left out.",
        "schema": {"type": "string", "enum": keys},
    }


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The topic's ETag as read: a change made meanwhile gives 412.",
    "schema": {"type": "string"},
}
CHANGE_TOPIC: dict[str, Any] = {
    **ADMIN,
    "description": "Changes only the given fields; concurrent changes to other"
    " fields are kept.",
    "parameters": [SLUG_PARAMETER, IF_MATCH],
    "requestBody": TOPIC_BODY,
    "responses": {
        "200": json_response("TopicDetail", "Changed"),
        "404": json_response("Error", "No such topic"),
        "409": json_response("Error", "Too many concurrent changes; try again"),
        "412": json_response("Error", "The topic changed since the If-Match ETag"),
        **ADMIN_ERRORS,
    },
}


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Book widgets API",
            "version": "1",
            "description": "Topics and their current top-ten lists. Admin operations"
            " need `Authorization: Bearer <WIDGET_ADMIN_TOKEN>`.",
        },
        "paths": {
            "/api/v1/topics": {
                "get": {
                    "operationId": "listTopics",
                    "responses": {
                        "200": json_response("TopicList", "Every topic"),
                    },
                },
                "post": {
                    "operationId": "createTopic",
                    **ADMIN,
                    "requestBody": TOPIC_BODY,
                    "responses": {
                        "201": json_response("TopicDetail", "Created"),
                        "409": json_response("Error", "The slug is taken"),
                        **ADMIN_ERRORS,
                    },
                },
            },
            "/api/v1/topics/{slug}": {
                "get": {
                    "operationId": "getTopic",
                    "parameters": [SLUG_PARAMETER, store_parameter()],
                    "responses": {
                        "200": json_response("TopicDetail", "The topic and its list"),
                        **ERRORS,
                    },
                },
                "put": CHANGE_TOPIC | {"operationId": "changeTopic"},
                "patch": CHANGE_TOPIC | {"operationId": "patchTopic"},
                "delete": {
                    "operationId": "removeTopic",
                    **ADMIN,
                    "parameters": [SLUG_PARAMETER],
                    "responses": {
                        "204": {"description": "Removed"},
                        "404": json_response("Error", "No such topic"),
                        **ADMIN_ERRORS,
                    },
                },
            },
            "/api/v1/topics/{slug}/refresh": {
                "post": {
                    "operationId": "refreshTopic",
                    **ADMIN,
                    "parameters": [SLUG_PARAMETER, store_parameter()],
                    "responses": {
                        "200": json_response("RefreshOutcome", "The new list"),
                        "202": JOB_ACCEPTED,
                        "404": json_response("Error", "No such topic"),
                        "409": json_response(
                            "RefreshOutcome", "Another worker is refreshing it"
                        ),
                        "502": json_response(
                            "RefreshOutcome",
                            "The upstream failed; the list still served",
                        ),
                        **ADMIN_ERRORS,
                    },
                }
            },
            "/api/v1/refresh": {
                "post": {
                    "operationId": "refreshAll",
                    **ADMIN,
                    "parameters": [
                        {
                            "name": "due",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["0", "1"]},
                        }
                    ],
                    "responses": {
                        "200": json_response("Job", "What each topic did"),
                        "202": JOB_ACCEPTED,
                        **ADMIN_ERRORS,
                    },
                }
            },
            "/api/v1/topics/{slug}/stats": {
                "get": {
                    "operationId": "topicStats",
                    **ADMIN,
                    "description": "Impressions, clicks, unique clicks and"
                    " click-through rate per day (oldest first), item, embedding"
                    " page and store.",
                    "parameters": [
                        SLUG_PARAMETER,
                        {
                            "name": "days",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 366},
                        },
                    ],
                    "responses": {
                        "200": json_response("TopicStats", "The topic's counts"),
                        "404": json_response("Error", "No such topic"),
                        **ADMIN_ERRORS,
                    },
                }
            },
            "/api/v1/events": {
                "post": {
                    "operationId": "postEvent",
                    "description": "A widget's click or impression beacon (sent"
                    " with navigator.sendBeacon as text/plain). 204 whether or not"
                    " it counted.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            media: {"schema": {"$ref": "#/components/schemas/Event"}}
                            for media in ("text/plain", "application/json")
                        },
                    },
                    "responses": {
                        "204": {"description": "Taken"},
                        "400": json_response("Error", "Not an event"),
                        "403": json_response("Error", "Origin not allowed"),
                        "404": json_response("Error", "Counting is off"),
                        "413": json_response("Error", "Body too large"),
                        "429": json_response("Error", "Too many from this address"),
                        "503": json_response("Error", "Store unreachable"),
                    },
                }
            },
            "/api/v1/jobs/{job_id}": {
                "get": {
                    "operationId": "getJob",
                    **ADMIN,
                    "parameters": [
                        {
                            "name": "job_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": json_response("Job", "The job, running or ended"),
                        "404": json_response("Error", "No such job (or expired)"),
                        **ADMIN_ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "TopicSettings": TOPIC_SETTINGS,
                "Product": PRODUCT,
                "TopicSummary": TOPIC_SUMMARY,
                "TopicDetail": TOPIC_DETAIL,
                "TopicList": TOPIC_LIST,
                "TopicInput": TOPIC_INPUT,
                "RefreshResult": REFRESH_RESULT,
                "RefreshOutcome": REFRESH_OUTCOME,
                "Job": JOB,
                "TopicStats": TOPIC_STATS,
                "Event": event_schema(),
            },
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())
