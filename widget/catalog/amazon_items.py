"""Reading Creators API JSON: items into ``Product``s, error bodies into words.

Any field may be missing or null (resources not requested, items without an
offer or a cover): every reader here returns ``None`` or an empty value
instead of raising, so one odd item never costs a whole list.
"""

from __future__ import annotations

from typing import Any

from widget.catalog.dates import parse_published
from widget.catalog.identifiers import first_isbn
from widget.models import Image
from widget.models import Price
from widget.models import Product
from widget.models import Saving
from widget.models import format_price
from widget.models import make_price
from widget.models import saving_between
from widget.text import clean_text
from widget.text import finite

#: The short resources list a widget needs (without it, only titles come back).
RESOURCES = [
    "itemInfo.title",
    "itemInfo.byLineInfo",
    "itemInfo.contentInfo",
    "itemInfo.externalIds",
    "images.primary.medium",
    "images.primary.large",
    "offersV2.listings.price",
    "offersV2.listings.availability",
    "offersV2.listings.isBuyBoxWinner",
    "customerReviews.count",
    "customerReviews.starRating",
    "browseNodeInfo.websiteSalesRank",
]


def dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or None where a level is missing."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def to_product(item: Any) -> Product | None:
    """The product for one item, or None if it lacks an ASIN, title or link."""
    asin = dig(item, "asin")
    title = dig(item, "itemInfo", "title", "displayValue")
    url = dig(item, "detailPageURL")
    if not (isinstance(asin, str) and isinstance(title, str) and isinstance(url, str)):
        return None
    listing = _buy_box(dig(item, "offersV2", "listings"))
    price = _price(dig(listing, "price", "money"))
    list_price = _price(dig(listing, "price", "savingBasis", "money"))
    saving = _saving(dig(listing, "price", "savings"), price, list_price)
    if list_price is None and saving is not None and price is not None:
        list_price = make_price(price.amount + saving.money.amount, price.currency)
    return Product(
        asin=asin,
        title=clean_text(title),
        url=url,  # unchanged: it carries the partner tag Amazon attributes by
        authors=_authors(dig(item, "itemInfo", "byLineInfo", "contributors")),
        image=_image(dig(item, "images", "primary", "medium")),
        price=price,
        availability=_str(dig(listing, "availability", "type")),
        rating=_number(dig(item, "customerReviews", "starRating", "value")),
        sales_rank=_int(dig(item, "browseNodeInfo", "websiteSalesRank", "salesRank")),
        reviews=_int(dig(item, "customerReviews", "count")),
        list_price=list_price,
        saving=saving,
        published=parse_published(
            dig(item, "itemInfo", "contentInfo", "publicationDate", "displayValue")
        ),
        isbn=_isbn(dig(item, "itemInfo", "externalIds")),
        large_image=_image(dig(item, "images", "primary", "large")),
    )


def error_type(body: Any) -> str:
    """``ThrottleException`` from ``type`` or the ``__type`` spelling
    (``com.amazon.creators#ThrottleException``)."""
    raw = dig(body, "type") or dig(body, "__type") or ""
    return str(raw).rpartition("#")[2]


def error_words(body: Any) -> str:
    """A short, secret-free description of an error body for admins."""
    parts = [error_type(body), _str(dig(body, "reason")), _str(dig(body, "message"))]
    return ": ".join(p for p in parts if p) or "no details"


def _buy_box(listings: Any) -> Any:
    if not isinstance(listings, list) or not listings:
        return None
    winners = [x for x in listings if isinstance(x, dict) and x.get("isBuyBoxWinner")]
    return winners[0] if winners else listings[0]


def _authors(contributors: Any) -> tuple[str, ...]:
    if not isinstance(contributors, list):
        return ()
    people = [c for c in contributors if isinstance(c, dict) and _str(c.get("name"))]
    # Authors first, then editors, illustrators...; sorted() keeps API order.
    people.sort(key=lambda c: str(c.get("role", "")).lower() != "author")
    names: list[str] = []
    for person in people:
        name = clean_text(person["name"])
        if name not in names:
            names.append(name)
    return tuple(names)


def _image(medium: Any) -> Image | None:
    url, width, height = (dig(medium, k) for k in ("url", "width", "height"))
    if not isinstance(url, str) or _int(width) is None or _int(height) is None:
        return None
    return Image(url, int(width), int(height))


def _saving(
    savings: Any, price: Price | None, list_price: Price | None
) -> Saving | None:
    """Amazon's ``savings``; computed from the list price when it sent none."""
    money = _price(dig(savings, "money"))
    percentage = _number(dig(savings, "percentage"))
    if money is not None and percentage is not None and money.amount > 0:
        return Saving(money, round(percentage))
    return saving_between(price, list_price)


def _isbn(external_ids: Any) -> str | None:
    """The first valid ISBN among ``isbns`` then ``eans``, as an ISBN-13."""
    return first_isbn(dig(external_ids, "isbns", "displayValues")) or first_isbn(
        dig(external_ids, "eans", "displayValues")
    )


def _price(money: Any) -> Price | None:
    amount, currency = _number(dig(money, "amount")), _str(dig(money, "currency"))
    if amount is None or currency is None:
        return None
    display = _str(dig(money, "displayAmount")) or format_price(amount, currency)
    return Price(amount, currency, display)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    return finite(value)  # NaN or Infinity drops the field, not the item


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)
