"""The ``widget stub-server`` command."""

from __future__ import annotations

import os
from pathlib import Path

import click
from werkzeug.serving import make_server

from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import load_stub_items
from widget.config import load_config
from widget.stores import REGION_NAMES
from widget.stubserver.app import create_stub_app
from widget.stubserver.state import FAULTS
from widget.stubserver.state import StubOptions


@click.command("stub-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8641, show_default=True, type=int)
@click.option("--latency", default=0.0, type=float, help="Seconds added per call.")
@click.option(
    "--fail-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of catalog calls that get a fault (see --fault).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    type=click.Choice(FAULTS),
    help="Fault kinds --fail-rate draws from (repeatable; default 500).",
)
@click.option(
    "--ineligible",
    is_flag=True,
    help="Answer catalog calls 403 AssociateNotEligible (POST /_stub/eligibility"
    ' {"eligible": true} ends it).',
)
@click.option("--throttle", is_flag=True, help="Answer 429 past --tps calls a second.")
@click.option("--tps", default=1.0, type=float, show_default=True)
@click.option("--client-id", default="stub-client", show_default=True)
@click.option("--client-secret", default="stub-secret", show_default=True)
@click.option(
    "--credential",
    "credentials",
    multiple=True,
    metavar="REGION:ID:SECRET",
    help="A credential valid only for one region's marketplaces (NA, EU or FE),"
    " as Amazon's are (repeatable).",
)
@click.option("--token-lifetime", default=3600, show_default=True, type=int)
@click.option("--image-base", help="URL prefix for the covers (default: this server).")
def stub_server_command(
    host: str,
    port: int,
    faults: tuple[str, ...],
    credentials: tuple[str, ...],
    **options: object,
) -> None:
    """Serve the Creators API and Open Library's books API over the stub
    catalog, offline."""
    path = Path(load_config(os.environ)["WIDGET_STUB_CATALOG"] or BUNDLED_CATALOG)
    try:
        items = load_stub_items(path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    settings = StubOptions(
        faults=faults or ("500",),
        credentials=tuple(map(regional_credential, credentials)),
        **options,  # type: ignore[arg-type]
    )
    app = create_stub_app(items, path.parent / "covers", settings)
    server = make_server(host, port, app, threaded=True)
    base = f"http://{host}:{server.server_port}"
    click.echo(f"Creators API stub on {base} ({len(items)} items from {path})")
    click.echo(f"  token URL for versions 2.x: {base}/oauth2/token")
    click.echo(f"  token URL for versions 3.x: {base}/auth/o2/token")
    click.echo(f"  credential: {settings.client_id} / {settings.client_secret}")
    for region, client_id, secret in settings.credentials:
        click.echo(f"  {region} credential: {client_id} / {secret}")
    click.echo(f"  Open Library books API: {base}/api/books")
    click.echo(f"  call log: {base}/_stub/calls")
    click.echo("Run the service against it with:")
    click.echo(
        f"  WIDGET_CATALOG=amazon WIDGET_AMAZON_API_URL={base}"
        f" WIDGET_AMAZON_TOKEN_URL={base}/oauth2/token"
        f" WIDGET_AMAZON_CREDENTIAL_ID={settings.client_id}"
        f" WIDGET_AMAZON_CREDENTIAL_SECRET={settings.client_secret}"
        " WIDGET_AMAZON_PARTNER_TAG=mysite-20"
        f" WIDGET_OPENLIBRARY_URL={base} widget run"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def regional_credential(text: str) -> tuple[str, str, str]:
    region, _, rest = text.partition(":")
    client_id, _, secret = rest.partition(":")
    if region.upper() not in REGION_NAMES or not client_id or not secret:
        raise click.BadParameter(
            f"expected REGION:ID:SECRET with REGION one of {', '.join(REGION_NAMES)}",
            param_hint="--credential",
        )
    return region.upper(), client_id, secret
