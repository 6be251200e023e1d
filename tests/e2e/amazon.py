"""Running the service under gunicorn against the in-thread stub-server."""

from __future__ import annotations


def amazon_env(stub, **extra: str) -> dict[str, str]:
    env = {
        "WIDGET_CATALOG": "amazon",
        "WIDGET_AMAZON_CREDENTIAL_ID": "stub-client",
        "WIDGET_AMAZON_CREDENTIAL_SECRET": "stub-secret",
        "WIDGET_AMAZON_PARTNER_TAG": "mysite-20",
        "WIDGET_AMAZON_API_URL": stub.url,
        "WIDGET_AMAZON_TOKEN_URL": stub.token_url("2.1"),
        "WIDGET_AMAZON_READ_TIMEOUT": "1",
        "WIDGET_AMAZON_TPS": "2",
        "WIDGET_LEASE_TTL": "3",
        # Refreshes come from the test alone, so faults reach the call meant.
        "WIDGET_SCHEDULER": "false",
    }
    env.update(extra)
    return env
