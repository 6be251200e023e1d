"""Caches shared by the threads of a gthread worker, and responses that are
never shared between requests."""

import random
import threading
import time

from tests.fakes import FakeCatalog
from widget import views
from widget.lists import ListService
from widget.lists import Variant
from widget.models import Topic
from widget.store import SQLiteStore


def test_many_threads_share_one_services_caches(tmp_path):
    store = SQLiteStore(tmp_path / "w.db")
    store.add_topic(Topic("dune", "Dune", "dune"))

    def render(state, variant, now, fresh):
        return repr(variant).encode()

    # Two entries for hundreds of variants: nearly every request evicts,
    # where an unlocked LRU raises KeyError under concurrent use.
    service = ListService(store, FakeCatalog(), render, cache_size=2)
    errors, served = [], []

    def visit(seed):
        pick = random.Random(seed)
        until = time.monotonic() + 1.5
        while time.monotonic() < until:
            variant = Variant(
                count=pick.randint(1, 10), layout=pick.choice(("list", "grid"))
            )
            try:
                body = service.widget("dune", variant).body
            except Exception as exc:  # any failure counts
                errors.append(repr(exc))
            else:
                served.append(body == repr(variant).encode())

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(served) > 1000 and all(served)


def test_each_request_gets_its_own_response(app):
    responses = []
    for _ in range(2):
        with app.test_request_context("/widget/nasa-artemis"):
            responses.append(views.widget_document("nasa-artemis"))
    first, second = responses
    assert first is not second and first.get_data() == second.get_data()
    first.headers["Vary"] = "Cookie"  # as an after-request hook may do
    assert "Vary" not in second.headers
