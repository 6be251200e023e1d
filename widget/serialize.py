"""Plain-dict forms of the models, for the stores, the JSON API and exports.

One place decides the wire shape, so a snapshot written by one store (or
one version of the service) reads back the same through another.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from widget.models import HistoryEntry
from widget.models import Image
from widget.models import Price
from widget.models import Product
from widget.models import RefreshError
from widget.models import Saving
from widget.models import Source
from widget.models import Topic
from widget.models import TopicState
from widget.models import TopList
from widget.topics import TOPIC_FIELDS


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: 2026-11-26T14:11:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def topic_to_dict(topic: Topic) -> dict[str, Any]:
    """A topic's JSON (API answers, exports and both stores), field by field
    as ``widget.topics`` declares them."""
    return {f.name: f.kind.dump(getattr(topic, f.name)) for f in TOPIC_FIELDS}


def topic_from_dict(data: dict[str, Any]) -> Topic:
    """``topic_to_dict``'s inverse; fields it lacks take ``Topic``'s defaults."""
    return Topic(
        **{f.name: f.kind.load(data[f.name]) for f in TOPIC_FIELDS if f.name in data}
    )


def _image_to_dict(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {"url": image.url, "width": image.width, "height": image.height}


def _image_from_dict(data: Any) -> Image | None:
    if not data:
        return None
    return Image(data["url"], data["width"], data["height"])


def _price_to_dict(price: Price | None) -> dict[str, Any] | None:
    if price is None:
        return None
    return {
        "amount": price.amount,
        "currency": price.currency,
        "display": price.display,
    }


def _price(data: dict[str, Any]) -> Price:
    return Price(float(data["amount"]), data["currency"], data["display"])


def _price_from_dict(data: Any) -> Price | None:
    return _price(data) if data else None


def product_to_dict(product: Product) -> dict[str, Any]:
    saving = product.saving
    return {
        "asin": product.asin,
        "title": product.title,
        "url": product.url,
        "authors": list(product.authors),
        "image": _image_to_dict(product.image),
        "large_image": _image_to_dict(product.large_image),
        "price": _price_to_dict(product.price),
        "list_price": _price_to_dict(product.list_price),
        "saving": (
            None
            if saving is None
            else {
                "amount": saving.money.amount,
                "currency": saving.money.currency,
                "display": saving.money.display,
                "percentage": saving.percentage,
            }
        ),
        "availability": product.availability,
        "rating": product.rating,
        "reviews": product.reviews,
        "sales_rank": product.sales_rank,
        "published": None
        if product.published is None
        else product.published.isoformat(),
        "isbn": product.isbn,
        "note": product.note,
    }


def product_from_dict(data: dict[str, Any]) -> Product:
    """A product as stored; fields added since a snapshot was written are None."""
    saving = data.get("saving") or None
    published = data.get("published")
    return Product(
        asin=data["asin"],
        title=data["title"],
        url=data["url"],
        authors=tuple(data.get("authors") or ()),
        image=_image_from_dict(data.get("image")),
        price=_price_from_dict(data.get("price")),
        availability=data.get("availability"),
        rating=data.get("rating"),
        sales_rank=data.get("sales_rank"),
        reviews=data.get("reviews"),
        list_price=_price_from_dict(data.get("list_price")),
        saving=(
            None
            if saving is None
            else Saving(_price(saving), int(saving["percentage"]))
        ),
        published=None if not published else date.fromisoformat(published),
        isbn=data.get("isbn"),
        large_image=_image_from_dict(data.get("large_image")),
        note=data.get("note"),
    )


def toplist_to_dict(snapshot: TopList) -> dict[str, Any]:
    return {
        "slug": snapshot.slug,
        "updated_at": iso(snapshot.updated_at),
        "source": {
            "catalog": snapshot.source.catalog,
            "marketplace": snapshot.source.marketplace,
            "partner_tag": snapshot.source.partner_tag,
        },
        "products": [product_to_dict(p) for p in snapshot.products],
        "previous": None if snapshot.previous is None else list(snapshot.previous),
    }


def toplist_from_dict(data: dict[str, Any]) -> TopList:
    return TopList(
        slug=data["slug"],
        products=tuple(product_from_dict(p) for p in data["products"]),
        updated_at=parse_iso(data["updated_at"]),
        source=source_from_stored(data["source"]),
        previous=None if data.get("previous") is None else tuple(data["previous"]),
    )


def source_from_stored(data: str | dict[str, Any]) -> Source:
    """Lists stored before sources were recorded name only their catalog."""
    if isinstance(data, str):
        return Source(data)
    return Source(data["catalog"], data.get("marketplace"), data.get("partner_tag"))


def error_to_dict(error: RefreshError) -> dict[str, Any]:
    return {"message": error.message, "kind": error.kind, "at": iso(error.at)}


def error_from_dict(data: dict[str, Any]) -> RefreshError:
    return RefreshError(data["message"], data["kind"], parse_iso(data["at"]))


def history_to_dict(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "at": iso(entry.at),
        "trigger": entry.trigger,
        "ok": entry.ok,
        "message": entry.message,
        "items_changed": entry.items_changed,
    }


def history_from_dict(data: dict[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        slug=data["slug"],
        at=parse_iso(data["at"]),
        trigger=data["trigger"],
        ok=bool(data["ok"]),
        message=data["message"],
        items_changed=int(data.get("items_changed", 0)),
    )


def state_from_stored(
    data: str,
    version: int | str,
    snapshot: str | None,
    error: str | None,
    last_attempt: str | None,
) -> TopicState:
    """A TopicState from the JSON columns (SQLite) or hash fields (Redis)
    that both stores keep per topic."""
    return TopicState(
        topic=topic_from_dict(json.loads(data)),
        version=int(version),
        snapshot=toplist_from_dict(json.loads(snapshot)) if snapshot else None,
        error=error_from_dict(json.loads(error)) if error else None,
        last_attempt=parse_iso(last_attempt) if last_attempt else None,
    )
