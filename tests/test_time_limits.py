"""Every wait a request can make is bounded, named in widget/config.py, and
adds up to well inside the worker timeout of the shipped gunicorn.conf.py."""

import runpy
import time
from pathlib import Path

import pytest

from tests.fakes import FakeCatalog
from widget.config import ConfigError
from widget.config import load_config
from widget.config import longest_fetch
from widget.config import request_waits
from widget.models import Topic

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_longest_request_path_fits_well_inside_the_worker_timeout():
    timeout = gunicorn_settings()["timeout"]
    waits = request_waits(load_config({}))
    assert max(waits.values()) <= timeout / 2, waits
    # Even the longest first-visit wait the setting accepts stays inside.
    longest = request_waits(load_config({}, {"WIDGET_FIRST_VISIT_WAIT": "10"}))
    assert max(longest.values()) < timeout


def test_a_catalog_fetch_ends_before_its_lease_runs_out():
    config = load_config({})
    assert longest_fetch(config) < config["WIDGET_LEASE_TTL"]


def test_the_shipped_gunicorn_config_serves_from_threads():
    settings = gunicorn_settings()
    assert settings["worker_class"] == "gthread" and settings["threads"] > 1
    assert 0 < settings["graceful_timeout"] <= settings["timeout"]
    readme = (ROOT / "README.md").read_text()
    assert "gunicorn -c gunicorn.conf.py 'widget:create_app()'" in readme


@pytest.mark.parametrize("value", ["60", "-1", "nan", "soon"])
def test_a_first_visit_wait_outside_its_bounds_stops_start_up(value):
    with pytest.raises(ConfigError, match="WIDGET_FIRST_VISIT_WAIT"):
        load_config({"WIDGET_FIRST_VISIT_WAIT": value})


def test_a_first_visitor_waits_at_most_the_first_visit_wait(make_app):
    catalog = FakeCatalog(delay=1.5)
    app = make_app(catalog=catalog, WIDGET_SEED_DEMO=False, WIDGET_FIRST_VISIT_WAIT=0.3)
    app.extensions["widget"].store.add_topic(Topic("dune", "Dune", "dune"))
    client = app.test_client()
    started = time.monotonic()
    first = client.get("/widget/dune")
    second = client.get("/widget/dune")
    waited = time.monotonic() - started
    # Both get the "being prepared" box, neither waits for the catalog.
    for response in (first, second):
        assert response.status_code == 503
        assert "being prepared" in response.text
        assert response.headers["Cache-Control"] == "no-store"
    assert waited < 1.2
    # The fetch went on in the background: the list arrives by itself.
    deadline = time.monotonic() + 10
    while (page := client.get("/widget/dune")).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert page.text.count("<li>") == 10
    assert catalog.calls == ["dune"]
