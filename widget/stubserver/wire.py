"""Creators API JSON shapes the stub-server answers with (see AMAZON.md)."""

from __future__ import annotations

from typing import Any

from widget.catalog.identifiers import isbn13_to_10
from widget.catalog.stub import StubItem
from widget.catalog.stub import newest_first
from widget.catalog.stub import words
from widget.models import Image
from widget.models import Price
from widget.models import saving_between

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


def relevance_order(
    items: list[StubItem], keywords: str, sort_by: str | None = None
) -> list[StubItem]:
    """Amazon's order is not by sales rank: most matching words first, or
    newest first for ``NewestArrivals`` (undated items last)."""
    if sort_by == "NewestArrivals":
        return newest_first(items)
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
    if "itemInfo.contentInfo" in resources and item.published:
        shown = f"{item.published.isoformat()}T00:00:01Z"  # as Amazon writes it
        info["contentInfo"] = {"publicationDate": _attribute(shown, "PublicationDate")}
    if "itemInfo.externalIds" in resources and item.isbn:
        # Amazon lists ISBN-10s under isbns and ISBN-13s under eans.
        ids = {"eans": _attribute([item.isbn], "EAN")}
        isbn10 = isbn13_to_10(item.isbn)
        if isbn10:
            ids["isbns"] = _attribute([isbn10], "ISBN")
        info["externalIds"] = ids
    out: dict[str, Any] = {
        "asin": item.asin,
        "detailPageURL": (
            f"https://{marketplace}/dp/{item.asin}"
            f"?tag={partner_tag}&linkCode=ogi&th=1&psc=1"
        ),
        "itemInfo": info,
    }
    primary = {
        size: _image(image, image_base)
        for size, image in (("medium", item.image), ("large", item.large_image))
        if f"images.primary.{size}" in resources and image
    }
    if primary:
        out["images"] = {"primary": primary}
    listing = _listing(item, resources)
    if listing:
        out["offersV2"] = {"listings": [listing]}
    reviews: dict[str, Any] = {}
    if "customerReviews.count" in resources and item.reviews is not None:
        reviews["count"] = item.reviews
    if "customerReviews.starRating" in resources and item.rating is not None:
        reviews["starRating"] = {"value": item.rating}
    if reviews:
        out["customerReviews"] = reviews
    if "browseNodeInfo.websiteSalesRank" in resources and item.sales_rank:
        out["browseNodeInfo"] = {
            "websiteSalesRank": {"salesRank": item.sales_rank} | BOOKS_NODE
        }
    return out


def _attribute(value: Any, label: str) -> dict[str, Any]:
    key = "displayValues" if isinstance(value, list) else "displayValue"
    return {key: value, "label": label, "locale": "en_US"}


def _image(image: Image, image_base: str) -> dict[str, Any]:
    url = image.url
    if url.startswith("/"):
        url = image_base.rstrip("/") + url
    return {"url": url, "height": image.height, "width": image.width}


def _money(price: Price) -> dict[str, Any]:
    return {
        "amount": price.amount,
        "currency": price.currency,
        "displayAmount": price.display,
    }


def _listing(item: StubItem, resources: set[str]) -> dict[str, Any]:
    listing: dict[str, Any] = {}
    if "offersV2.listings.price" in resources and item.price:
        listing["price"] = {"money": _money(item.price)}
        saving = saving_between(item.price, item.list_price)
        if saving is not None and item.list_price is not None:
            listing["price"]["savingBasis"] = {
                "money": _money(item.list_price),
                "savingBasisType": "LIST_PRICE",
                "savingBasisTypeLabel": "List Price",
            }
            listing["price"]["savings"] = {
                "money": _money(saving.money),
                "percentage": saving.percentage,
            }
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
