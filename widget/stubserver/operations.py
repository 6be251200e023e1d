"""The catalog operations, ``searchItems`` and ``getItems``: Amazon's request
checks and error bodies, and the faults the stub-server was asked to inject.

A check that fails raises ``Refusal`` with the answer Amazon would give;
the blueprint's error handler sends it.
"""

from __future__ import annotations

import re
import time
from typing import Any
from typing import NoReturn

from flask import Blueprint
from flask import Response
from flask import g
from flask import jsonify
from flask import request

from widget.casts import PARTNER_TAG
from widget.catalog.stub import StubItem
from widget.catalog.stub import search
from widget.catalog.stub import store_key
from widget.stores import BY_HOST
from widget.stores import region_name
from widget.stubserver import wire
from widget.stubserver.checks import json_body
from widget.stubserver.checks import wrong_types
from widget.stubserver.state import StubState
from widget.stubserver.state import called

bp = Blueprint("stub_operations", __name__, url_prefix="/catalog/v1")

BEARER = re.compile(r"^Bearer ([^\s,]+)(?:, Version (\S+))?$")
UNAUTHORIZED = "UnauthorizedException"
INVALID = "ValidationException"


class Refusal(Exception):
    """An answer that takes the place of results."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@bp.errorhandler(Refusal)
def refused(refusal: Refusal) -> Response:
    return refusal.response


def refuse(status: int, body: Any, headers: dict[str, str] | None = None) -> NoReturn:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    raise Refusal(response)


def invalid(message: str, fields: list[str]) -> NoReturn:
    why = wire.error(INVALID, message, reason="FieldValidationFailed", fieldList=fields)
    refuse(400, why)


def check_token(state: StubState) -> str | None:
    """The region the bearer token serves (None: every region).

    :raises Refusal: 401 unless the bearer token is live and its version
    matches the family that issued it."""
    match = BEARER.match(request.headers.get("Authorization", ""))
    with state.lock:
        known = state.tokens.get(match.group(1)) if match else None
    if match is None or known is None:
        refuse(401, wire.error(UNAUTHORIZED, "Invalid token.", reason="InvalidToken"))
    family, expires, region = known
    if time.time() >= expires:
        refuse(401, wire.error(UNAUTHORIZED, "Token expired.", reason="TokenExpired"))
    version = match.group(2)
    if (family == "2") != bool(version and version.startswith("2.")):
        message = "Credential version does not match the token issuer."
        refuse(401, wire.error(UNAUTHORIZED, message, reason="InvalidIssuer"))
    return region


def check_region(region: str | None, marketplace: str) -> None:
    """:raises Refusal: 401 when a region's token asks for another region's
    marketplace, as Amazon refuses it."""
    market = BY_HOST.get(marketplace)
    if region is None or market is None or market.region == region:
        return
    message = f"A {region_name(region)} credential cannot serve {marketplace}."
    refuse(401, wire.error(UNAUTHORIZED, message, reason="InvalidIssuer"))


def checked_body(state: StubState) -> dict[str, Any]:
    """The request body, once token, body, marketplace and partner tag pass.

    :raises Refusal: with Amazon's answer to the first that does not.
    """
    region = check_token(state)
    body = json_body()
    if not isinstance(body, dict):
        refuse(
            400, wire.error(INVALID, "Cannot parse the request.", reason="CannotParse")
        )
    wrong = wrong_types(body)
    if wrong:
        invalid("Invalid type for " + ", ".join(wrong) + ".", wrong)
    if not request.headers.get("x-marketplace"):
        invalid("The x-marketplace header is required.", ["x-marketplace"])
    check_region(region, request.headers["x-marketplace"])
    tag = body.get("partnerTag")
    if not isinstance(tag, str) or not PARTNER_TAG.match(tag):
        message = f"The partner tag {tag!r} is invalid."
        refuse(400, wire.error(INVALID, message, reason="InvalidPartnerTag"))
    return body


def throttle(state: StubState) -> NoReturn:
    wait = state.options.retry_after
    body = wire.error(
        "ThrottleException", "Request rate exceeded.", retryAfterSeconds=wait
    )
    refuse(429, body, {"Retry-After": str(wait)})


def injected_fault(state: StubState) -> str | None:
    """Wait the configured latency, then play this call's fault, if any.

    :raises Refusal: for the faults that answer instead of results.
    :returns: "sparse" when results should lack all but titles and links.
    """
    if state.options.latency:
        time.sleep(state.options.latency)
    if state.options.throttle and not state.admit(int(g.arrived)):
        throttle(state)
    if state.options.ineligible:  # refused before any queued fault is played
        fault: str | None = "ineligible"
    else:
        fault = state.next_fault(request.headers.get("x-marketplace"))
    if fault == "ineligible":
        message = "The Associate is not eligible to use the Creators API."
        why = wire.error(
            "AccessDeniedException", message, reason="AssociateNotEligible"
        )
        refuse(403, why)
    if fault == "429":
        throttle(state)
    if fault in ("500", "503"):
        kind = "InternalServerException" if fault == "500" else "ServiceUnavailable"
        refuse(int(fault), wire.error(kind, "Try again."))
    if fault == "401":
        refuse(401, wire.error(UNAUTHORIZED, "Token expired.", reason="TokenExpired"))
    if fault == "hang":
        time.sleep(state.options.hang)
    if fault == "malformed":
        broken = '{"searchResult": {"items": ['
        raise Refusal(Response(broken, mimetype="application/json"))
    return fault if fault == "sparse" else None


def item_json(state: StubState, item: StubItem, body: dict[str, Any]) -> dict[str, Any]:
    marketplace = request.headers["x-marketplace"]
    return wire.item_json(
        item.in_store(store_key(marketplace)),
        set(body.get("resources") or ()),
        marketplace=marketplace,
        partner_tag=body["partnerTag"],
        image_base=state.options.image_base or request.host_url,
    )


def search_terms(body: dict[str, Any]) -> tuple[str, int, int]:
    """Keywords, item count and page of a search.

    :raises Refusal: naming every field out of bounds.
    """
    count, page = body.get("itemCount", 10), body.get("itemPage", 1)
    keywords = " ".join(
        str(body.get(k) or "") for k in ("keywords", "title", "author")
    ).strip()
    bad = [
        name
        for name, value in (("itemCount", count), ("itemPage", page))
        if not isinstance(value, int) or not 1 <= value <= 10
    ]
    if not keywords:
        bad.append("keywords")
    if bad:
        invalid("Invalid value for " + ", ".join(bad) + ".", bad)
    return keywords, count, page


@bp.post("/searchItems")
def search_items() -> Response:
    state = called("searchItems")
    body = checked_body(state)
    keywords, count, page = search_terms(body)
    fault = injected_fault(state)
    node = body.get("browseNodeId")
    index = str(body.get("searchIndex") or "All")
    found = search(state.items, keywords, index, None if node is None else str(node))
    order = wire.relevance_order(found, keywords, body.get("sortBy"))
    chunk = order[(page - 1) * count : page * count]
    if not chunk:
        refuse(404, wire.not_found("SearchResult", keywords))
    items = [item_json(state, item, body) for item in chunk]
    if fault == "sparse":
        items = [wire.sparse(item) for item in items]
    marketplace, tag = request.headers["x-marketplace"], body["partnerTag"]
    words = "+".join(keywords.split())
    url = f"https://{marketplace}/s/?field-keywords={words}&tag={tag}&linkCode=osi"
    result = {"totalResultCount": len(found), "searchURL": url, "items": items}
    return jsonify({"searchResult": result})


@bp.post("/getItems")
def get_items() -> Response:
    state = called("getItems")
    body = checked_body(state)
    ids = body.get("itemIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
        invalid("itemIds takes 1 to 10 ASINs.", ["itemIds"])
    injected_fault(state)
    known = [
        state.by_asin[str(i).upper()] for i in ids if str(i).upper() in state.by_asin
    ]
    if not known:
        refuse(404, wire.not_found("Item", ",".join(map(str, ids))))
    result: dict[str, Any] = {
        "itemsResult": {"items": [item_json(state, i, body) for i in known]}
    }
    missing = [i for i in ids if str(i).upper() not in state.by_asin]
    if missing:
        result["errors"] = [
            {
                "code": "InvalidParameterValue",
                "message": f"The ItemId {i} is not accessible through the API.",
            }
            for i in missing
        ]
    return jsonify(result)
