"""The application factory: reads like a table of contents."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import TypedDict
from typing import Unpack

from flask import Flask

from widget import admin
from widget import api
from widget import api_admin
from widget import api_events
from widget import auth
from widget import errors
from widget import export
from widget import headers
from widget import hotpath
from widget import metrics
from widget import openapi
from widget import schedule
from widget import services
from widget import sessions
from widget import site
from widget import views
from widget.catalog import Catalog
from widget.config import ConfigError
from widget.config import load_config
from widget.store import SnapshotStore

PACKAGE_DIR = Path(__file__).parent
# Installed wheels carry templates inside the package; a checkout keeps
# them at the top level, beside the package.
TEMPLATES = next(
    (
        p
        for p in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates")
        if p.is_dir()
    ),
    PACKAGE_DIR / "templates",
)


class Parts(TypedDict, total=False):
    """What tests and benchmarks may hand in instead of the configured ones."""

    catalog: Catalog | None
    store: SnapshotStore | None
    clock: Callable[[], datetime] | None


def create_app(
    config: Mapping[str, Any] | None = None, **parts: Unpack[Parts]
) -> Flask:
    """Build the service to serve requests (gunicorn, ``widget run``): as
    ``build_app``, and a stub catalog says loudly that it is one.

    :raises ConfigError: naming the setting that stops it from starting.
    """
    app = build_app(config, **parts)
    services.announce(app.extensions["widget"])
    return app


def build_app(config: Mapping[str, Any] | None = None, **parts: Unpack[Parts]) -> Flask:
    """Build the service; commands that serve nothing start here.

    :raises ConfigError: naming the setting that stops it from starting.
    """
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    app.config.update(load_config(os.environ, config))
    configure_logging(app)
    app.secret_key = secret_key(app.config)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    sessions.init_app(app)
    found = services.init_app(app, **parts)
    metrics.init_app(app, found)
    hotpath.install(app)  # before auth's proxy fix, which must wrap it
    auth.init_app(app)
    errors.register_error_handlers(app)
    headers.init_app(app)
    views.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_admin.bp)
    app.register_blueprint(api_events.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(openapi.bp)
    schedule.init_app(app)
    export.init_app(app)
    return app


def configure_logging(app: Flask) -> None:
    level = app.config["WIDGET_LOG_LEVEL"].upper()
    logging.getLogger("widget").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def secret_key(config: Mapping[str, Any]) -> str:
    """The configured key, or one generated once and kept in the instance folder
    so sessions survive restarts and are shared by every worker."""
    if config["WIDGET_SECRET_KEY"]:
        return str(config["WIDGET_SECRET_KEY"].reveal())
    path = Path(config["WIDGET_INSTANCE_DIR"]) / "secret_key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, exactly one writes it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(
            f"WIDGET_INSTANCE_DIR={str(path.parent)!r}: cannot keep the secret key"
            f" there ({exc.strerror}); make it writable or set WIDGET_SECRET_KEY"
        ) from None
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may be between create and write
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"secret key file {path} is empty")
