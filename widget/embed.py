"""Everything a blog page gets from us: the snippets to paste, the box
heights they reserve, ``embed.js``, and the tiny script inside each iframe
document that reports its height.

Heights are decided here and nowhere else. The widget's CSS gives every
block a fixed height per layout in three width classes (below 640 px, from
640 and from 900 px; the grid has one more, one column, below 278 px), so
``box_height`` is exact; the snippets reserve it in HTML and CSS before any script runs,
and ``embed.js`` carries a table generated from it for pages that pasted an
older snippet. The browser tests compare both with what Chromium lays out.

The frame script is inlined and allowed by its sha256 hash in the widget's
CSP, so a widget runs exactly this script and nothing else, and costs no
extra request. It posts ``{type: "bw:height", slug, height, gone}`` to the
parent whenever the document's height changes (``gone``: the box cannot be
shown, so ``embed.js`` brings back the blogger's fallback); ``embed.js``
accepts such a message only from the widget's origin and from the iframe it
created.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from markupsafe import escape

from widget.i18n import LANGUAGES
from widget.params import LAYOUTS
from widget.params import NO_STORES
from widget.params import StoreChoices
from widget.stores import auto_table

ASSETS = Path(__file__).parent / "assets"

#: Box widths where a width class begins (templates/widget/_items.css): the
#: grid's two columns need 252 px inside the box; from 640 px (614 px
#: inside) headings, notes and compact rows take one line, list buttons move
#: to the right and the grid has four columns; from 900 px (874 inside) the
#: list has two columns and the grid five.
WIDTH_CLASSES = (0, 278, 640, 900)
#: Heights of one item per layout (templates/widget/_items.css): a list row
#: (80 x 120 cover), a grid cell (96 x 144 cover), a compact row narrow/wide.
LIST_ROW, GRID_CELL, GRID_GAP = 137, 274, 12
COMPACT_ROW = (45, 35)
#: Languages whose disclosure takes one line more than the others.
LONG_DISCLOSURE = ("fr", "es")

FRAME_SCRIPT = (
    "(function(){var d=document.documentElement,b=document.querySelector('.bw'),"
    "h=0;function p(){var n=Math.ceil(d.getBoundingClientRect().height);"
    "if(n!==h&&parent!==window){h=n;parent.postMessage({type:'bw:height',"
    "slug:b?b.getAttribute('data-slug'):'',height:n,"
    "gone:!b||b.getAttribute('data-state')==='gone'},'*')}}"
    "if(window.ResizeObserver){new ResizeObserver(p).observe(d)}"
    "addEventListener('load',p);p()})();"
)


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return (
        "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    )


FRAME_SCRIPT_HASH = script_hash(FRAME_SCRIPT)

#: The click and impression beacons (``widget.analytics``): every rendered
#: widget carries ``<script data-bw-beacons src=".../beacons.js">`` while
#: WIDGET_ANALYTICS is on (the iframe document, a fragment included by the
#: blog's server; embed.js loads it for the shadow roots it makes). The
#: script finds each box itself (also when embed.js says ``bw:mounted``), as
#: ``document.currentScript`` is null inside a shadow root, and posts to
#: ``api/v1/events`` beside its own address. It takes the ASIN from the
#: product link itself (``/dp/ASIN``), so items carry no extra markup.
BEACON_SCRIPT = (ASSETS / "beacon.js").read_text().strip()
BEACONS_ROUTE = "/beacons.js"


def box_height(layout: str, count: int, lang: str, width: float) -> int:
    """The widget's height in CSS pixels when the box is ``width`` wide."""
    wide, wider = width >= WIDTH_CLASSES[2], width >= WIDTH_CLASSES[3]
    height = 2 * 12 + 2 + (22 if wide else 40) + 8  # padding, border, heading
    if layout == "grid":
        columns = 5 if wider else 4 if wide else 2 if width >= WIDTH_CLASSES[1] else 1
        rows = -(-count // columns)
        height += rows * GRID_CELL + (rows - 1) * GRID_GAP
    elif layout == "compact":
        height += count * COMPACT_ROW[wide]
    else:
        height += -(-count // (2 if wider else 1)) * LIST_ROW
    if layout != "compact":
        height += 8 + (16 if wide else 32)  # the note under the list
    height += 8 + (16 if wide else 48) + (16 if lang in LONG_DISCLOSURE else 0)
    return height + 4 + (16 if wide else 32)  # the footer


def class_heights(layout: str, count: int, lang: str) -> list[int]:
    """``box_height`` in each width class, narrowest first."""
    return [box_height(layout, count, lang, width) for width in WIDTH_CLASSES]


def reserve_style(layout: str, count: int, lang: str, prop: str = "min-height") -> str:
    """CSS that reserves the box's height in every width class.

    ``100cqw`` is the width of the nearest ``container-type:inline-size``
    ancestor: the snippet's outer element. Each ``clamp`` is a step from 0
    to the difference where a width class begins, so no script and no style
    sheet are needed.
    """
    heights = class_heights(layout, count, lang)
    steps = "".join(
        f" - clamp(0px, (100cqw - {start - 0.01}px) * 10000, {before - after}px)"
        for start, before, after in zip(
            WIDTH_CLASSES[1:], heights[:-1], heights[1:], strict=True
        )
        if before != after
    )
    if not steps:
        return f"{prop}:{heights[0]}px"
    return f"{prop}:calc({heights[0]}px{steps})"


@dataclass(frozen=True)
class Snippets:
    """The HTML to paste: ``box`` is the ``div`` alone, ``script`` the box and
    the script tag (recommended), ``iframe`` a plain iframe."""

    box: str
    script: str
    iframe: str

    def as_json(self) -> dict[str, str]:
        return {"script": self.script, "iframe": self.iframe}


def snippets(
    base_url: str,
    slug: str,
    title: str,
    *,
    count: int = 10,
    layout: str = "list",
    theme: str = "light",
    lang: str = "en",
) -> Snippets:
    """The one place embed codes come from: ``/``, the admin, the API and
    the README all show these."""
    query = urlencode({"count": count, "layout": layout, "theme": theme, "lang": lang})
    url = escape(f"{base_url}/widget/{slug}?{query}")
    name = escape(f"{title} books")
    reserve = reserve_style(layout, count, lang)
    box = (
        f'<div data-widget-topic="{slug}" data-count="{count}"'
        f' data-layout="{layout}" data-theme="{theme}" data-lang="{lang}"'
        ' style="container-type:inline-size">\n'
        f'<div style="{reserve}"><a href="{url}">{name}</a></div>\n'
        "</div>"
    )
    height = reserve_style(layout, count, lang, "height")
    iframe = (
        '<div style="container-type:inline-size">\n'
        f'<iframe src="{url}" title="{name}" loading="lazy"'
        f' style="display:block;width:100%;border:0;{height}"></iframe>\n</div>'
    )
    script = f'{box}\n<script async src="{escape(base_url)}/embed.js"></script>'
    return Snippets(box, script, iframe)


def height_table() -> dict[str, object]:
    """``box_height`` for embed.js: per layout, per width class, for 1..10
    items, plus what each language adds."""
    boxes = {
        layout: [
            [box_height(layout, n, "en", width) for n in range(1, 11)]
            for width in WIDTH_CLASSES
        ]
        for layout in LAYOUTS
    }
    extra = {
        lang: box_height("list", 1, lang, 0) - box_height("list", 1, "en", 0)
        for lang in LANGUAGES
    }
    return {
        "classes": WIDTH_CLASSES,
        "boxes": boxes,
        "extra": {lang: px for lang, px in extra.items() if px},
    }


@functools.cache
def embed_script(stores: StoreChoices = NO_STORES) -> bytes:
    """The loader pasted on blog pages, with the height table and the
    stores ``data-store="auto"`` chooses from filled in."""
    source = (ASSETS / "embed.js").read_text()
    table = json.dumps(height_table(), separators=(",", ":"))
    choices = auto_table(stores.default, dict(stores.others))
    shops = json.dumps(choices, separators=(",", ":"), sort_keys=True)
    return (
        source.replace("/*HEIGHTS*/{}", table).replace("/*STORES*/{}", shops).encode()
    )
