"""Amazon's stores: the one table of what each store key means, and the
stores this service is configured for.

A store key (``us``, ``uk``, ``de``...) names one Amazon marketplace: its
host (the ``x-marketplace`` header and link host), its credential region
(Amazon issues Creators API credentials per region: 2.1/3.1 North America,
2.2/3.2 Europe, 2.3/3.3 Far East), its currency and the widget language a
visitor of that store reads by default. ``COUNTRY_STORES`` is the
documented country → store table that embed.js's ``data-store="auto"``
follows in the browser.

The ``WIDGET_AMAZON_*`` settings are the default store; ``WIDGET_AMAZON_STORES``
adds more (``build_stores``), each with its own partner tag and, where its
region differs from the default credential's, its own credential.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from widget.config import Secret

NA, EU, FE = "NA", "EU", "FE"
REGION_NAMES = {NA: "North America", EU: "Europe", FE: "Far East"}
#: The region each credential version belongs to (its second digit).
VERSION_REGIONS = {
    "2.1": NA,
    "3.1": NA,
    "2.2": EU,
    "3.2": EU,
    "2.3": FE,
    "3.3": FE,
}


@dataclass(frozen=True)
class Marketplace:
    key: str
    host: str
    region: str
    currency: str
    #: the widget language a visitor of this store reads by default
    lang: str


def _table(*rows: tuple[str, str, str, str, str]) -> dict[str, Marketplace]:
    return {row[0]: Marketplace(*row) for row in rows}


#: Every Amazon store the Creators API serves (AMAZON.md §3, Regions).
MARKETPLACES = _table(
    ("us", "www.amazon.com", NA, "USD", "en"),
    ("ca", "www.amazon.ca", NA, "CAD", "en"),
    ("mx", "www.amazon.com.mx", NA, "MXN", "es"),
    ("br", "www.amazon.com.br", NA, "BRL", "en"),
    ("uk", "www.amazon.co.uk", EU, "GBP", "en"),
    ("de", "www.amazon.de", EU, "EUR", "de"),
    ("fr", "www.amazon.fr", EU, "EUR", "fr"),
    ("it", "www.amazon.it", EU, "EUR", "it"),
    ("es", "www.amazon.es", EU, "EUR", "es"),
    ("nl", "www.amazon.nl", EU, "EUR", "en"),
    ("be", "www.amazon.com.be", EU, "EUR", "fr"),
    ("ie", "www.amazon.ie", EU, "EUR", "en"),
    ("pl", "www.amazon.pl", EU, "PLN", "en"),
    ("se", "www.amazon.se", EU, "SEK", "en"),
    ("tr", "www.amazon.com.tr", EU, "TRY", "en"),
    ("ae", "www.amazon.ae", EU, "AED", "en"),
    ("sa", "www.amazon.sa", EU, "SAR", "en"),
    ("eg", "www.amazon.eg", EU, "EGP", "en"),
    ("in", "www.amazon.in", EU, "INR", "en"),
    ("jp", "www.amazon.co.jp", FE, "JPY", "ja"),
    ("sg", "www.amazon.sg", FE, "SGD", "en"),
    ("au", "www.amazon.com.au", FE, "AUD", "en"),
)
BY_HOST = {market.host: market for market in MARKETPLACES.values()}

#: Visitor country (ISO 3166 alpha-2) → store key, for countries that shop
#: in a store not named after them; every store key is also its own
#: country (``gb`` is the uk store). A country whose store is not
#: configured gets the default store.
COUNTRY_STORES = {
    "gb": "uk",
    "at": "de",
    "ch": "de",
    "li": "de",
    "lu": "de",
    "ie": "uk",
    "nz": "au",
    "pt": "es",
    "ad": "es",
    "mc": "fr",
    "sm": "it",
    "va": "it",
}

#: Time zone → country, for ``data-store="auto"``: where a browser's clock
#: is set says more about where its reader shops than its languages do.
TIME_ZONES = {
    "America/New_York": "us",
    "America/Chicago": "us",
    "America/Denver": "us",
    "America/Phoenix": "us",
    "America/Los_Angeles": "us",
    "America/Anchorage": "us",
    "Pacific/Honolulu": "us",
    "America/Toronto": "ca",
    "America/Vancouver": "ca",
    "America/Edmonton": "ca",
    "America/Winnipeg": "ca",
    "America/Halifax": "ca",
    "America/Mexico_City": "mx",
    "America/Sao_Paulo": "br",
    "Europe/London": "gb",
    "Europe/Dublin": "ie",
    "Europe/Berlin": "de",
    "Europe/Vienna": "at",
    "Europe/Zurich": "ch",
    "Europe/Vaduz": "li",
    "Europe/Luxembourg": "lu",
    "Europe/Paris": "fr",
    "Europe/Monaco": "mc",
    "Europe/Brussels": "be",
    "Europe/Amsterdam": "nl",
    "Europe/Madrid": "es",
    "Europe/Lisbon": "pt",
    "Europe/Rome": "it",
    "Europe/Warsaw": "pl",
    "Europe/Stockholm": "se",
    "Europe/Istanbul": "tr",
    "Asia/Dubai": "ae",
    "Asia/Riyadh": "sa",
    "Africa/Cairo": "eg",
    "Asia/Kolkata": "in",
    "Asia/Calcutta": "in",
    "Asia/Tokyo": "jp",
    "Asia/Singapore": "sg",
    "Australia/Sydney": "au",
    "Australia/Melbourne": "au",
    "Australia/Brisbane": "au",
    "Australia/Perth": "au",
    "Australia/Adelaide": "au",
    "Pacific/Auckland": "nz",
}

#: The fields a ``WIDGET_AMAZON_STORES`` entry may have.
ENTRY_FIELDS = (
    "partner_tag",
    "marketplace",
    "credential_id",
    "credential_secret",
    "credential_version",
)
CREDENTIAL_FIELDS = ENTRY_FIELDS[2:]


@dataclass(frozen=True)
class Credential:
    """A Creators API credential; ``key`` names it in budgets and logs
    without revealing it."""

    key: str
    client_id: Secret
    client_secret: Secret
    version: str

    @property
    def region(self) -> str:
        return VERSION_REGIONS[self.version]


@dataclass(frozen=True)
class Store:
    """One configured store: where its lists come from and whom they pay."""

    key: str
    market: Marketplace
    marketplace: str  # the host: Amazon's own, or an override
    partner_tag: str | None
    credential: Credential | None
    default: bool = False

    @property
    def lang(self) -> str:
        return self.market.lang


@dataclass(frozen=True)
class StoreEntry:
    """One ``WIDGET_AMAZON_STORES`` entry, each value cast, not yet checked
    against the other settings."""

    partner_tag: str
    marketplace: str | None = None
    credential_id: Secret | None = None
    credential_secret: Secret | None = None
    credential_version: str | None = None


#: Stores whose shoppers write 1.234,56 € rather than €1,234.56.
DECIMAL_COMMA = frozenset({"de", "fr", "it", "es", "nl", "be", "pl", "se", "tr", "br"})
#: Currencies priced in whole units.
WHOLE_UNITS = frozenset({"JPY"})
_SIGNS = {
    "USD": "$",
    "CAD": "$",
    "AUD": "$",
    "MXN": "$",
    "BRL": "R$",
    "GBP": "£",
    "EUR": "€",
    "INR": "₹",
    "JPY": "¥",
}


def display_price(amount: float, currency: str, store: str) -> str:
    """A price as the store's own pages write it ("19,99 €" in de, "¥2,000"
    in jp, "£13.99" in uk), the way Amazon's ``displayAmount`` comes."""
    sign = _SIGNS.get(currency, currency)
    if currency in WHOLE_UNITS:
        return f"{sign}{amount:,.0f}"
    if store in DECIMAL_COMMA:
        text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"{text} {sign}"
    return f"{sign}{amount:,.2f}" if currency in _SIGNS else f"{amount:,.2f} {sign}"


def region_name(region: str) -> str:
    return f"{REGION_NAMES[region]} ({region})"


def versions_of(region: str) -> str:
    return " or ".join(v for v, r in VERSION_REGIONS.items() if r == region)


def default_market(host: str, version: str) -> Marketplace:
    """The default store's marketplace: the known one at ``host`` or, for a
    host the table lacks, one named ``default`` in the credential's region."""
    known = BY_HOST.get(host)
    if known is not None:
        return known
    return Marketplace("default", host, VERSION_REGIONS[version], "USD", "en")


def parse_entries(
    value: Any,
    *,
    tag: Any,
    host: Any,
    secret: Any,
    version: Any,
) -> dict[str, StoreEntry]:
    """``WIDGET_AMAZON_STORES``: a JSON object of store key → entry, each
    field cast with the cast of its ``WIDGET_AMAZON_*`` counterpart.

    :raises ValueError: naming the store and field at fault.
    """
    parsed = value if isinstance(value, Mapping) else json.loads(str(value) or "{}")
    if not isinstance(parsed, Mapping):
        raise ValueError('expected a JSON object such as {"de": {"partner_tag": ...}}')
    entries: dict[str, StoreEntry] = {}
    for key, raw in parsed.items():
        if key not in MARKETPLACES:
            raise ValueError(
                f"unknown store {key!r} (one of {', '.join(MARKETPLACES)})"
            )
        if not isinstance(raw, Mapping):
            raise ValueError(f'store {key!r}: expected {{"partner_tag": ...}}')
        extra = sorted(set(raw) - set(ENTRY_FIELDS))
        if extra:
            raise ValueError(
                f"store {key!r}: unknown field {extra[0]!r}"
                f" (fields: {', '.join(ENTRY_FIELDS)})"
            )
        casts = {
            "partner_tag": tag,
            "marketplace": host,
            "credential_id": secret,
            "credential_secret": secret,
            "credential_version": version,
        }
        fields: dict[str, Any] = {}
        for name, cast in casts.items():
            if raw.get(name) is None:
                continue
            try:
                fields[name] = cast(raw[name])
            except (TypeError, ValueError) as exc:
                shown = "" if cast is secret else f"={raw[name]!r}"
                raise ValueError(f"store {key!r}: {name}{shown}: {exc}") from None
        if not fields.get("partner_tag"):
            raise ValueError(
                f"store {key!r} needs a partner_tag (its tracking id, e.g."
                f" mysite-21: each store pays through its own)"
            )
        entries[key] = StoreEntry(**fields)
    return entries


def build_stores(config: Mapping[str, Any]) -> dict[str, Store]:
    """Every configured store, the default (from ``WIDGET_AMAZON_*``) first.

    With the Amazon catalog every store needs a credential of its own
    region: its own, or the default one when the regions match.

    :raises ValueError: naming the store and what is wrong with it.
    """
    version = config["WIDGET_AMAZON_CREDENTIAL_VERSION"]
    host = config["WIDGET_AMAZON_MARKETPLACE"]
    market = default_market(host, version)
    default_credential = None
    if (
        config["WIDGET_AMAZON_CREDENTIAL_ID"]
        and config["WIDGET_AMAZON_CREDENTIAL_SECRET"]
    ):
        default_credential = Credential(
            "default",
            config["WIDGET_AMAZON_CREDENTIAL_ID"],
            config["WIDGET_AMAZON_CREDENTIAL_SECRET"],
            version,
        )
    stores = {
        market.key: Store(
            market.key,
            market,
            host,
            config["WIDGET_AMAZON_PARTNER_TAG"],
            default_credential,
            default=True,
        )
    }
    amazon = config["WIDGET_CATALOG"] == "amazon"
    entries: Mapping[str, StoreEntry] = config.get("WIDGET_AMAZON_STORES") or {}
    for key, entry in entries.items():
        if key == market.key:
            raise ValueError(
                f"store {key!r} is the default store"
                f" (WIDGET_AMAZON_MARKETPLACE={host}); its tag and credential"
                " are the WIDGET_AMAZON_* settings"
            )
        own = MARKETPLACES[key]
        credential = _entry_credential(key, entry) or default_credential
        if (
            default_credential
            and credential
            and credential.key == _same(default_credential)
        ):
            credential = default_credential  # one credential, one budget
        if credential is not None and credential.region != own.region:
            if credential is default_credential and not amazon:
                credential = None  # the stub catalog needs none
            else:
                raise ValueError(_wrong_region(key, own, credential))
        if amazon and credential is None:
            raise ValueError(
                f"store {key!r} needs a credential: credential_id and"
                f" credential_secret of a {region_name(own.region)} credential"
            )
        stores[key] = Store(
            key, own, entry.marketplace or own.host, entry.partner_tag, credential
        )
    return stores


def _entry_credential(key: str, entry: StoreEntry) -> Credential | None:
    given = [name for name in CREDENTIAL_FIELDS[:2] if getattr(entry, name) is not None]
    if not given:
        if entry.credential_version is not None:
            raise ValueError(
                f"store {key!r}: credential_version without credential_id and"
                " credential_secret"
            )
        return None
    if len(given) < 2:
        raise ValueError(
            f"store {key!r}: credential_id and credential_secret go together"
        )
    assert entry.credential_id is not None and entry.credential_secret is not None
    version = entry.credential_version or _first_version(MARKETPLACES[key].region)
    return Credential(
        credential_key(entry.credential_id),
        entry.credential_id,
        entry.credential_secret,
        version,
    )


def _same(credential: Credential) -> str:
    return credential_key(credential.client_id)


def credential_key(client_id: Secret) -> str:
    """A name for a credential that stores sharing it share (its budget),
    and that reveals nothing of it."""
    digest = hashlib.blake2b(client_id.reveal().encode(), digest_size=6)
    return "cred-" + digest.hexdigest()


def _first_version(region: str) -> str:
    return next(v for v, r in VERSION_REGIONS.items() if r == region)


def _wrong_region(key: str, market: Marketplace, credential: Credential) -> str:
    whose = (
        "the default credential" if credential.key == "default" else "its credential"
    )
    return (
        f"store {key!r} is in {region_name(market.region)} but {whose} is version"
        f" {credential.version}, {region_name(credential.region)}: Amazon refuses"
        f" it there; give the store a credential of version"
        f" {versions_of(market.region)}"
    )


def auto_table(default: str, langs: Mapping[str, str]) -> dict[str, object]:
    """What embed.js needs to pick a visitor's store in the browser: the
    default store, each other store's language, and the country and time
    zone tables cut to the configured stores."""
    if not langs:  # one store: every visitor gets it
        return {"default": default, "langs": {}, "countries": {}, "zones": {}}
    configured = {default, *langs}
    countries = {
        country: key for country, key in COUNTRY_STORES.items() if key in configured
    }
    return {
        "default": default,
        "langs": dict(langs),
        "countries": countries,
        "zones": {
            zone: country
            for zone, country in TIME_ZONES.items()
            if countries.get(country, country) in configured
        },
    }


def store_for_country(country: str, stores: Mapping[str, Store]) -> str | None:
    """The configured store a visitor from ``country`` shops in, if any."""
    country = country.lower()
    key = COUNTRY_STORES.get(country, country)
    return key if key in stores else None
