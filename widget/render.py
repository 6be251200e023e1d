"""What a widget and the API show of a snapshot, and the widget's template.

Everything the Associates rules decide (which links, which images, whether
a price may show and with what caveat) is decided here, in one place: the
widget templates get it through ``widget_context`` and the JSON API through
``display_products``. Tests can call all of it without a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask import render_template

from widget.catalog.stub import COVERS_ROUTE
from widget.embed import FRAME_SCRIPT
from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import disclosure_for
from widget.i18n import format_moment
from widget.i18n import strings_for
from widget.lists import Variant
from widget.models import Image
from widget.models import Product
from widget.models import Source
from widget.models import TopicState
from widget.sources import OPEN_DATA

#: What a product shows of its prices once they may not show (``shows_prices``).
NO_PRICES: dict[str, Any] = {"price": None, "list_price": None, "saving": None}
#: The template of each widget kind (``Variant.kind``).
TEMPLATES = {"document": "widget/document.html", "fragment": "widget/fragment.html"}


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
    note: str | None = None  #: the admin's line for a hand-picked book


def is_open_data_list(source: Source) -> bool:
    """A list of hand-picked books or open data standing in for an API list."""
    return source.catalog in ("manual", OPEN_DATA)


def is_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def shows_prices(fresh: str) -> bool:
    """Amazon: product data older than 24 hours is shown without prices."""
    return fresh != "stale"


def shown_image(image: Image | None, base_url: str) -> Image | None:
    """Hot-linked https covers; our own stub covers as absolute URLs; no other."""
    if image is None:
        return None
    if image.url.startswith(COVERS_ROUTE) and "//" not in image.url:
        return replace(image, url=base_url.rstrip("/") + image.url)
    return image if is_https(image.url) else None


def display_products(
    products: Sequence[Product],
    *,
    base_url: str,
    show_prices: bool,
    count: int | None = None,
) -> list[Product]:
    """The products as they may be shown, at most ``count`` of them.

    A product whose URL is not https is dropped: its only purpose is the
    link, and we never rewrite an Amazon link. Covers go through
    ``shown_image``; prices, list prices and savings stay only while
    ``show_prices``.
    """
    shown: list[Product] = []
    for product in products:
        if len(shown) == count:
            break
        if not is_https(product.url):
            continue
        shown.append(
            replace(
                product,
                image=shown_image(product.image, base_url),
                large_image=shown_image(product.large_image, base_url),
                **({} if show_prices else NO_PRICES),
            )
        )
    return shown


def prices_as_of(products: Sequence[Product], updated: datetime) -> datetime | None:
    """When the prices shown date from; None when no price shows."""
    return updated if any(p.price for p in products) else None


def product_views(products: Sequence[Product]) -> list[ProductView]:
    """Shown products as the templates read them, ranked from 1."""
    return [
        ProductView(
            rank=rank,
            title=product.title,
            authors=", ".join(product.authors),
            url=product.url,
            image_url=product.image.url if product.image else None,
            image_width=product.image.width if product.image else 0,
            image_height=product.image.height if product.image else 0,
            price=product.price.display if product.price else None,
            note=product.note,
        )
        for rank, product in enumerate(products, 1)
    ]


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
    shown = (
        display_products(
            snapshot.products,
            base_url=variant.base_url,
            show_prices=shows_prices(fresh),
            count=variant.count,
        )
        if snapshot
        else []
    )
    title = state.topic.title
    # A refresh that found nothing: one neutral line, never "0 books".
    gone = snapshot is not None and not shown
    # Hand-picked books and open data: no ranking, no Amazon images.
    picks = snapshot is not None and is_open_data_list(snapshot.source)
    if picks:
        pattern = (
            strings.picks_heading_one if len(shown) == 1 else strings.picks_heading
        )
    else:
        pattern = strings.heading_one if len(shown) == 1 else strings.heading
    heading = (
        strings.unavailable if gone else pattern.format(count=len(shown), title=title)
    )
    # The title is isolated in the markup (<bdi>), so a right-to-left title
    # or a stray bidi override cannot reorder the words around it.
    before, _, after = pattern.partition("{title}")
    footer = settings["WIDGET_FOOTER"] if variant.lang == DEFAULT_LANGUAGE else ""
    footer = strings.open_footer if picks else footer or strings.footer
    updated = snapshot.updated_at if snapshot else None
    priced = prices_as_of(shown, updated) if updated else None
    return {
        "slug": state.topic.slug,
        "title": title,
        "heading": heading,
        "heading_around_title": (
            before.format(count=len(shown)),
            after.format(count=len(shown)),
        ),
        "products": product_views(shown),
        "strings": strings,
        "variant": variant,
        "disclosure": disclosure_for(variant.lang, settings),
        "footer": footer.format(date=format_moment(strings.date_format, updated))
        if updated
        else "",
        "updated_iso": updated.isoformat() if updated else "",
        # Open data has no 24-hour limit: nothing to say it is being updated.
        "stale": fresh == "stale" and not picks,
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
                time=format_moment(strings.datetime_format, priced)
            )
            if priced
            else None
        ),
        "has_list": snapshot is not None,
        "gone": gone,
        "frame_script": FRAME_SCRIPT if variant.kind == "document" else "",
    }


def render_unavailable(slug: str, variant: Variant) -> str:
    """The box for a topic that does not exist (or cannot be read now): one
    neutral line. Needs an app context."""
    strings = strings_for(variant.lang)
    context = {
        "slug": slug,
        "heading": strings.unavailable,
        "strings": strings,
        "variant": variant,
        "gone": True,
        "frame_script": FRAME_SCRIPT if variant.kind == "document" else "",
    }
    return render_template(TEMPLATES[variant.kind], **context)


def render_widget(
    app: Flask, state: TopicState, variant: Variant, now: datetime, fresh: str
) -> bytes:
    """A widget's bytes; the list service renders with this, bound to its app."""
    context = widget_context(state, variant, now, fresh, app.config)
    with app.app_context():
        return render_template(TEMPLATES[variant.kind], **context).encode("utf-8")
