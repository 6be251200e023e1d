"""OAuth2 client-credentials tokens for the Creators API.

Two credential families: 2.x (Cognito: form-encoded body, scope
``creatorsapi/default``, ``Authorization: Bearer <t>, Version <v>``) and 3.x
(Login with Amazon: JSON body, scope ``creatorsapi::default``, plain
``Bearer <t>``). One token serves every thread of a process until shortly
before it expires; a 401 from the API invalidates it. Tokens and secrets are
never logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from widget.catalog.base import CatalogBadResponse
from widget.catalog.base import CatalogConfigError
from widget.catalog.base import CatalogUnavailable
from widget.catalog.base import CredentialsRefused
from widget.config import DEFAULT_UPSTREAM_TIMEOUT
from widget.config import Secret

log = logging.getLogger(__name__)

TOKEN_URLS = {
    "2.1": "https://creatorsapi.auth.us-east-1.amazoncognito.com/oauth2/token",
    "2.2": "https://creatorsapi.auth.eu-south-2.amazoncognito.com/oauth2/token",
    "2.3": "https://creatorsapi.auth.us-west-2.amazoncognito.com/oauth2/token",
    "3.1": "https://api.amazon.com/auth/o2/token",
    "3.2": "https://api.amazon.co.uk/auth/o2/token",
    "3.3": "https://api.amazon.co.jp/auth/o2/token",
}
COGNITO_SCOPE = "creatorsapi/default"
LWA_SCOPE = "creatorsapi::default"
#: Refresh this many seconds before ``expires_in`` runs out.
EXPIRY_MARGIN = 60.0
#: Amazon documents one hour; assumed when the answer does not say.
DEFAULT_LIFETIME = 3600.0


@dataclass(frozen=True)
class Credentials:
    client_id: Secret
    client_secret: Secret
    version: str = "2.1"

    @property
    def is_lwa(self) -> bool:
        return self.version.startswith("3.")


class TokenManager:
    """Fetches, caches and shares one bearer token per credential."""

    def __init__(
        self,
        session: requests.Session,
        credentials: Credentials,
        *,
        token_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_UPSTREAM_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if token_url is None and credentials.version not in TOKEN_URLS:
            raise CatalogConfigError(
                f"no token endpoint known for credential version"
                f" {credentials.version}: set WIDGET_AMAZON_TOKEN_URL"
            )
        self.session = session
        self.credentials = credentials
        self.token_url = token_url or TOKEN_URLS[credentials.version]
        self.timeout = timeout
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        """A valid token, fetched only when the cached one is near expiry.

        :raises CatalogError: when the token endpoint refuses or fails.
        """
        with self._lock:  # one fetch however many threads need a token
            if self._token is None or self.clock() >= self._expires_at:
                self._token, lifetime = self._fetch()
                self._expires_at = self.clock() + max(lifetime - EXPIRY_MARGIN, 0.0)
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (after a 401) unless another thread replaced it."""
        with self._lock:
            if self._token == token:
                self._token = None

    def authorization(self, token: str) -> str:
        if self.credentials.is_lwa:
            return f"Bearer {token}"
        return f"Bearer {token}, Version {self.credentials.version}"

    def _fetch(self) -> tuple[str, float]:
        creds = self.credentials
        fields = {
            "grant_type": "client_credentials",
            "client_id": creds.client_id.reveal(),
            "client_secret": creds.client_secret.reveal(),
            "scope": LWA_SCOPE if creds.is_lwa else COGNITO_SCOPE,
        }
        body: dict[str, Any] = {"json": fields} if creds.is_lwa else {"data": fields}
        try:
            response = self.session.post(self.token_url, timeout=self.timeout, **body)
        except requests.RequestException as exc:
            raise CatalogUnavailable(
                f"token endpoint unreachable: {type(exc).__name__}"
            ) from exc
        if response.status_code in (400, 401, 403):
            raise CredentialsRefused(
                "the token endpoint rejected the Creators API credential: check"
                " WIDGET_AMAZON_CREDENTIAL_ID, _SECRET and _VERSION"
                f" (HTTP {response.status_code} {_oauth_error(response)})"
            )
        if response.status_code != 200:
            raise CatalogUnavailable(
                f"token endpoint answered HTTP {response.status_code}"
            )
        try:
            data = response.json()
            token = str(data["access_token"])
            lifetime = float(data.get("expires_in") or DEFAULT_LIFETIME)
        except (ValueError, KeyError, TypeError) as exc:
            raise CatalogBadResponse("token endpoint sent no usable token") from exc
        log.info("fetched a Creators API token, valid %ds", lifetime)
        return token, lifetime


def _oauth_error(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        return ""
