"""Issue 12, item 2: eight admins each change a different field of one topic
at the same moment, eight rounds, through gunicorn workers on one store.
Every field change must survive (it used to lose 23 of 64)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e

TOKEN = "concurrent-edits-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUNDS = 8

#: field -> (value sent in round r, value the API answers with)
FIELDS = {
    "title": lambda r: (f"Title {r}", f"Title {r}"),
    "keywords": lambda r: (f"keywords {r}", f"keywords {r}"),
    "search_index": lambda r: (("Books", "KindleStore")[r % 2],) * 2,
    "browse_node": lambda r: (str(1000 + r),) * 2,
    "sort_by": lambda r: (("Relevance", "Featured")[r % 2],) * 2,
    "item_count": lambda r: (1 + r, 1 + r),
    "refresh_interval": lambda r: (f"{10 + r}m", (10 + r) * 60),
    "pages": lambda r: (1 + r % 3, 1 + r % 3),
}


def lost_field_changes(base: str) -> int:
    """Run the 8 x 8 parallel edits; how many field changes went missing."""
    created = requests.post(
        f"{base}/api/v1/topics", json={"title": "Race"}, headers=AUTH, timeout=30
    )
    assert created.status_code == 201, created.text
    lost = 0
    with ThreadPoolExecutor(len(FIELDS)) as pool:
        for round_ in range(ROUNDS):
            barrier = Barrier(len(FIELDS))

            def edit(name: str, round_: int = round_, barrier=barrier) -> int:
                barrier.wait(timeout=30)
                response = requests.put(
                    f"{base}/api/v1/topics/race",
                    json={name: FIELDS[name](round_)[0]},
                    headers=AUTH,
                    timeout=30,
                )
                return response.status_code

            assert list(pool.map(edit, FIELDS)) == [200] * len(FIELDS)
            topic = requests.get(f"{base}/api/v1/topics/race", timeout=30).json()
            lost += sum(
                topic["topic"][name] != value(round_)[1]
                for name, value in FIELDS.items()
            )
    return lost


@pytest.mark.timeout(180)
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_parallel_edits_of_different_fields_lose_nothing(tmp_path, backend, request):
    env = {
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_SEED_DEMO": "false",
        "WIDGET_SCHEDULER": "false",
        "WIDGET_LOG_LEVEL": "warning",
    }
    if backend == "redis":
        env["WIDGET_STORE"] = request.getfixturevalue("redis_url")
    with gunicorn(
        tmp_path, workers=4, env=env, extra_args=("-k", "gthread", "--threads", "4")
    ) as base:
        lost = lost_field_changes(base)
    print(f"{backend}: {lost} of {ROUNDS * len(FIELDS)} field changes lost")
    assert lost == 0
