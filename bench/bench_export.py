"""Exported widgets served by nginx with the export's own configuration
(query parameters mapped to files, the service's headers), against the same
file served by nginx as a plain static file.

    python3 bench/bench_export.py [--seconds 3] [--rounds 9]

Prints requests per second for both and their ratio (target, issue 18: at
least 0.95). Needs nginx (apt-get install -y nginx) and wrk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compare  # noqa: E402
from bench.common import scratch  # noqa: E402
from bench.common import service_env  # noqa: E402
from tests.e2e.servers import run_cli  # noqa: E402
from tests.nginx_server import nginx  # noqa: E402
from tests.nginx_server import nginx_binary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    if nginx_binary() is None:
        raise SystemExit("skipped: bench_export needs nginx (apt-get install -y nginx)")
    with scratch() as tmp:
        env = service_env(tmp, WIDGET_PUBLIC_URL="http://127.0.0.1:8000")
        export = tmp / "export"
        done = run_cli(tmp, env, "export", str(export))
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        # One nginx worker on one core, wrk on the other: without pinning
        # the two trade places and rounds differ by a fifth.
        pinned = shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1
        with nginx(export, tmp / "nginx", cpu=0 if pinned else None) as base:
            mapped = f"{base}/widget/nasa-artemis?layout=grid&lang=de-DE"
            direct = f"{base}/direct/widget/nasa-artemis/grid-light-de.html"
            assert requests.get(mapped, timeout=10).content == (
                requests.get(direct, timeout=10).content
            )
            compare(
                "exported widget via nginx",
                mapped,
                direct,
                rounds=args.rounds,
                seconds=args.seconds,
                cpu=1 if pinned else None,
            )


if __name__ == "__main__":
    main()
