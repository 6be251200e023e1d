"""Real servers for the browser tests: the service under gunicorn on
``localhost`` and a blog host page on ``127.0.0.1``, two different origins.
Both bind 127.0.0.1 on free ports and stop when the module is done."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.e2e.blog import PAGE
from tests.e2e.blog import blog_page
from tests.e2e.servers import gunicorn
from widget.stubserver import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """``http://localhost:PORT``: gunicorn serving the app over the stub catalog."""
    env = {
        "WIDGET_LOG_LEVEL": "warning",
        # The blog is on 127.0.0.1 and the preview page on the service itself;
        # any other page (such as http://localhost:<blog port>) may not frame.
        "WIDGET_FRAME_ANCESTORS": "'self' http://127.0.0.1:*",
        # Tests add and remove topics through the admin API.
        "WIDGET_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    # gthread: Chromium opens spare connections that would each hold a sync
    # worker until it times out.
    threads = ("-k", "gthread", "--threads", "8")
    with gunicorn(
        tmp_path_factory.mktemp("service"),
        app="widget:create_app()",
        env=env,
        extra_args=threads,
    ) as url:
        yield url.replace("127.0.0.1", "localhost")


def host_page(service_url: str, query: dict[str, str]) -> str:
    """A blog post: one widget through embed.js (in an iframe unless
    ``mode=inline``), one through a plain iframe."""
    query.setdefault("mode", "iframe")
    attrs = " ".join(
        f'data-{name}="{query[name]}"'
        for name in ("count", "layout", "theme", "lang", "mode")
        if name in query
    )
    slug = query.get("topic", "nasa-artemis")
    embed = (
        f'<div data-widget-topic="{slug}" {attrs}>'
        f'<a href="{service_url}/widget/{slug}">Popular books</a></div>\n'
        f'<script src="{service_url}/embed.js"></script>'
    )
    plain = ""
    if "plain" in query:
        params = "&".join(
            f"{k}={query[k]}" for k in ("layout", "theme", "lang") if k in query
        )
        plain = (
            f'<iframe id="plain" src="{service_url}/widget/science-fiction?{params}"'
            ' title="Science Fiction books" width="100%" height="1200"'
            ' style="border:0;display:block"></iframe>'
        )
    return PAGE.format(referrer="", theme="", widget=embed, below=plain)


@pytest.fixture(scope="module")
def host(service):
    """``http://127.0.0.1:PORT``: serves ``/post?layout=..&theme=..`` pages
    and ``/blog?...`` (tests/e2e/blog.py)."""

    pages = {"/post": host_page, "/blog": blog_page}

    def blog(environ, start_response):
        if environ["PATH_INFO"] not in pages:
            # No favicon either: a 404 would be a console error.
            missing = environ["PATH_INFO"] != "/favicon.ico"
            start_response("404 Not Found" if missing else "204 No Content", [])
            return [b"no such page" if missing else b""]
        query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        # ?service=PORT embeds from another service on localhost.
        source = service
        if query.get("service", "").isdigit():
            source = f"http://localhost:{query['service']}"
        body = pages[environ["PATH_INFO"]](source, query).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    with serve_in_thread(blog) as url:
        yield url


@pytest.fixture
def aged_service(make_app, clock):
    """``http://localhost:PORT``: the app in a thread, its lists two hours old,
    so that every price carries its "as of" time."""
    app = make_app(clock=clock)
    client = app.test_client()
    for slug in ("nasa-artemis", "science-fiction"):
        assert client.get(f"/widget/{slug}").status_code == 200
    clock.advance(hours=2)
    with serve_in_thread(app) as url:
        # Bound to 127.0.0.1, reached as localhost: the widget's own origin.
        yield url.replace("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
