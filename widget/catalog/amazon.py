"""The Amazon Creators API catalog (``WIDGET_CATALOG=amazon``).

A "top ten" is made from one search: ``searchItems`` for the topic's
keywords (and browse node), ``topic.pages`` pages of 10, re-sorted here by
the Books sales rank Amazon reports (lower sells better; unranked items
last, ties in Amazon's order) and cut to the topic's count. The API has no
bestseller sort, so this is the closest honest approximation.

Every failure leaves as a ``CatalogError`` (see ``widget.catalog.base``):
400 and 403 are configuration errors for the admin, 404 is "no results",
429 honours ``retryAfterSeconds`` / ``Retry-After``, 5xx and timeouts retry
with capped exponential backoff, a 401 refreshes the token and retries once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import requests

from widget.catalog.amazon_auth import Credentials
from widget.catalog.amazon_auth import TokenManager
from widget.catalog.amazon_items import RESOURCES
from widget.catalog.amazon_items import dig
from widget.catalog.amazon_items import error_type
from widget.catalog.amazon_items import error_words
from widget.catalog.amazon_items import to_product
from widget.catalog.base import Catalog
from widget.catalog.base import CatalogBadResponse
from widget.catalog.base import CatalogConfigError
from widget.catalog.base import CatalogError
from widget.catalog.base import CatalogNotEligible
from widget.catalog.base import CatalogThrottled
from widget.catalog.base import CatalogUnavailable
from widget.catalog.base import CredentialsRefused
from widget.catalog.base import NoProductsFound
from widget.catalog.budget import Budget
from widget.config import DEFAULT_UPSTREAM_TIMEOUT
from widget.config import FETCH_TIME_LIMIT
from widget.config import UPSTREAM_BACKOFF
from widget.config import UPSTREAM_MAX_BACKOFF
from widget.config import UPSTREAM_MAX_RETRY_WAIT
from widget.config import UPSTREAM_RETRIES
from widget.models import Product
from widget.models import Source
from widget.models import Topic

log = logging.getLogger(__name__)

#: Items per searchItems page; the documented maximum.
PAGE_SIZE = 10
NOT_ELIGIBLE = (
    "the Associates account is not eligible for the Creators API (Amazon asks"
    " for 10 qualified sales in the last 30 days); widgets keep their last list"
    " for 24 hours from its fetch, then show its books from open data"
)


class AmazonCatalog(Catalog):
    name = "amazon"

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        credentials: Credentials,
        *,
        marketplace: str,
        partner_tag: str,
        token_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_UPSTREAM_TIMEOUT,
        budget: Budget | None = None,
        retries: int = UPSTREAM_RETRIES,
        backoff: float = UPSTREAM_BACKOFF,
        max_backoff: float = UPSTREAM_MAX_BACKOFF,
        max_retry_wait: float = UPSTREAM_MAX_RETRY_WAIT,
        time_limit: float = FETCH_TIME_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.tokens = TokenManager(
            session, credentials, token_url=token_url, timeout=timeout, clock=clock
        )
        self.marketplace = marketplace
        self.partner_tag = partner_tag
        self.timeout = timeout
        self.budget = budget
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_wait = max_retry_wait
        self.time_limit = time_limit
        self.sleep = sleep
        self.clock = clock

    @property
    def source(self) -> Source:
        return Source(self.name, self.marketplace, self.partner_tag)

    # -- the Catalog contract -------------------------------------------------
    def top_products(self, topic: Topic, limit: int) -> list[Product]:
        found: dict[str, Product] = {}
        # No attempt starts after this, so a fetch cannot outlast its lease.
        deadline = self.clock() + self.time_limit
        for page in range(1, max(topic.pages, 1) + 1):
            if page > 1 and self.clock() > deadline:
                break  # out of time: keep the pages that came back
            try:
                data = self.call(
                    "searchItems", self._search_body(topic, page), deadline
                )
            except NoProductsFound:
                if page == 1:
                    raise
                break  # fewer results than pages: keep what came back
            items = dig(data, "searchResult", "items")
            if not isinstance(items, list):
                if data.get("errors"):
                    raise NoProductsFound(f"no results: {_codes(data)}")
                raise CatalogBadResponse("searchItems answered without items")
            for product in filter(None, map(to_product, items)):
                found.setdefault(product.asin, product)
            if len(items) < PAGE_SIZE:
                break
        if not found:
            raise NoProductsFound(f"no usable items for {topic.keywords!r}")
        products = list(found.values())  # Amazon's order, the tie-break below
        order = sorted(
            range(len(products)),
            key=lambda i: (
                products[i].sales_rank is None,
                products[i].sales_rank or 0,
                i,
            ),
        )
        return [products[i] for i in order[:limit]]

    def products_by_asin(self, asins: Sequence[str]) -> list[Product]:
        """``getItems`` for up to 10 ASINs; unknown ones are left out."""
        if not asins:
            return []
        body = self._common() | {"itemIds": list(asins[:PAGE_SIZE])}
        try:
            data = self.call("getItems", body, self.clock() + self.time_limit)
        except NoProductsFound:
            return []
        items = dig(data, "itemsResult", "items")
        if not isinstance(items, list):
            return []
        return list(filter(None, map(to_product, items)))

    def close(self) -> None:
        self.session.close()

    # -- the wire -------------------------------------------------------------
    def call(
        self, operation: str, body: dict[str, Any], deadline: float = float("inf")
    ) -> dict[str, Any]:
        """POST one operation, with budget, token, retries and translation;
        no retry starts after ``deadline`` (a ``clock`` reading).

        :raises CatalogError: for every failure, never a requests exception.
        """
        url = f"{self.base_url}/catalog/v1/{operation}"
        auth_retried = False
        attempt = 0
        while True:
            token = self.tokens.token()
            if self.budget is not None:
                self.budget.take()
            wait: float | None = None
            try:
                response = self.session.post(
                    url, json=body, headers=self._headers(token), timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                failure: CatalogError = CatalogUnavailable(
                    f"{operation}: {type(exc).__name__} talking to the Creators API"
                )
                failure.__cause__ = exc
            except requests.RequestException as exc:
                raise CatalogUnavailable(f"{operation}: {type(exc).__name__}") from exc
            else:
                status = response.status_code
                if status == 200:
                    return self._json(response, operation)
                error = _body(response)
                if status == 401 and not auth_retried:
                    # Expired or revoked early: one fresh token, one retry.
                    self.tokens.invalidate(token)
                    auth_retried = True
                    continue
                if status == 429:
                    wait = _retry_after(response, error)
                    failure = CatalogThrottled(
                        f"{operation}: Amazon throttled the request", wait
                    )
                elif status >= 500:
                    failure = CatalogUnavailable(
                        f"{operation}: Creators API answered HTTP {status}"
                    )
                else:
                    raise _client_error(operation, status, error)
            log.warning("%s (attempt %d)", failure.message, attempt + 1)
            delay = wait if wait is not None else self.backoff * 2**attempt
            if (
                attempt >= self.retries
                or delay > self.max_retry_wait
                or self.clock() + delay > deadline
            ):
                raise failure
            self.sleep(min(delay, self.max_backoff) if wait is None else delay)
            attempt += 1

    def _common(self, topic: Topic | None = None) -> dict[str, Any]:
        # A topic's own tracking id is asked for, so Amazon makes the links.
        tag = topic.tracking_id if topic and topic.tracking_id else self.partner_tag
        return {
            "partnerTag": tag,
            "marketplace": self.marketplace,
            "resources": RESOURCES,
        }

    def _search_body(self, topic: Topic, page: int) -> dict[str, Any]:
        body = self._common(topic) | {
            "keywords": topic.keywords,
            "searchIndex": topic.search_index,
            "itemCount": PAGE_SIZE,
            "itemPage": page,
        }
        if topic.browse_node:
            body["browseNodeId"] = topic.browse_node
        if topic.list_type == "new_releases":
            body["sortBy"] = "NewestArrivals"  # widget.curation keeps the newest
        elif topic.sort_by:
            body["sortBy"] = topic.sort_by
        return body

    def _headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": self.tokens.authorization(token),
            "Content-Type": "application/json",
            "x-marketplace": self.marketplace,
        }

    def _json(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise CatalogBadResponse(f"{operation}: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise CatalogBadResponse(f"{operation}: the answer is not a JSON object")
        if data.get("errors"):
            log.warning("%s: partial answer, %s", operation, _codes(data))
        return data


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _codes(data: Any) -> str:
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ""
    return ", ".join(str(dig(e, "code") or dig(e, "message") or "?") for e in errors)


def _retry_after(response: requests.Response, error: Any) -> float | None:
    for raw in (dig(error, "retryAfterSeconds"), response.headers.get("Retry-After")):
        if raw is None:
            continue
        try:
            return max(float(raw), 0.0)
        except (TypeError, ValueError):
            continue  # e.g. an HTTP-date Retry-After: fall back to our backoff
    return None


def _client_error(operation: str, status: int, error: Any) -> CatalogError:
    words = error_words(error)
    if status == 404:
        return NoProductsFound(f"{operation}: no results ({words})")
    if status == 401:
        return CredentialsRefused(
            "Amazon refused the token twice: check that"
            " WIDGET_AMAZON_CREDENTIAL_VERSION"
            f" matches the credential's region ({words})"
        )
    if status == 403:
        if "AssociateNotEligible" in words:
            return CatalogNotEligible(NOT_ELIGIBLE)
        return CatalogConfigError(f"Amazon denied access ({words})")
    if status == 400:
        return CatalogConfigError(
            f"Amazon rejected the request ({words}): check WIDGET_AMAZON_PARTNER_TAG,"
            " the marketplace and the topic's search index and browse node"
        )
    kind = error_type(error) or "unknown error"
    return CatalogBadResponse(f"{operation}: unexpected HTTP {status} ({kind})")
