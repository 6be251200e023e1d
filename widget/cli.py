"""The ``widget`` command: the service's own commands, which call the same
services as the admin pages and the API.

A plain click group, so ``widget --help`` lists these commands (not a
framework's) and builds nothing. A command that needs the service builds
it on first use (``with_appcontext``) through ``build_app``, which does not
announce the stub catalog: only ``widget run`` serves.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar

import click
from flask import current_app
from flask.cli import ScriptInfo
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from widget.app import build_app
from widget.app import create_app
from widget.booklists import BookListsInvalid
from widget.booklists import read_book_lists
from widget.booklists import topic_data
from widget.config import ConfigError
from widget.export import Exporter
from widget.freshness import topic_status
from widget.metrics import worker_metrics
from widget.models import Topic
from widget.refresh import Outcome
from widget.refresh import RefreshResult
from widget.serialize import iso
from widget.serialize import topic_to_dict
from widget.services import services
from widget.stats import DEFAULT_DAYS
from widget.stats import MAX_DAYS
from widget.stats import Row
from widget.stats import titles_of
from widget.stats import topic_report
from widget.store import StoreError
from widget.store import TopicExists
from widget.store import TopicNotFound
from widget.store.cli import store_group
from widget.stubserver.command import stub_server_command
from widget.text import clean_text
from widget.topics import TOPIC_FIELDS
from widget.topics import TopicInvalid
from widget.topics import parse_topic

Handler = TypeVar("Handler", bound=Callable[..., Any])


@click.group("topics")
def topics_group() -> None:
    """List, add, edit, remove, import and export topics."""


@topics_group.command("list")
@with_appcontext
def list_command() -> None:
    """Show every topic with its status and last update."""
    now = services().lists.now()
    states = services().store.list_states()
    if not states:
        click.echo('No topics yet. Add one: widget topics add "NASA Artemis"')
        return
    click.echo(f"{'SLUG':<28} {'STATUS':<8} {'ITEMS':>5}  {'LAST UPDATE':<20}  TITLE")
    for state in states:
        snap = state.snapshot
        click.echo(
            f"{state.topic.slug:<28} {topic_status(state, now):<8}"
            f" {len(snap.products) if snap else 0:>5}"
            # Stored before input was cleaned, a title may hold terminal codes.
            f"  {iso(snap.updated_at) if snap else '-':<20}"
            f"  {clean_text(state.topic.title)}"
        )


def topic_options(*, skip: str) -> Callable[[Handler], Handler]:
    """An option per topic field (``--item-count``), as ``TOPIC_FIELDS`` says."""

    def decorate(command: Handler) -> Handler:
        for field in reversed(TOPIC_FIELDS):
            if field.name != skip:
                flag = "--" + field.name.replace("_", "-")
                option = click.option(
                    flag,
                    *field.flags,
                    field.name,
                    metavar=field.kind.metavar,
                    help=field.hint(),
                )
                command = option(command)
        return command

    return decorate


def checked_topic(options: dict[str, Any], existing: Topic | None = None) -> Topic:
    """The topic from the options given (None: not given).

    :raises click.ClickException: naming every bad field.
    """
    data = {name: value for name, value in options.items() if value is not None}
    try:
        return parse_topic(data, settings=services().config, existing=existing)
    except TopicInvalid as exc:
        raise click.ClickException(str(exc)) from None


@topics_group.command("add")
@click.argument("title")
@topic_options(skip="title")
@with_appcontext
def add_command(**options: Any) -> None:
    """Add a topic, e.g. widget topics add "NASA Artemis" --count 5."""
    found = services()
    topic = checked_topic(options)
    try:
        found.store.add_topic(topic)
    except TopicExists:
        raise click.ClickException(
            f"a topic with slug {topic.slug!r} exists already"
        ) from None
    click.echo(
        f"Added {topic.title!r} as {topic.slug}; its widget is /widget/{topic.slug}"
    )


@topics_group.command("edit")
@click.argument("slug")
@topic_options(skip="slug")
@with_appcontext
def edit_command(slug: str, **options: Any) -> None:
    """Change a topic; fields not given keep their values, and an empty
    value clears an optional one (--browse-node "")."""
    found = services()
    state = found.store.get_state(slug)
    if state is None:
        raise click.ClickException(f"no topic {slug!r} (see: widget topics list)")
    topic = checked_topic(options, state.topic)
    try:
        found.store.update_topic(topic)
    except TopicNotFound:
        raise click.ClickException(f"no topic {slug!r} any more") from None
    click.echo(f"Saved {topic.title!r} ({slug}); refresh it for a list with them")


@topics_group.command("remove")
@click.argument("slug")
@with_appcontext
def remove_command(slug: str) -> None:
    """Remove a topic with its list and history."""
    try:
        services().store.remove_topic(slug)
    except TopicNotFound:
        raise click.ClickException(
            f"no topic {slug!r} (see: widget topics list)"
        ) from None
    click.echo(f"Removed {slug}")


@topics_group.command("export")
@with_appcontext
def export_command() -> None:
    """Print every topic's settings as JSON (the format `import` reads)."""
    topics = [topic_to_dict(s.topic) for s in services().store.list_states()]
    click.echo(json.dumps({"topics": topics}, indent=2))


@topics_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def import_command(file: Any) -> None:
    """Add or update topics from a JSON file written by `export`, or manual
    topics from a CSV file of books (columns slug, title, identifier, note).

    Every topic is checked before any is written, so a bad file changes nothing.
    """
    text = file.read()
    if text.lstrip().startswith("{"):
        topics = _json_topics(text)
    else:
        topics = _csv_topics(text)
    found = services()
    added = updated = 0
    for topic in topics:
        try:
            found.store.add_topic(topic)
            added += 1
        except TopicExists:
            found.store.update_topic(topic)
            updated += 1
    click.echo(f"Imported {len(topics)} topics: {added} added, {updated} updated")


def _json_topics(text: str) -> list[Topic]:
    """:raises click.ClickException: naming the first bad topic."""
    try:
        entries = json.loads(text)["topics"]
        if not isinstance(entries, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise click.ClickException(
            'expected JSON like {"topics": [{"title": ...}, ...]}'
            " or CSV with columns slug, title, identifier, note"
        ) from None
    topics = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise click.ClickException(f"topic {number} is not an object")
        try:
            topics.append(parse_topic(entry, settings=services().config))
        except TopicInvalid as exc:
            raise click.ClickException(f"topic {number}: {exc}") from None
    return topics


def _csv_topics(text: str) -> list[Topic]:
    """Manual topics from book rows (``widget.booklists``).

    :raises click.ClickException: naming every bad line.
    """
    found = services()
    try:
        lists = read_book_lists(text.splitlines())
    except (BookListsInvalid, csv.Error) as exc:
        raise click.ClickException(f"CSV: {exc}") from None
    topics, errors = [], []
    for rows in lists:
        state = found.store.get_state(rows.slug)
        try:
            data = topic_data(rows)
            topics.append(
                parse_topic(
                    data,
                    settings=found.config,
                    existing=state.topic if state else None,
                )
            )
        except ValueError as exc:  # TopicInvalid too
            errors.append(f"{rows.slug}: {exc}")
    if errors:
        raise click.ClickException("\n".join(errors))
    return topics


@click.command("refresh")
@click.argument("slugs", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Refresh every topic.")
@click.option("--due", is_flag=True, help="Refresh only topics whose interval is due.")
@with_appcontext
def refresh_command(slugs: tuple[str, ...], everything: bool, due: bool) -> None:
    """Fetch new lists now (for cron: widget refresh --due)."""
    lists = services().lists
    if sum(map(bool, (slugs, everything, due))) != 1:
        raise click.UsageError("give topic slugs, --all or --due")
    left: tuple[str, ...] = ()
    if slugs:
        results = []
        for slug in slugs:
            try:
                results.append(lists.refresh(slug, trigger="cli"))
                # ...and its list in every other configured store
                results += lists.refresher.refresh_stores(slug, "cli")
            except TopicNotFound:
                raise click.ClickException(f"no topic {slug!r}") from None
    else:
        done = lists.refresh_all(trigger="cli", due_only=due)
        results, left = list(done.results), done.left
    worker_metrics().flush()  # this process serves no scrape: hand its counts over
    for result in results:
        click.echo(result_line(result), err=result.outcome is Outcome.FAILED)
    if left:
        click.echo("Not reached before the time limit: " + ", ".join(left))
    if not results:
        click.echo("Nothing to refresh.")
    if any(r.outcome is Outcome.FAILED for r in results):
        sys.exit(1)


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, writable=True))
@with_appcontext
def export_widgets_command(folder: str) -> None:
    """Write every topic's widgets, embed.js, manifest.json and nginx
    configuration to FOLDER, for nginx or a CDN (see the README). Set
    WIDGET_EXPORT_DIR to the same folder to have refreshes keep it current;
    fragments are written only with WIDGET_PUBLIC_URL set."""
    app = current_app
    found = services()
    exporter = Exporter(found.lists, app.config, Path(folder), found.store_choices)
    try:
        done = exporter.export_all()
    except OSError as exc:
        raise click.ClickException(f"cannot export to {folder}: {exc}") from None
    click.echo(
        f"exported {len(done.files)} widget files for {done.topics} topics"
        f" to {folder} (manifest.json, embed.js, nginx-widget.conf)"
    )
    if done.skipped:
        click.echo("No list yet, not exported: " + ", ".join(done.skipped))
    if exporter.base_url is None:
        click.echo("Fragments not exported: set WIDGET_PUBLIC_URL for their links.")


def result_line(result: RefreshResult) -> str:
    slug, outcome = result.slug, result.outcome
    if result.store is not None:
        slug = f"{slug} [{result.store}]"
    if outcome is Outcome.BUSY:
        return f"{slug}: another worker is refreshing it right now"
    if outcome is Outcome.SKIPPED:
        return f"{slug}: refreshed by another worker meanwhile"
    if outcome is Outcome.FAILED:
        message = result.error.message if result.error else "failed"
        return f"{slug}: FAILED ({message}); the last good list stays"
    count = len(result.state.snapshot.products) if result.state.snapshot else 0
    return f"{slug}: refreshed, {count} items, {result.items_changed} changed"


@click.command("stats")
@click.argument("slug", required=False)
@click.option(
    "--days",
    default=DEFAULT_DAYS,
    show_default=True,
    type=click.IntRange(1, MAX_DAYS),
    help="How many days back, today included.",
)
@with_appcontext
def stats_command(slug: str | None, days: int) -> None:
    """Impressions, clicks and click-through rate: every topic's totals, or
    one topic's days, top items and pages."""
    found = services()
    now = found.lists.now()
    if slug is None:
        click.echo(f"{'topic':<32} {'impressions':>11} {'clicks':>7} {'unique':>7} ctr")
        for state in found.store.list_states():
            total = topic_report(found.store, state, now, days).total
            click.echo(f"{state.topic.slug:<32} {row_text(total)}")
        return
    one = found.store.get_state(slug)
    if one is None:
        raise click.ClickException(f"there is no topic called {slug!r}")
    report = topic_report(found.store, one, now, days)
    titles = titles_of(one)
    click.echo(f"{'day':<12} {'impressions':>11} {'clicks':>7} {'unique':>7} ctr")
    for row in report.days:
        click.echo(f"{row.key:<12} {row_text(row)}")
    click.echo(f"{'total':<12} {row_text(report.total)}")
    for heading, rows in (("items", report.items), ("pages", report.pages)):
        if rows:
            click.echo(f"\n{heading}:")
        for row in rows[:10]:
            name = clean_text(titles.get(row.key, row.key))[:60]
            click.echo(f"  {row_text(row)}  {name}")


def row_text(row: Row) -> str:
    ctr = "-" if row.ctr is None else f"{row.ctr * 100:.1f}%"
    return f"{row.impressions:>11} {row.clicks:>7} {row.unique_clicks:>7} {ctr}"


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes; debugger.")
def run_command(host: str, port: int, debug: bool) -> None:
    """Serve widgets with the development server (gunicorn in production)."""
    app = create_app()
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


class WidgetGroup(click.Group):
    """Bad settings and an unreachable store end a command with one plain
    line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group("widget", cls=WidgetGroup)
def widget() -> None:
    """Affiliate book widgets: topics, refreshes, stores and the stub-server.

    Settings come from WIDGET_* environment variables (see the README).
    """


widget.add_command(run_command)
widget.add_command(topics_group)
widget.add_command(refresh_command)
widget.add_command(export_widgets_command)
widget.add_command(stats_command)
widget.add_command(store_group)
widget.add_command(stub_server_command)


def main() -> None:
    """Console script entry point: ``widget`` (and ``python -m widget``)."""
    info = ScriptInfo(create_app=build_app, set_debug_flag=False)
    widget.main(obj=info, prog_name="widget")
