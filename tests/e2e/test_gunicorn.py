import html

import pytest
import requests

from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e


def test_gunicorn_serves_a_widget_over_http(tmp_path):
    with gunicorn(tmp_path, workers=2) as base:
        response = requests.get(f"{base}/widget/nasa-artemis", timeout=30)
        assert response.status_code == 200
        assert "Today's 10 Most Popular Books on NASA Artemis" in html.unescape(
            response.text
        )
        assert response.text.count("<li>") == 10
        etag = response.headers["ETag"]
        again = requests.get(
            f"{base}/widget/nasa-artemis", headers={"If-None-Match": etag}, timeout=10
        )
        assert again.status_code == 304
        health = requests.get(f"{base}/healthz", timeout=10).json()
        # The one list this run fetched came from the stub catalog.
        assert health == {
            "status": "ok",
            "catalog": "stub",
            "store_ok": True,
            "stub_lists": 1,
        }
