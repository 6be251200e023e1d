"""``widget stub-server``: the Creators API wire format and Open Library's
books API over the stub catalog."""

from __future__ import annotations

from widget.stubserver.app import create_stub_app
from widget.stubserver.app import serve_in_thread
from widget.stubserver.state import StubOptions

__all__ = ["StubOptions", "create_stub_app", "serve_in_thread"]
