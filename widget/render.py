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
from widget.embed import BEACONS_ROUTE
from widget.embed import FRAME_SCRIPT
from widget.events import store_key
from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import ENGLISH
from widget.i18n import Strings
from widget.i18n import disclosure_for
from widget.i18n import format_moment
from widget.i18n import format_number
from widget.i18n import strings_for
from widget.lists import Variant
from widget.models import Image
from widget.models import Product
from widget.models import Source
from widget.models import Topic
from widget.models import TopicState
from widget.sources import OPEN_DATA

#: What a product shows of its prices once they may not show (``shows_prices``).
NO_PRICES: dict[str, Any] = {"price": None, "list_price": None, "saving": None}
#: The template of each widget kind (``Variant.kind``).
TEMPLATES = {"document": "widget/document.html", "fragment": "widget/fragment.html"}


@dataclass(frozen=True)
class ProductView:
    rank: int
    asin: str
    title: str
    authors: str
    url: str
    image_url: str | None
    image_width: int
    image_height: int
    price: str | None
    note: str | None = None  #: the admin's line for a hand-picked book
    #: "large 2x" when the catalog gave a large cover (sharp on dense screens)
    srcset: str | None = None
    saving: str | None = None  # "−20 %"
    stars: int | None = None  # the rating in half stars, 0 to 10
    rating_label: str | None = None  # "4.6 out of 5 stars, 1,320 reviews"
    reviews: str | None = None  # "1,320"
    badge: str | None = None  # "New", "▲3", "▼1"
    badge_label: str | None = None  # read after a movement badge


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


def cover_srcset(product: Product) -> str | None:
    """The large cover for screens of two and more device pixels per CSS
    pixel (the medium one, 160 px tall, is the ``src``); None without one."""
    medium, large = product.image, product.large_image
    if medium is None or large is None or large.url == medium.url:
        return None
    return f"{large.url} 2x"


def movement(
    asin: str, rank: int, previous: Sequence[str] | None
) -> tuple[str | None, bool]:
    """The badge of a book ranked ``rank``: "New", "▲3", "▼1" or None; and
    whether it is a movement (read with its words)."""
    if previous is None:
        return None, False
    if asin not in previous:
        return "new", False
    places = previous.index(asin) + 1 - rank
    if places == 0:
        return None, False
    return ("\u25b2" if places > 0 else "\u25bc") + str(abs(places)), True


def product_views(
    products: Sequence[Product],
    strings: Strings = ENGLISH,
    previous: Sequence[str] | None = None,
) -> list[ProductView]:
    """Shown products as the templates read them, ranked from 1; with
    ``previous`` (a ranking's ASINs), each carries its rank movement."""
    views = []
    for rank, product in enumerate(products, 1):
        image = product.image or product.large_image
        rating, reviews = product.rating, product.reviews
        label = None
        if rating is not None:
            words = [strings.stars.format(rating=format_number(strings, rating, 1))]
            if reviews is not None:
                count = format_number(strings, reviews)
                words.append(strings.reviews.format(count=count))
            label = ", ".join(words)
        badge, moved = movement(product.asin, rank, previous)
        views.append(
            ProductView(
                rank=rank,
                asin=product.asin,
                title=product.title,
                authors=", ".join(product.authors),
                url=product.url,
                image_url=image.url if image else None,
                image_width=image.width if image else 0,
                image_height=image.height if image else 0,
                price=product.price.display if product.price else None,
                srcset=cover_srcset(product),
                saving=(
                    strings.saving.format(percent=product.saving.percentage)
                    if product.saving and product.price
                    else None
                ),
                stars=None if rating is None else round(min(max(rating, 0), 5) * 2),
                rating_label=label,
                reviews=(
                    None
                    if rating is None or reviews is None
                    else format_number(strings, reviews)
                ),
                badge=strings.new if badge == "new" else badge,
                badge_label=strings.moved if moved else None,
                note=product.note,
            )
        )
    return views


def heading_pattern(
    topic: Topic, strings: Strings, count: int, *, picks: bool = False
) -> str:
    """The topic's own heading template, else the language's wording (for
    hand-picked books and open data: no "most popular")."""
    if topic.heading:
        return topic.heading
    if picks:
        return strings.picks_heading_one if count == 1 else strings.picks_heading
    if topic.list_type == "new_releases":
        return strings.heading_new_one if count == 1 else strings.heading_new
    return strings.heading_one if count == 1 else strings.heading


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
    pattern = heading_pattern(state.topic, strings, len(shown), picks=picks)
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
            after.format(count=len(shown), title=title),
        ),
        "title_in_heading": "{title}" in pattern,
        "products": product_views(
            shown,
            strings,
            snapshot.previous if snapshot and state.topic.badges else None,
        ),
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
        # Beacons only from boxes that show a list (and not when switched off).
        # The beacon script's address (it posts beside itself): part of
        # the rendered bytes, so cached widgets carry it as they are.
        "beacon": (
            variant.base_url + BEACONS_ROUTE
            if settings["WIDGET_ANALYTICS"] and shown
            else ""
        ),
        "store": store_key(snapshot) if snapshot else "",
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
