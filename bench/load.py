"""Load test: many connections against cached widgets and the JSON API.

    python3 bench/load.py                # 60 s, 64 connections, 4 workers
    python3 bench/load.py --seconds 5    # the short version CI runs

Serves the app under gunicorn (gthread workers, so keep-alive works), drives
it with wrk on loopback and prints throughput, p50/p99 latency and errors.
Exits non-zero on any error or 5xx.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch  # noqa: E402
from bench.common import serve  # noqa: E402
from bench.common import service_env  # noqa: E402

HERE = Path(__file__).resolve().parent


def run_load(base: str, seconds: int, connections: int) -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise SystemExit("the load test needs wrk: apt-get install wrk")
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(HERE / "load.lua"),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def number(pattern: str, default: float = 0.0) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def latency_ms(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert match, output
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        return float(match.group(1)) * scale

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": number(r"(\d+) requests in"),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": latency_ms("50"),
        "p99_ms": latency_ms("99"),
        "non_2xx": number(r"Non-2xx or 3xx responses: (\d+)"),
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    with scratch() as tmp:
        env = service_env(tmp)
        options = ("-k", "gthread", "--threads", "8")
        with serve(tmp, "wsgi:app", env, workers=args.workers, options=options) as base:
            for path in ("/widget/nasa-artemis", "/widget/science-fiction"):
                requests.get(base + path, timeout=30).raise_for_status()
            result = run_load(base, args.seconds, args.connections)
    print(
        f"load: {args.seconds}s, {args.connections} connections,"
        f" {args.workers} workers:"
        f" {result['requests']:,.0f} requests, {result['rps']:,.0f} req/s,"
        f" p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms,"
        f" errors {result['non_2xx'] + result['socket_errors']:.0f}"
    )
    if result["non_2xx"] or result["socket_errors"]:
        raise SystemExit(1)
    return result


if __name__ == "__main__":
    main()
