"""Issue 12, item 7, over real HTTP: a chunked body (no Content-Length) over
the API's 16 KiB limit is refused with 413, not cut and accepted."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

TOKEN = "bodies-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def chunked(data: bytes, size: int = 4096):
    """A generator body: requests sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_chunked_bodies_over_the_limit_are_a_413(tmp_path):
    env = {"WIDGET_ADMIN_TOKEN": TOKEN, "WIDGET_SEED_DEMO": "false"}
    with gunicorn(tmp_path, workers=1, env=env) as base:
        # Valid JSON up to well past the limit: the end must not be cut off.
        big = b'{"title": "Dune",' + b" " * 20_000 + b'"keywords": "spice"}'
        response = requests.post(
            f"{base}/api/v1/topics", data=chunked(big), headers=AUTH, timeout=30
        )
        assert response.status_code == 413, response.text
        assert requests.get(f"{base}/api/v1/topics", timeout=10).json()["topics"] == []
        small = b'{"title": "Dune", "keywords": "spice"}'
        response = requests.post(
            f"{base}/api/v1/topics", data=chunked(small, 8), headers=AUTH, timeout=30
        )
        assert response.status_code == 201, response.text
        assert response.json()["topic"]["keywords"] == "spice"
