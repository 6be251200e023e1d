"""Catalog adapters, chosen by name with ``WIDGET_CATALOG``."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import StubCatalog
from widget.config import ConfigError


def _make_stub(config: Mapping[str, Any]) -> Catalog:
    path = Path(config["WIDGET_STUB_CATALOG"] or BUNDLED_CATALOG)
    try:
        return StubCatalog(
            path,
            marketplace=config["WIDGET_AMAZON_MARKETPLACE"],
            partner_tag=config["WIDGET_AMAZON_PARTNER_TAG"] or "stubdemo-20",
        )
    except ValueError as exc:
        raise ConfigError(f"WIDGET_STUB_CATALOG: {exc}") from None


CATALOGS: dict[str, Callable[[Mapping[str, Any]], Catalog]] = {
    "stub": _make_stub,
}


def make_catalog(config: Mapping[str, Any]) -> Catalog:
    """:raises ConfigError: if the catalog cannot be built from the settings."""
    name = config["WIDGET_CATALOG"]
    if name not in CATALOGS:
        raise ConfigError(f"WIDGET_CATALOG={name!r} is not available in this build")
    return CATALOGS[name](config)


__all__ = ["Catalog", "CatalogError", "StubCatalog", "make_catalog"]
