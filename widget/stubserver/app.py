"""A small WSGI app that speaks the Creators API over the stub catalog
(and Open Library's books API, ``openlibrary``).

Token endpoints for both credential families (``tokens``), ``searchItems``
and ``getItems`` with Amazon's request checks, error bodies and injected
faults (``operations``), and routes to watch and steer it (``control``):
``GET /_stub/calls`` reports every call served (with its arrival time) so
tests can count token fetches and measure the request rate;
``POST /_stub/reset`` clears the log, ``POST /_stub/faults`` queues faults
for the next catalog calls and ``POST /_stub/revoke`` expires every token.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.serving import make_server

from widget.catalog.stub import StubItem
from widget.stubserver import control
from widget.stubserver import openlibrary
from widget.stubserver import operations
from widget.stubserver import tokens
from widget.stubserver.state import StubOptions
from widget.stubserver.state import StubState
from widget.stubserver.state import log_call

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_stub_app(
    items: list[StubItem], covers_dir: Path, options: StubOptions
) -> Flask:
    app = Flask(__name__)
    app.extensions["stub"] = StubState(
        options, items, covers_dir, rng=random.Random(options.seed)
    )
    app.after_request(log_call)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(openlibrary.bp)
    return app


@contextmanager
def serve_in_thread(
    app: WSGIApplication, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve a WSGI app from a background thread; yields its base URL."""
    server = make_server(host, port, app, threaded=True)
    # A short poll interval makes shutdown (and so each test) quick.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
