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

bp = Blueprint("openapi", __name__)

NULLABLE_STRING = {"type": ["string", "null"]}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64}

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
TOPIC_SETTINGS = {
    "type": "object",
    "required": ["slug", "title", "keywords", "search_index", "item_count"],
    "properties": {
        "slug": SLUG,
        "title": {"type": "string"},
        "keywords": {"type": "string"},
        "search_index": {"type": "string"},
        "browse_node": NULLABLE_STRING,
        "sort_by": NULLABLE_STRING,
        "item_count": {"type": "integer", "minimum": 1, "maximum": 10},
        "refresh_interval": {"type": "integer", "description": "seconds"},
        "pages": {"type": "integer", "minimum": 1, "maximum": 3},
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
        "image": {
            "type": ["object", "null"],
            "properties": {
                "url": {"type": "string"},
                "width": {"type": "integer"},
                "height": {"type": "integer"},
            },
        },
        "price": {
            "type": ["object", "null"],
            "properties": {
                "amount": {"type": "number"},
                "currency": {"type": "string"},
                "display": {"type": "string"},
            },
        },
        "availability": NULLABLE_STRING,
        "rating": {"type": ["number", "null"]},
        "sales_rank": {"type": ["integer", "null"]},
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
            "required": ["topic", "products", "source", "disclosure", "error"],
            "properties": {
                "topic": {"$ref": "#/components/schemas/TopicSettings"},
                "products": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Product"},
                },
                "source": NULLABLE_STRING,
                "disclosure": {"type": "string"},
                "prices_as_of": {"type": ["string", "null"], "format": "date-time"},
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
SLUG_PARAMETER = {"name": "slug", "in": "path", "required": True, "schema": SLUG}


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
                }
            },
            "/api/v1/topics/{slug}": {
                "get": {
                    "operationId": "getTopic",
                    "parameters": [SLUG_PARAMETER],
                    "responses": {
                        "200": json_response("TopicDetail", "The topic and its list"),
                        **ERRORS,
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
            },
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())
