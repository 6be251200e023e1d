"""Shared pieces of the benchmarks: servers under gunicorn and a load generator.

Machines here are noisy, so every benchmark measures its baseline in the same
run, alternating rounds, and reports medians and the ratio between them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(tmp: Path, **settings: str) -> dict[str, str]:
    """Settings for a benchmarked service with its store in ``tmp``."""
    return {
        "WIDGET_STORE": f"sqlite:///{tmp}/widget.db",
        "WIDGET_INSTANCE_DIR": str(tmp / "instance"),
        "WIDGET_LOG_LEVEL": "warning",
    } | settings


def command_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without WIDGET_* settings, plus ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIDGET_")}
    return environ | env | {"PYTHONPATH": str(ROOT)}


@contextmanager
def serve(
    app: str, env: dict[str, str], workers: int = 2, options: tuple[str, ...] = ()
) -> Iterator[str]:
    """Run ``gunicorn app`` with the same settings for every contender."""
    with running(app, env, workers, options) as (base, _):
        yield base


@contextmanager
def running(
    app: str, env: dict[str, str], workers: int = 2, options: tuple[str, ...] = ()
) -> Iterator[tuple[str, int]]:
    """``serve``, also yielding the gunicorn master's pid."""
    port = free_port()
    environ = command_env(env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *options,
            app,
        ],
        cwd=ROOT,
        env=environ,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def requests_per_second(
    url: str,
    seconds: int = 5,
    connections: int = 16,
    headers: dict[str, str] | None = None,
) -> float:
    """Throughput with wrk (apt-get install wrk)."""
    if shutil.which("wrk") is None:
        raise SystemExit("the benchmarks need wrk: apt-get install wrk")
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s"]
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
) -> float:
    """Alternate rounds of both URLs; print medians and the ratio."""
    ours, theirs = [], []
    for _ in range(rounds):
        theirs.append(requests_per_second(baseline, seconds, connections, headers))
        ours.append(requests_per_second(contender, seconds, connections, headers))
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(
        f"{name}: {statistics.median(ours):,.0f} req/s vs baseline"
        f" {statistics.median(theirs):,.0f} req/s -> ratio {ratio:.2f}"
    )
    return ratio


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="widget-bench-") as folder:
        yield Path(folder)
