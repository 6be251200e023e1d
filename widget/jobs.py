"""Refreshes asked for by admins (pages and API) run as jobs.

A job runs in a background thread of the worker that took the request. The
request waits for it up to ``REFRESH_REQUEST_WAIT`` seconds and answers with
its result; a job that takes longer goes on, and the request answers 202
with the job's id to follow (``GET /api/v1/jobs/<id>``, ``/admin/jobs/<id>``).

The job's record lives in the store, so any worker can report on it. It is
written again after each topic; a running record that stopped moving for
longer than a refresh can hold its lease belonged to a worker that died,
and reads as ``lost``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any
from typing import TypeVar

from widget.config import JOB_KEEP
from widget.config import REFRESH_REQUEST_WAIT
from widget.freshness import utc_now
from widget.lists import ListService
from widget.refresh import Outcome
from widget.refresh import RefreshAll
from widget.refresh import RefreshResult
from widget.serialize import error_to_dict
from widget.serialize import iso
from widget.store.base import SnapshotStore
from widget.store.base import TopicNotFound

JOB_ID = re.compile(r"^[0-9a-f]{32}$")

T = TypeVar("T")


def result_to_dict(result: RefreshResult) -> dict[str, Any]:
    """One topic's refresh, as the API, the job records and the admin show it."""
    snapshot = result.state.snapshot
    return {
        "slug": result.slug,
        "outcome": result.outcome.value,
        "refreshed": result.outcome.ok,
        "busy": result.outcome is Outcome.BUSY,
        "items": len(snapshot.products) if snapshot else 0,
        "items_changed": result.items_changed,
        "error": error_to_dict(result.error) if result.error else None,
    }


class JobRecord:
    """A job's record as its thread keeps it up to date in the store."""

    def __init__(
        self, store: SnapshotStore, keep: float, kind: str, slug: str | None
    ) -> None:
        self._store = store
        self._keep = keep
        self.id = uuid.uuid4().hex
        started = iso(utc_now())
        self.data: dict[str, Any] = {
            "id": self.id,
            "kind": kind,
            "slug": slug,
            "state": "running",
            "started_at": started,
            "updated_at": started,
            "finished_at": None,
            "results": [],
            "refreshed": 0,
            "failed": 0,
            "left": [],
            "error": None,
            "updated": time.time(),  # for "lost": seconds, not a display value
        }

    def public(self) -> dict[str, Any]:
        """The record as the API shows it."""
        return {k: v for k, v in self.data.items() if k != "updated"}

    def save(self) -> None:
        self.data["updated_at"] = iso(utc_now())
        self.data["updated"] = time.time()
        self._store.put_job(self.id, json.dumps(self.data), self._keep)

    def add(self, result: RefreshResult) -> None:
        self.data["results"].append(result_to_dict(result))
        self.data["refreshed"] += result.outcome.ok
        self.data["failed"] += result.outcome is Outcome.FAILED
        self.save()

    def finish(self, left: tuple[str, ...] = ()) -> None:
        self.data.update(state="done", left=list(left), finished_at=iso(utc_now()))
        self.save()

    def fail(self, message: str) -> None:
        self.data.update(state="failed", error=message, finished_at=iso(utc_now()))
        self.save()


class Jobs:
    def __init__(
        self,
        lists: ListService,
        *,
        wait: float = REFRESH_REQUEST_WAIT,
        keep: float = JOB_KEEP,
    ) -> None:
        self.lists = lists
        self.wait = wait
        self.keep = keep

    def refresh(
        self, slug: str, *, trigger: str, store: str | None = None
    ) -> tuple[JobRecord, RefreshResult | None]:
        """Refresh one topic as a job: its result if it ended within the
        wait, else None and the job goes on.

        :raises TopicNotFound: when the refresh ended within the wait.
        """

        def work(job: JobRecord) -> RefreshResult:
            try:
                result = self.lists.refresh(slug, trigger=trigger, store=store)
            except TopicNotFound:
                job.fail(f"there is no topic called {slug!r}")
                raise
            job.add(result)
            job.finish()
            return result

        return self._run("refresh", slug, work)

    def refresh_all(
        self, *, trigger: str, due_only: bool
    ) -> tuple[JobRecord, RefreshAll | None]:
        """``ListService.refresh_all`` as a job (see ``refresh``)."""

        def work(job: JobRecord) -> RefreshAll:
            done = self.lists.refresh_all(
                trigger=trigger, due_only=due_only, progress=job.add
            )
            job.finish(done.left)
            return done

        return self._run("refresh_all", None, work)

    def _run(
        self, kind: str, slug: str | None, work: Callable[[JobRecord], T]
    ) -> tuple[JobRecord, T | None]:
        job = JobRecord(self.lists.store, self.keep, kind, slug)
        job.save()

        def run() -> T:
            try:
                return work(job)
            except TopicNotFound:
                raise  # recorded by the work itself
            except Exception as exc:
                job.fail(str(exc) or type(exc).__name__)
                raise

        future: Future[T] = self.lists.background.submit(f"job:{job.id}", run)
        try:
            return job, future.result(timeout=self.wait)
        except TimeoutError:
            return job, None

    def record(self, job_id: str) -> dict[str, Any] | None:
        """A job's record, None if unknown or expired; ``lost`` when its
        worker stopped before the job ended."""
        if not JOB_ID.match(job_id):
            return None
        raw = self.lists.store.get_job(job_id)
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        updated = data.pop("updated")
        if data["state"] == "running" and time.time() - updated > self.lists.lease_ttl:
            data["state"] = "lost"
        return data
