"""Starting real servers (gunicorn) for end-to-end tests and benchmarks.

``gunicorn_process`` is the one gunicorn launcher: tests/e2e and bench/
(through bench/common.py) both start the service with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import StubServer
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def service_env(tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a service (and its CLI) on a store in ``tmp_path``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIDGET_")}
    environ.update(
        {
            "WIDGET_STORE": f"sqlite:///{tmp_path}/widget.db",
            "WIDGET_INSTANCE_DIR": str(tmp_path / "instance"),
            "PYTHONPATH": str(ROOT),
        }
    )
    environ.update(env or {})
    return environ


def run_cli(tmp_path: Path, env: dict[str, str] | None, *args: str):
    """Run ``widget ARGS`` against the same store as the servers."""
    return subprocess.run(
        [sys.executable, "-m", "widget", *args],
        cwd=ROOT,
        env=service_env(tmp_path, env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def wait_until_up(
    url: str, process: subprocess.Popen, timeout: float = 30.0, log: Path | None = None
) -> None:
    """Return once ``url`` answers at all; raise with the log if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    exited = process.poll() is not None
    why = f"exited with {process.returncode}" if exited else "did not answer"
    shown = log.read_text(errors="replace")[-3000:] if log else ""
    raise RuntimeError(f"server at {url} {why}\n{shown}")


@contextmanager
def serving(
    argv: list[str], *, log_path: Path, up_url: str, cwd: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen]:
    """Start ``argv`` in a process group of its own, logging to ``log_path``;
    yield once ``up_url`` answers; stop the whole group afterwards."""
    log = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(up_url, process, log=log_path)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@contextmanager
def gunicorn_process(
    tmp_path: Path,
    *,
    app: str = "wsgi:app",
    workers: int = 2,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    extra_args: tuple[str, ...] = (),
    python: str = sys.executable,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run gunicorn on a free loopback port, logging to ``tmp_path``, on a
    store in ``tmp_path`` unless ``env`` names another; yields its base URL
    and the master process. Stops the whole process group afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [
        python,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
        *extra_args,
        app,
    ]
    with serving(
        argv,
        log_path=tmp_path / f"gunicorn-{port}.log",
        up_url=base + "/healthz",
        cwd=cwd,
        env=service_env(tmp_path, env),
    ) as process:
        yield base, process


@contextmanager
def gunicorn(tmp_path: Path, **options) -> Iterator[str]:
    """``gunicorn_process``, yielding only the base URL."""
    with gunicorn_process(tmp_path, **options) as (base, _):
        yield base


@contextmanager
def stub_server_process(tmp_path: Path, *args: str) -> Iterator[StubServer]:
    """``widget stub-server ARGS`` in a process of its own (so that what it
    logs is not slowed by the test's own threads); yields a StubServer."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(
        [sys.executable, "-m", "widget", "stub-server", "--port", str(port), *args],
        log_path=tmp_path / f"stub-server-{port}.log",
        up_url=base + "/_stub/calls",
        cwd=ROOT,
        env=service_env(tmp_path),
    ):
        yield StubServer(None, base)
