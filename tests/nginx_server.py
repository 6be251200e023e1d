"""A real nginx on a free loopback port serving a ``widget export`` folder
with the configuration the export wrote: the one nginx launcher (tests and
bench/bench_export.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import free_port


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )


@contextmanager
def nginx(export: Path, workdir: Path, cpu: int | None = None) -> Iterator[str]:
    """nginx with the export's own files included, and the same folder also
    under ``/direct/`` (plain static files, the benchmark's baseline);
    yields its base URL. ``cpu`` pins it to that core (benchmarks)."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    workdir.mkdir(parents=True, exist_ok=True)
    for folder in (export, *export.parents):
        if folder == Path("/"):
            break
        os.chmod(folder, os.stat(folder).st_mode | 0o755)  # nginx's workers read it
    port = free_port()
    conf = workdir / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  types { text/html html; text/javascript js; application/json json; }\n"
        "  access_log off;\n"
        f"  client_body_temp_path {workdir};\n  proxy_temp_path {workdir};\n"
        f"  fastcgi_temp_path {workdir};\n  uwsgi_temp_path {workdir};\n"
        f"  scgi_temp_path {workdir};\n"
        f"  include {export}/nginx-widget-maps.conf;\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n"
        f"    include {export}/nginx-widget.conf;\n"
        f"    location /direct/ {{ alias {export}/; }}\n"
        "  }\n}\n"
    )
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    process = subprocess.Popen(
        [*pin, binary, "-c", str(conf), "-p", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                log = (workdir / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx exited: {log}")
            try:
                requests.get(base + "/embed.js", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
