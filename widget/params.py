"""The widget routes' query parameters: forgiving, because a widget lives in
someone else's page.

A value that is unknown or malformed falls back to its default and is named
in a warning (sent as the ``Widget-Warning`` header); it never breaks the
box. Language tags are matched (``de-DE``, ``DE`` give ``de``). The JSON API
does not use this module: it stays strict.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import LANGUAGES
from widget.i18n import match_language
from widget.lists import Variant
from widget.models import MAX_ITEMS

LAYOUTS = ("list", "grid", "compact")
THEMES = ("light", "dark", "auto")
#: The widget routes (widget.views): ``/widget/<slug>`` and its fragment.
WIDGET_PATH = re.compile(r"/widget/([^/]+)(/fragment)?")
#: ASCII digits only: ``str.isdigit`` also accepts "²", which ``int`` refuses.
COUNT = re.compile(r"[0-9]{1,3}")


def parse_count(raw: str | None) -> tuple[int, str | None]:
    if raw is None:
        return MAX_ITEMS, None
    if COUNT.fullmatch(raw) and 1 <= int(raw) <= MAX_ITEMS:
        return int(raw), None
    return MAX_ITEMS, f"count must be 1 to {MAX_ITEMS}, using {MAX_ITEMS}"


def parse_choice(
    name: str, raw: str | None, allowed: tuple[str, ...]
) -> tuple[str, str | None]:
    if raw is None or raw in allowed:
        return raw or allowed[0], None
    return allowed[0], f"{name} must be {' or '.join(allowed)}, using {allowed[0]}"


@dataclass(frozen=True)
class StoreChoices:
    """The stores a widget may ask for (hashable, for ``variant_for``'s
    cache): the default store's key and each other store's key with the
    widget language its visitors read by default."""

    default: str = ""
    others: tuple[tuple[str, str], ...] = ()


#: Only the default store (tests and pages that never ask for another).
NO_STORES = StoreChoices()


def parse_store(
    raw: str | None, choices: StoreChoices
) -> tuple[str | None, str, str | None]:
    """The store (None: the default one), its default language, a warning."""
    if raw is None or raw == choices.default:
        return None, DEFAULT_LANGUAGE, None
    for key, lang in choices.others:
        if raw == key:
            return key, lang if lang in LANGUAGES else DEFAULT_LANGUAGE, None
    known = " or ".join([choices.default] + [key for key, _ in choices.others])
    warning = f"store must be {known}, using {choices.default}"
    return None, DEFAULT_LANGUAGE, warning


def parse_lang(
    raw: str | None, default: str = DEFAULT_LANGUAGE
) -> tuple[str, str | None]:
    if raw is None:
        return default, None
    matched = match_language(raw)
    if matched is not None:
        return matched, None
    known = " or ".join(LANGUAGES)
    return DEFAULT_LANGUAGE, f"lang must be {known}, using {DEFAULT_LANGUAGE}"


def parse_variant(
    args: dict[str, str],
    kind: str,
    base_url: str,
    stores: StoreChoices = NO_STORES,
) -> tuple[Variant, str]:
    """The variant ``args`` ask for, and the warning text ("" if none).

    A store other than the default one sets the language its visitors read
    (``store=de``: German) unless ``lang`` says otherwise.
    """
    count, count_warning = parse_count(args.get("count"))
    layout, layout_warning = parse_choice("layout", args.get("layout"), LAYOUTS)
    theme, theme_warning = parse_choice("theme", args.get("theme"), THEMES)
    store, store_lang, store_warning = parse_store(args.get("store"), stores)
    lang, lang_warning = parse_lang(args.get("lang"), store_lang)
    warnings = [count_warning, layout_warning, theme_warning, lang_warning]
    warnings.append(store_warning)
    variant = Variant(kind, count, layout, theme, lang, base_url, store)
    return variant, "; ".join(w for w in warnings if w)


@functools.lru_cache(maxsize=512)
def variant_for(
    kind: str,
    query_string: bytes,
    base_url: str,
    stores: StoreChoices = NO_STORES,
) -> tuple[Variant, str]:
    """``parse_variant`` memoised on the raw query string: embeds repeat the
    same few query strings millions of times, so parse each once."""
    args: dict[str, str] = {}
    for key, value in parse_qsl(query_string.decode("utf-8", "replace"), True):
        args.setdefault(key, value)  # the first value wins, as in request.args
    return parse_variant(args, kind, base_url, stores)


def widget_route(path: str) -> tuple[str, str] | None:
    """(slug, kind) for a widget route's path, as Flask routes it; else None."""
    match = WIDGET_PATH.fullmatch(path)
    if match is None:
        return None
    return match.group(1), "fragment" if match.group(2) else "document"
