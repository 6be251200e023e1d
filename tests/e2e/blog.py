"""A blog post as bloggers make them: the recommended snippet (from the same
function as ``/``, the admin and the API), edited the way people edit it,
loaded the ways page-speed plugins load scripts, under a hostile theme."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import requests

from widget.embed import snippets

#: An ordinary theme, as the issue found it: it turned the heading red and
#: uppercase, underlined titles and put the footer on near-black.
HOSTILE_THEME = (
    "* { color: red !important; text-transform: uppercase }"
    " a { text-decoration: underline }"
    " section, footer, p { background: #111 }"
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
{referrer}<title>A blog post</title>
<style>body{{margin:0;padding:16px;font:17px/1.6 Georgia,serif;color:#222}}</style>
<style>{theme}</style>
<script>
window.layoutShifts = [];
new PerformanceObserver(function (list) {{
  list.getEntries().forEach(function (e) {{
    if (!e.hadRecentInput) window.layoutShifts.push(e.value);
  }});
}}).observe({{type: "layout-shift", buffered: true}});
</script>
</head><body>
<h1>What I read this month</h1>
<p>Some words before the widget, as in any blog post.</p>
{widget}
<p id="after">The article goes on after the widget.</p>
{below}
<p id="end">The end.</p>
</body></html>
"""

LEGACY = (
    '<div data-widget-topic="nasa-artemis">'
    '<a href="{url}/widget/nasa-artemis">NASA Artemis books</a></div>'
)

#: What "delay JavaScript" plugins do: the script tag, seconds after load.
INJECTED = (
    "<script>addEventListener('load', function () {{ setTimeout(function () {{"
    " var s = document.createElement('script'); s.src = '{src}';"
    " document.body.appendChild(s); }}, 3000); }});</script>"
)


def edited(snippet: str, param: str) -> str:
    """The snippet with one value changed by hand (``count=99``)."""
    if not param:
        return snippet
    name, value = param.split("=", 1)
    snippet = re.sub(f'data-{name}="[^"]*"', f'data-{name}="{value}"', snippet)
    # In URLs: after "?" or "&amp;".
    return re.sub(f'(?<=[?;]){name}=[^&"]*', f"{name}={value}", snippet)


def widget_html(service_url: str, query: dict[str, str]) -> str:
    slug = query.get("topic", "nasa-artemis")
    found = snippets(service_url, "nasa-artemis", "NASA Artemis", count=10)
    embed = query.get("embed", "inline")
    if embed == "plain":
        return edited(found.iframe, query.get("param", "")).replace(
            "/widget/nasa-artemis?", f"/widget/{slug}?"
        )
    if embed == "ssi":
        # What nginx's SSI or a PHP include does: the fragment's body,
        # whatever its status, in the page as the server sends it.
        url = html.unescape(edited(found.iframe, query.get("param", "")))
        url = re.search(r'src="([^"]+)"', url).group(1)
        url = url.replace("/widget/nasa-artemis?", f"/widget/{slug}/fragment?")
        return requests.get(url, timeout=10).text
    if query.get("legacy"):  # an older snippet: nothing reserved in HTML
        found = replace(found, box=LEGACY.format(url=service_url))
    box = edited(found.box, query.get("param", "")).replace(
        'data-widget-topic="nasa-artemis"', f'data-widget-topic="{slug}"'
    )
    if embed == "iframe":
        box = box.replace(
            "<div data-widget-topic", '<div data-mode="iframe" data-widget-topic'
        )
    if query.get("store"):  # data-store="auto" and the like
        box = box.replace("<div data-", f'<div data-store="{query["store"]}" data-', 1)
    src = f"{service_url}/embed.js"
    load = query.get("load", "async")
    if load == "injected":
        return box + "\n" + INJECTED.format(src=src)
    attribute = {"plain": "", "async": " async", "defer": " defer"}[load]
    return f'{box}\n<script{attribute} src="{src}"></script>'


def many_widgets(service_url: str, variants: str, mode: str) -> str:
    """One recommended snippet per ``layout:count:lang`` in ``variants``."""
    boxes = []
    for variant in variants.split(","):
        layout, count, lang = variant.split(":")
        box = snippets(
            service_url,
            "nasa-artemis",
            "NASA Artemis",
            count=int(count),
            layout=layout,
            lang=lang,
        ).box
        boxes.append(box.replace("<div data-", f'<div data-mode="{mode}" data-', 1))
    return "\n".join(boxes) + f'\n<script async src="{service_url}/embed.js"></script>'


def blog_page(service_url: str, query: dict[str, str]) -> str:
    """``/blog?embed=inline|iframe|plain|ssi&load=plain|async|defer|injected
    &topic=SLUG&param=NAME=VALUE&hostile=1&referrer=POLICY&legacy=1&store=KEY``,
    or
    ``/blog?variants=list:10:en,grid:3:fr&embed=inline|iframe``"""
    referrer = query.get("referrer")
    if "variants" in query:
        widget = many_widgets(
            service_url, query["variants"], query.get("embed", "inline")
        )
    else:
        widget = widget_html(service_url, query)
    return PAGE.format(
        referrer=f'<meta name="referrer" content="{referrer}">\n' if referrer else "",
        theme=HOSTILE_THEME if query.get("hostile") else "",
        widget=widget,
        below="",
    )
