"""Catalog adapters, chosen by name with ``WIDGET_CATALOG``."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from widget.catalog.amazon import AmazonCatalog
from widget.catalog.amazon_auth import Credentials
from widget.catalog.base import Catalog
from widget.catalog.base import CatalogError
from widget.catalog.budget import Budget
from widget.catalog.manual import ManualCatalog
from widget.catalog.manual import Storefront
from widget.catalog.stub import BUNDLED_CATALOG
from widget.catalog.stub import DEMO_PARTNER_TAG
from widget.catalog.stub import StubCatalog
from widget.config import ConfigError
from widget.store.base import SnapshotStore
from widget.stores import Store
from widget.stores import build_stores

#: Makes the catalog of one store (the default one when ``Store.default``).
CatalogMaker = Callable[[Mapping[str, Any], SnapshotStore | None, Store], Catalog]


def _make_stub(
    config: Mapping[str, Any], store: SnapshotStore | None, shop: Store
) -> Catalog:
    path = Path(config["WIDGET_STUB_CATALOG"] or BUNDLED_CATALOG)
    try:
        return StubCatalog(
            path,
            marketplace=shop.marketplace,
            partner_tag=shop.partner_tag or DEMO_PARTNER_TAG,
            # The default store shows the catalog's own prices, as always.
            store=None if shop.default else shop.key,
        )
    except ValueError as exc:
        raise ConfigError(f"WIDGET_STUB_CATALOG: {exc}") from None


def make_amazon_catalog(
    config: Mapping[str, Any],
    store: SnapshotStore | None,
    shop: Store | None = None,
) -> Catalog:
    """The Creators API adapter for ``shop`` (default: the default store);
    its request budget is counted in ``store`` per credential (every worker
    sharing the store, and every store sharing the credential, shares it)."""
    shop = shop or default_store(config)
    credential = shop.credential
    if credential is None:  # load_config let it through: stores need one
        raise ConfigError(
            f"WIDGET_AMAZON_STORES: store {shop.key!r} lacks a credential"
        )
    budget = None
    if store is not None:
        budget = Budget(
            store,
            tps=config["WIDGET_AMAZON_TPS"],
            tpd=config["WIDGET_AMAZON_TPD"],
            # The default credential keeps the budget keys it always had.
            name="amazon"
            if credential.key == "default"
            else f"amazon:{credential.key}",
        )
    credentials = Credentials(
        credential.client_id, credential.client_secret, credential.version
    )
    return AmazonCatalog(
        requests.Session(),
        config["WIDGET_AMAZON_API_URL"],
        credentials,
        marketplace=shop.marketplace,
        partner_tag=shop.partner_tag or "",
        token_url=config["WIDGET_AMAZON_TOKEN_URL"],
        budget=budget,
        timeout=(
            config["WIDGET_AMAZON_CONNECT_TIMEOUT"],
            config["WIDGET_AMAZON_READ_TIMEOUT"],
        ),
    )


def make_manual_catalog(config: Mapping[str, Any]) -> ManualCatalog:
    """The catalog of hand-picked books (and of the open-data fallback):
    Open Library at ``WIDGET_OPENLIBRARY_URL``, links to the default store.

    Not a ``WIDGET_CATALOG`` choice: a topic picks ``manual`` for itself and
    the service's search catalog stays what ``WIDGET_CATALOG`` says.
    """
    store = Storefront(
        config["WIDGET_AMAZON_MARKETPLACE"],
        config["WIDGET_AMAZON_PARTNER_TAG"] or DEMO_PARTNER_TAG,
    )
    return ManualCatalog(
        requests.Session(),
        config["WIDGET_OPENLIBRARY_URL"],
        store,
        items_of=lambda topic: topic.items,
    )


CATALOGS: dict[str, CatalogMaker] = {
    "stub": _make_stub,
    "amazon": make_amazon_catalog,
}


def make_catalog(
    config: Mapping[str, Any], store: SnapshotStore | None = None
) -> Catalog:
    """:raises ConfigError: if the catalog cannot be built from the settings."""
    name = config["WIDGET_CATALOG"]
    if name not in CATALOGS:
        raise ConfigError(f"WIDGET_CATALOG={name!r} is not available in this build")
    return CATALOGS[name](config, store, default_store(config))


def default_store(config: Mapping[str, Any]) -> Store:
    return next(iter(build_stores(config).values()))


def make_store_catalogs(
    config: Mapping[str, Any], store: SnapshotStore | None = None
) -> dict[str, Catalog]:
    """The catalog of every store besides the default one, by store key.

    :raises ConfigError: if a catalog cannot be built from the settings.
    """
    name = config["WIDGET_CATALOG"]
    if name not in CATALOGS:
        raise ConfigError(f"WIDGET_CATALOG={name!r} is not available in this build")
    return {
        key: CATALOGS[name](config, store, shop)
        for key, shop in build_stores(config).items()
        if not shop.default
    }


__all__ = [
    "AmazonCatalog",
    "Catalog",
    "CatalogError",
    "ManualCatalog",
    "Storefront",
    "StubCatalog",
    "make_amazon_catalog",
    "make_catalog",
    "make_manual_catalog",
    "make_store_catalogs",
]
