"""Admin and API refreshes that would outlast their request answer 202 with a
job that any worker can report on, to its end."""

import re
import time

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.fakes import FakeCatalog
from tests.test_admin import AdminActions
from widget.catalog.base import CatalogUnavailable
from widget.models import Topic

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def slow():
    return FakeCatalog(delay=0.6)


@pytest.fixture
def app(make_app, slow, clock):
    app = make_app(
        catalog=slow,
        clock=clock,
        WIDGET_ADMIN_TOKEN=ADMIN_TOKEN,
        WIDGET_SEED_DEMO=False,
    )
    store = app.extensions["widget"].store
    for slug in ("dune", "mars", "venus"):
        store.add_topic(Topic(slug, slug.title(), slug))
    app.extensions["widget"].jobs.wait = 0.2  # a request's patience, shortened
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def follow(client, location, headers=AUTH, seconds=15):
    """GET the job until it ends; every answer along the way is a job."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(location, headers=headers)
        assert response.status_code == 200
        if response.json["state"] != "running":
            return response.json
        assert time.monotonic() < deadline, response.json
        time.sleep(0.05)


def test_a_slow_refresh_answers_202_and_the_job_reports_its_end(client, slow):
    response = client.post("/api/v1/topics/dune/refresh", headers=AUTH)
    assert response.status_code == 202
    job = response.json
    assert job["state"] == "running" and job["kind"] == "refresh"
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    done = follow(client, response.headers["Location"])
    assert done["state"] == "done" and done["finished_at"]
    [result] = done["results"]
    assert result["slug"] == "dune" and result["outcome"] == "refreshed"
    assert result["items"] == 10 and result["items_changed"] == 10
    topic = client.get("/api/v1/topics/dune").json
    assert len(topic["products"]) == 10
    assert slow.calls == ["dune"]


def test_a_slow_refresh_all_is_a_job_with_every_outcome(client, slow):
    slow.error = CatalogUnavailable("Amazon timed out")
    response = client.post("/api/v1/refresh", headers=AUTH)
    assert response.status_code == 202
    done = follow(client, response.headers["Location"])
    assert done["kind"] == "refresh_all" and done["state"] == "done"
    assert [r["outcome"] for r in done["results"]] == ["failed"] * 3
    assert done["failed"] == 3 and done["refreshed"] == 0
    assert done["results"][0]["error"]["message"] == "Amazon timed out"
    assert sorted(slow.calls) == ["dune", "mars", "venus"]


def test_a_quick_refresh_answers_at_once(client, app, slow):
    slow.delay = 0
    app.extensions["widget"].jobs.wait = 5
    response = client.post("/api/v1/refresh?due=1", headers=AUTH)
    assert response.status_code == 200
    assert response.json["state"] == "done" and response.json["refreshed"] == 3
    again = client.post("/api/v1/topics/dune/refresh", headers=AUTH)
    assert again.status_code == 200
    assert again.json["outcome"] == "unchanged" and again.json["items_changed"] == 0


def test_jobs_need_the_admin_token_and_a_real_id(client):
    location = client.post("/api/v1/refresh", headers=AUTH).headers["Location"]
    assert client.get(location).status_code == 401
    assert client.get("/api/v1/jobs/" + "0" * 32, headers=AUTH).status_code == 404
    bad = client.get("/api/v1/jobs/..%2Fsecret_key", headers=AUTH)
    assert bad.status_code == 404 and bad.json["error"]["code"]
    follow(client, location)


def test_a_job_whose_worker_died_reads_as_lost(client, app, monkeypatch):
    location = client.post("/api/v1/topics/mars/refresh", headers=AUTH).headers[
        "Location"
    ]
    # A lease later, the record has not moved: as if its worker were killed.
    later = time.time() + app.extensions["widget"].lists.lease_ttl + 1
    monkeypatch.setattr("widget.jobs.time.time", lambda: later)
    assert client.get(location, headers=AUTH).json["state"] == "lost"


def test_the_admin_page_follows_a_slow_refresh_to_its_end(client):
    admin = AdminActions(client)
    admin.login()
    response = admin.post("/admin/topics/venus/refresh")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/jobs/[0-9a-f]{32}", location)
    page = client.get(location).text
    assert "goes on in the background" in page
    assert '<meta http-equiv="refresh" content="2">' in page and "running" in page
    deadline = time.monotonic() + 15
    while "running" in (page := client.get(location).text):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert '<meta http-equiv="refresh"' not in page
    assert re.search(r"<td>refreshed</td><td>10</td><td>10</td>", page)
    assert client.get("/admin/jobs/" + "0" * 32).status_code == 404
