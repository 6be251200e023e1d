"""``widget export DIR``: every topic's widgets as static files, for nginx or
a CDN to serve without the service.

For each topic with a list: the iframe document and (with a public URL for
its absolute links) the fragment, in every layout, theme and language, as
``widget/<slug>/<layout>-<theme>-<lang>.html`` and
``widget/<slug>/fragment/<layout>-<theme>-<lang>.html``; ``embed.js``;
``manifest.json`` naming every file with its topic, variant, ETag and list
time; and ``nginx-widget-maps.conf`` (http level) plus ``nginx-widget.conf``
(server level), which answer ``/widget/<slug>?layout=grid&lang=de`` from
those files with the service's own headers.

Static files cannot change with the clock, so prices are always shown with
their "as of" time, and a topic is exported again after every refresh of
it, good or failed (``WIDGET_EXPORT_DIR``): a list past 24 hours is then
written without prices, as the service would serve it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from flask import Flask

from widget.embed import embed_script
from widget.freshness import freshness
from widget.i18n import DEFAULT_LANGUAGE
from widget.i18n import LANGUAGES
from widget.lists import ListService
from widget.lists import Variant
from widget.models import TopicState
from widget.params import LAYOUTS
from widget.params import NO_STORES
from widget.params import THEMES
from widget.params import StoreChoices
from widget.refresh import RefreshResult
from widget.store import TopicNotFound
from widget.views import widget_headers

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
NGINX_MAPS = "nginx-widget-maps.conf"
NGINX_SERVER = "nginx-widget.conf"


def file_path(slug: str, variant: Variant) -> str:
    """Where a variant's file lives below the export folder."""
    folder = f"widget/{slug}/" + ("fragment/" if variant.kind == "fragment" else "")
    return f"{folder}{variant.layout}-{variant.theme}-{variant.lang}.html"


@dataclass
class Exported:
    topics: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Exporter:
    def __init__(
        self,
        lists: ListService,
        config: Any,
        folder: Path,
        stores: StoreChoices = NO_STORES,
    ) -> None:
        self.lists = lists
        self.config = config
        self.folder = folder
        self.stores = stores

    @property
    def base_url(self) -> str | None:
        """Fragments are placed in other pages: their links must be absolute."""
        configured: str | None = self.config["WIDGET_PUBLIC_URL"]
        return configured

    def variants(self) -> list[Variant]:
        kinds = ["document"] + (["fragment"] if self.base_url else [])
        return [
            Variant(kind, layout=layout, theme=theme, lang=lang, base_url=base)
            for kind in kinds
            for base in [(self.base_url or "") if kind == "fragment" else ""]
            for layout in LAYOUTS
            for theme in THEMES
            for lang in LANGUAGES
        ]

    def export_all(self) -> Exported:
        """Every topic, embed.js, the manifest and the nginx files; topics
        gone from the store lose their files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        done = Exported()
        for state in self.lists.states():
            if state.snapshot is None:  # its first list, as a first visit gets it
                state = self.lists.serving(self.lists.state(state.topic.slug))
            files = self._write_topic(state)
            if files:
                done.topics += 1
                done.files += files
            else:
                done.skipped.append(state.topic.slug)
        kept = {f["topic"] for f in done.files}
        widgets = self.folder / "widget"
        for old in widgets.iterdir() if widgets.is_dir() else ():
            if old.name not in kept:
                shutil.rmtree(old, ignore_errors=True)
        stores = self.stores
        write_atomically(self.folder / "embed.js", embed_script(stores))
        self._write_manifest(done.files)
        self._write_nginx()
        return done

    def export_topic(self, slug: str) -> None:
        """One topic again (after a refresh), and the manifest with it."""
        try:
            state = self.lists.serving(self.lists.state(slug))
        except TopicNotFound:
            shutil.rmtree(self.folder / "widget" / slug, ignore_errors=True)
            state = None
        files = self._write_topic(state) if state is not None else []
        others = [f for f in self._read_manifest() if f["topic"] != slug]
        self._write_manifest(others + files)

    def _write_topic(self, state: TopicState) -> list[dict[str, Any]]:
        """The topic's files; none for a topic without a list (never an
        empty box)."""
        snapshot = state.snapshot
        if snapshot is None:
            return []
        now = self.lists.now()
        fresh = freshness(snapshot, now)
        # Prices with their "as of" time: still true when the file is read later.
        fresh = "aging" if fresh == "fresh" else fresh
        files = []
        for variant in self.variants():
            rendered = self.lists.render(state, variant, now, fresh)
            path = file_path(state.topic.slug, variant)
            write_atomically(self.folder / path, rendered.body)
            files.append(
                {
                    "path": path,
                    "topic": state.topic.slug,
                    "kind": variant.kind,
                    "layout": variant.layout,
                    "theme": variant.theme,
                    "lang": variant.lang,
                    "etag": rendered.etag,
                    "last_update": snapshot.updated_at.isoformat(),
                    "bytes": len(rendered.body),
                }
            )
        return files

    def _read_manifest(self) -> list[dict[str, Any]]:
        try:
            files: list[dict[str, Any]] = json.loads(
                (self.folder / MANIFEST).read_text()
            )["files"]
        except (OSError, ValueError, KeyError):
            return []
        return files

    def _write_manifest(self, files: list[dict[str, Any]]) -> None:
        manifest = {
            "generated_at": self.lists.now().isoformat(),
            "base_url": self.base_url,
            "embed": "embed.js",
            "files": sorted(files, key=lambda f: str(f["path"])),
        }
        body = json.dumps(manifest, indent=1).encode()
        write_atomically(self.folder / MANIFEST, body)

    def _write_nginx(self) -> None:
        write_atomically(self.folder / NGINX_MAPS, nginx_maps().encode())
        write_atomically(
            self.folder / NGINX_SERVER, nginx_locations(self.config, self.folder)
        )


def nginx_maps() -> str:
    """The query parameters to file names, as the service's defaults fall
    back (unknown values give the default; ``de-DE`` gives ``de``)."""
    langs = "\n".join(f"    ~*^{lang}(-|_|$) {lang};" for lang in LANGUAGES)
    layouts = "\n".join(f"    {layout} {layout};" for layout in LAYOUTS)
    themes = "\n".join(f"    {theme} {theme};" for theme in THEMES)
    return (
        "# widget export: include in the http {} block\n"
        f"map $arg_layout $widget_layout {{\n    default {LAYOUTS[0]};\n{layouts}\n}}\n"
        f"map $arg_theme $widget_theme {{\n    default {THEMES[0]};\n{themes}\n}}\n"
        f"map $arg_lang $widget_lang {{\n    default {DEFAULT_LANGUAGE};\n{langs}\n}}\n"
    )


def nginx_locations(config: Any, folder: Path) -> bytes:
    """The widget routes from the exported files, with the headers the
    service sends (widget.views), for the server {} block."""
    cors = "*" if "*" in config["WIDGET_FRAME_ANCESTORS"].split() else None
    max_age = config["WIDGET_CACHE_MAX_AGE"]
    root = str(folder.resolve())

    def location(pattern: str, target: str, allow_origin: str | None) -> str:
        headers = widget_headers(config, "", allow_origin)
        headers.append(("Cache-Control", f"public, max-age={max_age}"))
        lines = "".join(
            f"    add_header {name} {json.dumps(value)} always;\n"
            for name, value in headers
        )
        # ``alias`` opens the one file (a missing one is a 404); try_files
        # looked it up and then opened it again, and the charset filter and
        # the types lookup cost more: together a quarter of nginx's time
        # per widget (bench/bench_export.py).
        return (
            f'location ~ "{pattern}" {{\n'
            "    types { }\n"
            '    default_type "text/html; charset=utf-8";\n'
            f"{lines}"
            f"    alias {json.dumps(root + target)};\n"
            "}\n"
        )

    name = "$widget_layout-$widget_theme-$widget_lang.html"
    text = (
        "# widget export: include in the server {} block\n"
        + location(
            "^/widget/(?<widget_slug>[a-z0-9-]{1,64})$",
            f"/widget/$widget_slug/{name}",
            None,
        )
        + location(
            "^/widget/(?<widget_slug>[a-z0-9-]{1,64})/fragment$",
            f"/widget/$widget_slug/fragment/{name}",
            cors,
        )
        + f"location = /embed.js {{\n    root {root};\n"
        '    add_header Cache-Control "public, max-age=3600" always;\n'
        '    add_header Cross-Origin-Resource-Policy "cross-origin" always;\n}\n'
    )
    return text.encode()


def write_atomically(path: Path, body: bytes) -> None:
    """Readers (nginx) see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def init_app(app: Flask) -> None:
    """With WIDGET_EXPORT_DIR, each refresh writes its topic's files again.
    In the refreshing thread, so a ``widget refresh`` from cron has written
    them when it exits (rendering a topic's variants takes a fraction of
    the upstream call it follows)."""
    folder = app.config["WIDGET_EXPORT_DIR"]
    if not folder:
        return
    lists: ListService = app.extensions["widget"].lists
    found = app.extensions["widget"]
    exporter = Exporter(lists, app.config, Path(folder), found.store_choices)

    def export_after(result: RefreshResult) -> None:
        try:
            exporter.export_topic(result.slug)
        except OSError as exc:
            log.warning("export of %s to %s failed: %s", result.slug, folder, exc)

    lists.refresher.after_fetch = export_after
