"""The catalog seam: where product lists come from.

A catalog answers one question, "what are the top products for this
topic?", and reports trouble only through these exceptions::

    CatalogError                  anything that stopped a list from coming back
    ├── CatalogConfigError        the admin must act: partner tag, unknown index
    │   ├── CatalogNotEligible    the account lost API access (AssociateNotEligible)
    │   └── CredentialsRefused    the credential is refused
    ├── CatalogUnavailable        transient: timeout, connection refused, 5xx
    │   └── CatalogThrottled      the upstream asked us to slow down
    ├── CatalogBadResponse        the upstream answered something unreadable
    ├── CatalogBudgetExhausted    our own request budget is spent for now
    └── NoProductsFound           the search matched nothing

Views and the list service never see ``requests`` or JSON errors: adapters
translate them here with ``raise ... from exc``.
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence

from widget.models import Product
from widget.models import Source
from widget.models import Topic


class CatalogError(Exception):
    """Base class; ``kind`` is a stable short name for metrics and the admin,
    set in each subclass's class line."""

    kind = "error"

    def __init_subclass__(cls, *, kind: str = "") -> None:
        super().__init_subclass__()
        cls.kind = kind or cls.kind

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CatalogConfigError(CatalogError, kind="config"): ...


class CatalogNotEligible(CatalogConfigError, kind="not_eligible"): ...


class CredentialsRefused(CatalogConfigError, kind="credentials"): ...


class CatalogUnavailable(CatalogError, kind="unavailable"): ...


class CatalogThrottled(CatalogUnavailable, kind="throttled"):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CatalogBadResponse(CatalogError, kind="bad_response"): ...


class CatalogBudgetExhausted(CatalogError, kind="budget"): ...


class NoProductsFound(CatalogError, kind="no_results"): ...


class Catalog(ABC):
    """A source of top-product lists.

    Contract (checked by ``tests/test_catalog_contract.py`` for every
    implementation):

    - ``top_products`` returns at most ``limit`` products, best first (for
      a hand-picked list: in the admin's order), each with an asin, a title
      and an https product URL; it never returns an empty list (it raises
      ``NoProductsFound`` instead);
    - an ``isbn``, when known, is an ISBN-13;
    - the same topic gives the same list while the upstream data is the same;
    - every failure is a ``CatalogError``.
    """

    #: short name shown in /healthz and in each snapshot's ``source``
    name: str = "catalog"

    @property
    def source(self) -> Source:
        """What a list from this catalog is stamped with; a list stamped
        otherwise is never served as current."""
        return Source(self.name)

    @abstractmethod
    def top_products(self, topic: Topic, limit: int) -> list[Product]:
        """Return the topic's top products, best first.

        :raises CatalogError: when no list can be produced.
        """

    def products_by_asin(self, asins: Sequence[str]) -> list[Product]:
        """The products with these ASINs that the catalog knows (pinned books
        missing from a search); a catalog that cannot look them up returns
        none.

        :raises CatalogError:
        """
        return []

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default has none."""
