"""Issue 12, item 6, under gunicorn with several workers: logging out revokes
the session in the store, so a copied cookie is refused by every worker; a
non-ASCII admin token works through the form and the API over real HTTP."""

from __future__ import annotations

import re

import pytest
import requests

from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

TOKEN = "geheim-schlüssel-für-die-bücher-🔑"
REQUESTS = 12  # enough to reach each of the three workers


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.timeout(120)
def test_logout_revokes_a_copied_cookie_on_every_worker(tmp_path):
    env = {"WIDGET_ADMIN_TOKEN": TOKEN, "WIDGET_SCHEDULER": "false"}
    with gunicorn(tmp_path, workers=3, env=env) as base:
        api = requests.post(
            f"{base}/api/v1/refresh",
            headers={"Authorization": b"Bearer " + TOKEN.encode()},
            timeout=60,
        )
        assert api.status_code == 200, api.text

        admin = requests.Session()
        page = admin.get(f"{base}/admin/login", timeout=10).text
        login = admin.post(
            f"{base}/admin/login",
            data={"csrf_token": csrf_of(page), "token": TOKEN},
            allow_redirects=False,
            timeout=10,
        )
        assert login.status_code == 302
        copied = {"session": admin.cookies["session"]}

        def statuses() -> set[int]:
            return {
                requests.get(
                    f"{base}/admin/", cookies=copied, allow_redirects=False, timeout=10
                ).status_code
                for _ in range(REQUESTS)
            }

        assert statuses() == {200}
        page = admin.get(f"{base}/admin/", timeout=10).text
        admin.post(
            f"{base}/admin/logout", data={"csrf_token": csrf_of(page)}, timeout=10
        )
        assert statuses() == {302}
