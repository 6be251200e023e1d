"""Creators API JSON shapes the stub-server answers with (see AMAZON.md)."""

from __future__ import annotations

from typing import Any

from widget.catalog.stub import StubItem
from widget.catalog.stub import words

#: The stub's one website sales-rank category, as Amazon names Books.
BOOKS_NODE = {"displayName": "Books", "contextFreeName": "Books", "id": "283155"}


def error(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "message": message} | extra


def not_found(resource_type: str, resource_id: str) -> dict[str, Any]:
    # Amazon's docs show this one error with the ``__type`` spelling; serving
    # it that way keeps clients honest about reading both.
    return {
        "__type": "com.amazon.creators#ResourceNotFoundException",
        "message": f"No {resource_type} matches the request.",
        "resourceType": resource_type,
        "resourceId": resource_id,
    }


def relevance_order(items: list[StubItem], keywords: str) -> list[StubItem]:
    """Amazon's order is not by sales rank: most matching words first."""
    wanted = words(keywords)
    return sorted(
        items, key=lambda i: (-len(wanted & (i.keywords | words(i.title))), i.asin)
    )


def item_json(
    item: StubItem,
    resources: set[str],
    *,
    marketplace: str,
    partner_tag: str,
    image_base: str,
) -> dict[str, Any]:
    """One item with only the resources asked for (the title always)."""
    info: dict[str, Any] = {
        "title": {"displayValue": item.title, "label": "Title", "locale": "en_US"}
    }
    if "itemInfo.byLineInfo" in resources and item.authors:
        info["byLineInfo"] = {
            "contributors": [
                {"name": a, "role": "Author", "roleType": "author", "locale": "en_US"}
                for a in item.authors
            ]
        }
    out: dict[str, Any] = {
        "asin": item.asin,
        "detailPageURL": (
            f"https://{marketplace}/dp/{item.asin}"
            f"?tag={partner_tag}&linkCode=ogi&th=1&psc=1"
        ),
        "itemInfo": info,
    }
    if "images.primary.medium" in resources and item.image:
        url = item.image.url
        if url.startswith("/"):
            url = image_base.rstrip("/") + url
        medium = {"url": url, "height": item.image.height, "width": item.image.width}
        out["images"] = {"primary": {"medium": medium}}
    listing = _listing(item, resources)
    if listing:
        out["offersV2"] = {"listings": [listing]}
    if "customerReviews.starRating" in resources and item.rating is not None:
        out["customerReviews"] = {"starRating": {"value": item.rating}}
    if "browseNodeInfo.websiteSalesRank" in resources and item.sales_rank:
        out["browseNodeInfo"] = {
            "websiteSalesRank": {"salesRank": item.sales_rank} | BOOKS_NODE
        }
    return out


def _listing(item: StubItem, resources: set[str]) -> dict[str, Any]:
    listing: dict[str, Any] = {}
    if "offersV2.listings.price" in resources and item.price:
        money = {
            "amount": item.price.amount,
            "currency": item.price.currency,
            "displayAmount": item.price.display,
        }
        listing["price"] = {"money": money}
    if "offersV2.listings.availability" in resources and item.availability:
        message = item.availability.replace("_", " ").capitalize()
        listing["availability"] = {"type": item.availability, "message": message}
    if listing and "offersV2.listings.isBuyBoxWinner" in resources:
        listing["isBuyBoxWinner"] = True
    return listing


def sparse(item: dict[str, Any]) -> dict[str, Any]:
    """An item with its title and link but nothing else (no cover, price,
    authors or rank): the least a widget must render without breaking."""
    title = (item.get("itemInfo") or {}).get("title")
    return {
        "asin": item["asin"],
        "detailPageURL": item.get("detailPageURL"),
        "itemInfo": {"title": title},
    }
