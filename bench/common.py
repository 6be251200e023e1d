"""Shared pieces of the benchmarks: servers under gunicorn (started by the
tests' own launcher, tests/e2e/servers.py) and a load generator.

Machines here are noisy, so every benchmark measures its baseline in the same
run, alternating rounds, and reports medians and the ratio between them.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.servers import gunicorn_process

ROOT = Path(__file__).resolve().parent.parent


def service_env(tmp: Path, **settings: str) -> dict[str, str]:
    """Settings for a benchmarked service with its store in ``tmp``."""
    return {
        "WIDGET_STORE": f"sqlite:///{tmp}/widget.db",
        "WIDGET_INSTANCE_DIR": str(tmp / "instance"),
        "WIDGET_LOG_LEVEL": "warning",
    } | settings


@contextmanager
def running(
    tmp: Path,
    app: str,
    env: dict[str, str],
    workers: int = 2,
    options: tuple[str, ...] = (),
) -> Iterator[tuple[str, int]]:
    """``gunicorn app`` with the same settings for every contender, started by
    the tests' launcher; yields its base URL and the master's pid."""
    args = ("--log-level", "warning", *options)
    with gunicorn_process(tmp, app=app, workers=workers, env=env, extra_args=args) as (
        base,
        process,
    ):
        yield base, process.pid


@contextmanager
def serve(tmp: Path, app: str, env: dict[str, str], **options: Any) -> Iterator[str]:
    """``running``, yielding only the base URL."""
    with running(tmp, app, env, **options) as (base, _):
        yield base


def requests_per_second(
    url: str,
    seconds: int = 5,
    connections: int = 16,
    headers: dict[str, str] | None = None,
    cpu: int | None = None,
) -> float:
    """Throughput with wrk (apt-get install wrk), pinned to core ``cpu`` if
    given."""
    if shutil.which("wrk") is None:
        raise SystemExit("the benchmarks need wrk: apt-get install wrk")
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    args = [*pin, "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        args + [url], capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors and not headers:  # with If-None-Match, 304s are the point
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


def compare(
    name: str,
    contender: str,
    baseline: str,
    rounds: int = 3,
    seconds: int = 5,
    connections: int = 16,
    headers: dict[str, str] | None = None,
    cpu: int | None = None,
    floor: str | None = None,
) -> float:
    """Alternate rounds of both URLs (and ``floor``'s, a bare WSGI callable
    sending the same bytes: what gunicorn alone allows); print medians and
    the ratio."""
    ours: list[float] = []
    theirs: list[float] = []
    bare: list[float] = []
    load = (seconds, connections, headers, cpu)
    for _ in range(rounds):
        theirs.append(requests_per_second(baseline, *load))
        ours.append(requests_per_second(contender, *load))
        if floor is not None:
            bare.append(requests_per_second(floor, *load))
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(
        f"{name}: {statistics.median(ours):,.0f} req/s vs baseline"
        f" {statistics.median(theirs):,.0f} req/s -> ratio {ratio:.2f}"
        f"\n    rounds: {_listed(ours)} | baseline {_listed(theirs)}"
    )
    if bare:
        print(
            f"    bare WSGI callable, same bytes: {statistics.median(bare):,.0f}"
            f" req/s (ratio {statistics.median(bare) / statistics.median(theirs):.2f},"
            f" the most gunicorn allows); rounds {_listed(bare)}"
        )
    return ratio


def _listed(rounds: list[float]) -> str:
    return " ".join(f"{r:.0f}" for r in rounds)


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="widget-bench-") as folder:
        yield Path(folder)
