"""Pure functions from a snapshot to a template context.

Everything the Associates rules decide (which links, which images, whether
a price may show and with what caveat) is decided here, in one place that
tests can call without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from widget.catalog.stub import COVERS_ROUTE
from widget.embed import FRAME_SCRIPT
from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import disclosure_for
from widget.i18n import format_moment
from widget.i18n import strings_for
from widget.lists import Variant
from widget.models import Product
from widget.models import TopicState


@dataclass(frozen=True)
class ProductView:
    rank: int
    title: str
    authors: str
    url: str
    image_url: str | None
    image_width: int
    image_height: int
    price: str | None


def is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def image_url(product: Product, base_url: str) -> str | None:
    """Hot-link https covers; our own stub covers become absolute URLs."""
    if product.image is None:
        return None
    url = product.image.url
    if url.startswith(COVERS_ROUTE) and "//" not in url:
        return base_url.rstrip("/") + url
    return url if is_https(url) else None


def product_views(
    products: tuple[Product, ...], count: int, base_url: str, show_prices: bool
) -> list[ProductView]:
    """The first ``count`` products that have a safe link, ranked from 1.

    A product whose URL is not https is dropped: its only purpose is the
    link, and we never rewrite an Amazon link.
    """
    views: list[ProductView] = []
    for product in products:
        if len(views) == count:
            break
        if not is_https(product.url):
            continue
        cover = image_url(product, base_url)
        views.append(
            ProductView(
                rank=len(views) + 1,
                title=product.title,
                authors=", ".join(product.authors),
                url=product.url,
                image_url=cover,
                image_width=product.image.width if product.image and cover else 0,
                image_height=product.image.height if product.image and cover else 0,
                price=product.price.display if show_prices and product.price else None,
            )
        )
    return views


def widget_context(
    state: TopicState,
    variant: Variant,
    now: datetime,
    fresh: str,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """Everything a widget template needs, already decided."""
    strings = strings_for(variant.lang)
    snapshot = state.snapshot
    products = (
        product_views(
            snapshot.products, variant.count, variant.base_url, fresh != "stale"
        )
        if snapshot
        else []
    )
    title = state.topic.title
    heading = (
        strings.heading_one.format(title=title)
        if len(products) == 1
        else strings.heading.format(count=len(products), title=title)
    )
    footer = settings["WIDGET_FOOTER"] if variant.lang == DEFAULT_LANGUAGE else ""
    footer = footer or strings.footer
    updated = snapshot.updated_at if snapshot else None
    shows_prices = any(p.price for p in products)
    return {
        "slug": state.topic.slug,
        "title": title,
        "heading": heading,
        "products": products,
        "strings": strings,
        "variant": variant,
        "disclosure": disclosure_for(variant.lang, settings),
        "footer": footer.format(date=format_moment(strings.date_format, updated))
        if updated
        else "",
        "updated_iso": updated.isoformat() if updated else "",
        "stale": fresh == "stale",
        # Amazon: past an hour, each price carries its time (short, so it
        # fits a 280 px box) and a "*" to the note under the list, which has
        # the full stamp and the disclaimer (that note is there in every state).
        "price_as_of": (
            format_moment(strings.time_format, updated)
            if updated and fresh == "aging"
            else None
        ),
        "prices_as_of": (
            strings.prices_as_of.format(
                time=format_moment(strings.datetime_format, updated)
            )
            if updated and shows_prices
            else None
        ),
        "has_list": snapshot is not None,
        "frame_script": FRAME_SCRIPT if variant.kind == "document" else "",
    }
