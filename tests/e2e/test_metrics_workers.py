import re
import time

import pytest
import requests

from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e


def test_metrics_add_up_across_gunicorn_workers(tmp_path):
    # No scheduler: its refreshes would add upstream calls behind the test.
    with gunicorn(tmp_path, workers=3, env={"WIDGET_SCHEDULER": "false"}) as base:
        session = requests.Session()
        for _ in range(60):
            # A new connection each time spreads requests over the workers.
            response = requests.get(f"{base}/widget/nasa-artemis", timeout=30)
            assert response.status_code == 200
        time.sleep(2.5)  # every worker flushes its counts at least once
        text = session.get(f"{base}/metrics", timeout=10).text
        count = re.search(
            r"^widget_http_requests_total"
            r'\{route="widget.widget_document",status="200"\} (\d+)$',
            text,
            re.M,
        )
        assert count and int(count.group(1)) == 60
        calls = re.search(r"^widget_upstream_calls_total (\d+)$", text, re.M)
        assert int(calls.group(1)) == 1
