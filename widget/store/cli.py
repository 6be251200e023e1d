"""``widget store ...``: commands that work on stores by URL."""

from __future__ import annotations

import click

from widget.config import redact_url
from widget.store import StoreError
from widget.store import make_store
from widget.store.copy import copy_store


@click.group("store")
def store_group() -> None:
    """Work with snapshot stores (SQLite, Redis)."""


@store_group.command("copy")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
def copy_command(source: str, target: str) -> None:
    """Copy topics, lists, errors and history from the store at FROM to the
    store at TO, e.g. widget store copy sqlite:///instance/widget.db
    redis://127.0.0.1:6379/0. Safe to run again: only what TO lacks, or
    holds older, is written."""
    if source == target:
        raise click.UsageError("FROM and TO are the same store")
    try:
        stores = [make_store(url) for url in (source, target)]
    except (ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        summary = copy_store(*stores)
    except StoreError as exc:
        raise click.ClickException(
            f"copy stopped, what was copied stays: {exc}"
        ) from None
    finally:
        for store in stores:
            store.close()
    click.echo(summary.line(redact_url(source), redact_url(target)))
