"""``widget stub-server``: the Creators API wire format and Open Library's
books API over the stub catalog."""

from __future__ import annotations

from flask import Flask

from widget.stubserver.app import create_stub_app
from widget.stubserver.app import serve_in_thread
from widget.stubserver.command import stub_server_command
from widget.stubserver.state import StubOptions

__all__ = ["StubOptions", "create_stub_app", "init_app", "serve_in_thread"]


def init_app(app: Flask) -> None:
    app.cli.add_command(stub_server_command)
