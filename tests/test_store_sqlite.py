"""SQLite-specific guarantees; the shared behaviour is in the contract suite."""

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC
from datetime import datetime

from tests.fakes import ARTEMIS
from tests.fakes import FakeCatalog
from tests.fakes import make_product
from widget.models import Source
from widget.models import TopList
from widget.store import SQLiteStore
from widget.store import make_store


def test_a_crash_mid_write_leaves_the_previous_list(tmp_path):
    path = tmp_path / "w.db"
    store = SQLiteStore(path)
    store.add_topic(ARTEMIS)
    moment = datetime(2026, 11, 26, 12, tzinfo=UTC)
    store.save_snapshot(
        TopList("artemis", (make_product(1), make_product(2)), moment, Source("t"))
    )
    # Another process starts replacing the list and dies before committing.
    script = textwrap.dedent(
        f"""
        import os
        from widget.store import SQLiteStore
        store = SQLiteStore({str(path)!r})
        with store._write() as db:
            db.execute("UPDATE topics SET snapshot = '{{ half' WHERE slug = 'artemis'")
            os._exit(9)
        """
    )
    crashed = subprocess.run([sys.executable, "-c", script], cwd=".", check=False)
    assert crashed.returncode == 9
    reopened = SQLiteStore(path)
    snapshot = reopened.get_state("artemis").snapshot
    assert [p.asin for p in snapshot.products] == ["B0FAKE0001", "B0FAKE0002"]
    assert snapshot.updated_at == moment
    store.close()
    reopened.close()


def test_snapshots_survive_a_restart_without_calling_the_catalog(make_app):
    first = make_app(catalog=FakeCatalog())
    first.test_client().get("/widget/nasa-artemis")
    silent = FakeCatalog()
    restarted = make_app(catalog=silent)
    html = restarted.test_client().get("/widget/nasa-artemis").get_data(as_text=True)
    assert html.count("<li>") == 10
    assert silent.calls == []


def test_store_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = make_store("sqlite:///data/w.db")
    assert (tmp_path / "data" / "w.db").exists()
    absolute = make_store(f"sqlite:///{tmp_path}/abs.db")
    assert (tmp_path / "abs.db").exists()
    relative.close()
    absolute.close()


def test_workers_see_a_change_at_once_and_an_unannounced_one_within_a_second(
    tmp_path,
):
    now = [100.0]
    path = tmp_path / "w.db"
    reader = SQLiteStore(path, clock=lambda: now[0])
    writer = SQLiteStore(path)
    writer.add_topic(ARTEMIS)
    first = reader.version("artemis")
    writer.update_topic(ARTEMIS.with_changes(title="Artemis II"))
    assert reader.version("artemis") > first  # the counter moved: asked again
    current = reader.version("artemis")
    # A write the counter never heard of (a writer dead between its commit and
    # its bump) is noticed once the reader's answer is a second old.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE topics SET version = version + 100")
    assert reader.version("artemis") == current
    now[0] += 1.0
    assert reader.version("artemis") == current + 100
    reader.close()
    writer.close()


def test_rate_windows_of_addresses_gone_quiet_are_deleted(tmp_path):
    """One budget bucket per client address (beacons, logins): rows of buckets
    nobody uses any more go once they are two days old."""
    store = SQLiteStore(tmp_path / "w.db")
    day = 86400
    store.take_budget("events:old-visitor", 60, 60, 1_000_000.0)
    store.take_budget("tpd", 8640, day, 1_000_000.0)
    store.take_budget("events:new-visitor", 60, 60, 1_000_000.0 + 3 * day)
    rows = sqlite3.connect(tmp_path / "w.db").execute("SELECT bucket FROM budget")
    assert sorted(r[0] for r in rows) == ["events:new-visitor"]
