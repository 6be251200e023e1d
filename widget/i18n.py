"""The widget's fixed strings, per language.

The disclosure sentence is configurable (``WIDGET_DISCLOSURE``) for the
default language; other languages use their own sentence below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strings:
    heading: str  # {count} and {title}
    heading_one: str
    view: str  # link text; {title} is in a visually hidden span
    by: str
    rank: str
    disclosure: str
    footer: str  # {date}
    updating: str
    preparing: str
    as_of: str  # {time}
    price_disclaimer: str
    date_format: str


ENGLISH = Strings(
    heading="Today's {count} Most Popular Books on {title}",
    heading_one="Today's Most Popular Book on {title}",
    view="View {title} on Amazon",
    by="by",
    rank="No.",
    disclosure="As an Amazon Associate we earn from qualifying purchases.",
    footer="Last update on {date} / Affiliate links / Images from Amazon",
    updating="This list is being updated; prices are hidden until then.",
    preparing="This list is being prepared. Please check back in a minute.",
    as_of="as of {time}",
    price_disclaimer=(
        "Product prices and availability are accurate as of the date/time"
        " indicated and are subject to change. Any price and availability"
        " information displayed on Amazon at the time of purchase will apply"
        " to the purchase of this product."
    ),
    date_format="%Y-%m-%d",
)

LANGUAGES: dict[str, Strings] = {"en": ENGLISH}
DEFAULT_LANGUAGE = "en"


def strings_for(lang: str) -> Strings:
    return LANGUAGES.get(lang, ENGLISH)
