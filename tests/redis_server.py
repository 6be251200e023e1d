"""A real redis-server on a free loopback port: the one Redis launcher.

The session shares one (the ``redis_server`` fixture, flushed per test as
``redis_url``); a test that stops, restarts or configures its own uses
``with RedisServer(folder) as server``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from tests.conftest import free_port


class RedisServer:
    """``redis-server`` without persistence; can be stopped and started again
    on the same port to play an outage."""

    def __init__(self, workdir: Path, port: int | None = None, tls: dict | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        #: TLS file paths (cert, key, ca): serve rediss:// on ``tls_port``
        self.tls = tls
        self.tls_port = free_port() if tls else None
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (scripts/test does it)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
                *self._tls_args(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"redis-server exited: {self.process.returncode}"
                    )
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def _tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return [
            "--tls-port", str(self.tls_port),
            "--tls-cert-file", str(self.tls["cert"]),
            "--tls-key-file", str(self.tls["key"]),
            "--tls-ca-cert-file", str(self.tls["ca"]),
            "--tls-auth-clients", "no",
        ]  # fmt: skip

    def stop(self, *, persist: bool = False) -> None:
        """Stop the server; ``persist`` writes its data first, so that the next
        ``start`` comes back with it (a restart rather than a wipe)."""
        if persist and self.process is not None:
            client = redis.Redis(port=self.port)
            try:
                client.save()  # dump.rdb in workdir, loaded by the next start
            finally:
                client.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def flush(self) -> None:
        client = redis.Redis(port=self.port)
        try:
            client.flushall()
        finally:
            client.close()
