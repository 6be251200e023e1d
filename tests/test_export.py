"""``widget export DIR``: every widget as static files, kept current by
refreshes, served by nginx with the service's headers."""

import json

import pytest
import requests

from tests.fakes import make_product
from tests.fakes import make_topic
from tests.nginx_server import nginx
from tests.nginx_server import nginx_binary

SLUG = "nasa-artemis"


@pytest.fixture
def export_app(make_app, fake_catalog, clock, tmp_path):
    def factory(**settings):
        app = make_app(
            catalog=fake_catalog,
            clock=clock,
            WIDGET_SEED_DEMO=False,
            WIDGET_PUBLIC_URL="https://widgets.example.com",
            **settings,
        )
        app.extensions["widget"].store.add_topic(make_topic(SLUG))
        return app

    return factory


def test_export_writes_every_variant_embed_js_and_a_manifest(export_app, tmp_path):
    app = export_app()
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 108 widget files for 1 topics" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert len(paths) == 108  # 3 layouts x 3 themes x 6 languages, 2 kinds
    assert f"widget/{SLUG}/grid-dark-de.html" in paths
    assert f"widget/{SLUG}/fragment/list-light-en.html" in paths
    page = (out / f"widget/{SLUG}/list-light-en.html").read_text()
    assert "As an Amazon Associate we earn from qualifying purchases." in page
    assert "Fake Book 1" in page
    # A static file is read later: its prices carry their "as of" time.
    assert "Prices as of" in page
    fragment = (out / f"widget/{SLUG}/fragment/list-light-en.html").read_text()
    assert "https://widgets.example.com" in fragment or "shadowrootmode" in fragment
    assert (out / "embed.js").read_bytes() == app.test_client().get("/embed.js").data
    assert "alias" in (out / "nginx-widget.conf").read_text()


def test_a_refresh_exports_its_topic_again_when_configured(
    export_app, tmp_path, fake_catalog
):
    out = tmp_path / "out"
    app = export_app(WIDGET_EXPORT_DIR=str(out))
    assert app.test_cli_runner().invoke(args=["export", str(out)]).exit_code == 0
    fake_catalog.products = [make_product(77)]
    result = app.test_cli_runner().invoke(args=["refresh", SLUG])
    assert result.exit_code == 0, result.output
    page = (out / f"widget/{SLUG}/compact-auto-ja.html").read_text()
    assert "Fake Book 77" in page and "Fake Book 1<" not in page
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["files"]) == 108


def test_without_a_public_url_fragments_are_left_out_and_said_so(
    make_app, fake_catalog, tmp_path
):
    app = make_app(catalog=fake_catalog, WIDGET_SEED_DEMO=False)
    app.extensions["widget"].store.add_topic(make_topic(SLUG))
    result = app.test_cli_runner().invoke(args=["export", str(tmp_path / "o")])
    assert "exported 54 widget files" in result.output
    assert "set WIDGET_PUBLIC_URL" in result.output


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")
def test_nginx_serves_the_export_by_query_with_the_services_headers(
    export_app, tmp_path
):
    app = export_app()
    out = tmp_path / "out"
    assert app.test_cli_runner().invoke(args=["export", str(out)]).exit_code == 0
    served = app.test_client().get(f"/widget/{SLUG}")
    with nginx(out, tmp_path / "nginx") as base:
        for query, name in [
            ("", "list-light-en"),
            ("?layout=grid&theme=dark&lang=de-DE", "grid-dark-de"),
            ("?layout=round&lang=xx", "list-light-en"),  # defaults, as the service
        ]:
            response = requests.get(f"{base}/widget/{SLUG}{query}", timeout=10)
            assert response.status_code == 200
            assert response.content == (out / f"widget/{SLUG}/{name}.html").read_bytes()
            for header in ("Content-Security-Policy", "X-Content-Type-Options"):
                assert response.headers[header] == served.headers[header]
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        fragment = requests.get(f"{base}/widget/{SLUG}/fragment?lang=fr", timeout=10)
        assert fragment.headers["Access-Control-Allow-Origin"] == "*"
        missing = requests.get(f"{base}/widget/no-such-topic", timeout=10)
        assert missing.status_code == 404
        assert requests.get(f"{base}/embed.js", timeout=10).status_code == 200
