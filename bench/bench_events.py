"""Beacons under load: ``POST /api/v1/events`` from many connections, on
SQLite and on Redis, under ``gunicorn -k gthread``.

    python3 bench/bench_events.py [--seconds 10] [--connections 64] [--workers 3]

wrk posts impressions and clicks (one in four) of a demo topic's first item,
each from a random client address (``X-Forwarded-For`` behind one trusted
proxy, so the per-address rate does not cut in) with a desktop browser's
user agent. Prints events per second accepted (204) and every error (non-2xx
answers and socket errors; the bar is 0), and checks that what the service
counted matches what it accepted.
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
from tests.redis_server import RedisServer  # noqa: E402

TOKEN = "bench-events-admin-token"
SLUG = "nasa-artemis"
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)
SCRIPT = """
local impression = '{"type":"impression","topic":"%(slug)s","store":"%(store)s",'
  .. '"page":"https://blog.example/post"}'
local click = '{"type":"click","topic":"%(slug)s","store":"%(store)s",'
  .. '"asin":"%(asin)s","position":1,"page":"https://blog.example/post"}'
local n = 0
request = function()
  n = n + 1
  local address = "10." .. math.random(0, 255) .. "." .. math.random(0, 255)
    .. "." .. math.random(1, 254)
  local headers = {["Content-Type"] = "text/plain;charset=UTF-8",
    ["User-Agent"] = "%(ua)s", ["X-Forwarded-For"] = address}
  local body = impression
  if n %% 4 == 0 then body = click end
  return wrk.format("POST", "/api/v1/events", headers, body)
end
"""


def first_item(base: str) -> tuple[str, str]:
    html = requests.get(f"{base}/widget/{SLUG}", timeout=30).text
    asin = re.search(r'class="bw-title" href="https://[^/]+/dp/(\w{10})', html).group(1)
    store = re.search(r'data-store="([^"]+)"', html).group(1)
    return asin, store


def post_load(base: str, script: Path, seconds: int, connections: int) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("the benchmarks need wrk: apt-get install wrk")
    # A 10 s client timeout: wrk's 2 s default calls a beacon that waited on
    # a busy machine an error; the service's own errors show as non-2xx.
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s"]
    args += ["--timeout", "10s"]
    output = subprocess.run(
        [*args, "-s", str(script), base], capture_output=True, text=True, check=True
    ).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    kinds = {"non-2xx": int(non_2xx.group(1)) if non_2xx else 0}
    if sockets:
        names = ("connect", "read", "write", "timeout")
        kinds |= dict(zip(names, map(int, sockets.groups()), strict=True))
    errors = sum(kinds.values())
    shown = ", ".join(f"{k} {v}" for k, v in kinds.items() if v)
    return {"total": total, "rate": rate, "errors": errors, "kinds": shown}


def counted(base: str) -> int:
    total = requests.get(
        f"{base}/api/v1/topics/{SLUG}/stats?days=2",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    ).json()["total"]
    return int(total["impressions"] + total["clicks"])


def run(name: str, tmp: Path, env: dict[str, str], args: argparse.Namespace) -> int:
    options = ("-k", "gthread", "--threads", "8")
    with serve(tmp, "wsgi:app", env, workers=args.workers, options=options) as base:
        asin, store = first_item(base)
        script = tmp / "events.lua"
        values = {"slug": SLUG, "store": store, "asin": asin, "ua": BROWSER}
        script.write_text(SCRIPT % values)
        result = post_load(base, script, args.seconds, args.connections)
        accepted = result["total"] - result["errors"]
        print(
            f"{name}: {result['rate']:,.0f} events/s accepted"
            f" ({accepted:,} in {args.seconds}s, {args.connections} connections,"
            f" {args.workers} workers), errors {result['errors']}"
            f"{' (' + result['kinds'] + ')' if result['kinds'] else ''},"
            f" counted {counted(base):,}"
        )
        return int(result["errors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    settings = {
        "WIDGET_ADMIN_TOKEN": TOKEN,
        "WIDGET_TRUSTED_PROXIES": "1",
        "WIDGET_SCHEDULER": "off",
    }
    errors = 0
    with scratch() as tmp:
        errors += run("sqlite", tmp, service_env(tmp, **settings), args)
    with scratch() as tmp, RedisServer(tmp / "redis") as redis_server:
        env = service_env(tmp, WIDGET_STORE=redis_server.url, **settings)
        errors += run("redis", tmp, env, args)
    if errors:
        raise SystemExit(f"{errors} errors")


if __name__ == "__main__":
    main()
