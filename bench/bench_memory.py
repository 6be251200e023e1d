"""Memory per gunicorn worker with 1,000 topics, every widget cached.

    python3 bench/bench_memory.py [--topics 1000]

Starts the service with N topics (stub catalog), requests every topic's
widget in two variants from every worker until each worker has cached all
of them, then prints each worker's resident memory next to a worker of the
minimal Flask baseline app, and the cost per cached topic.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import running  # noqa: E402
from bench.common import scratch  # noqa: E402
from bench.common import service_env  # noqa: E402
from tests.e2e.servers import run_cli  # noqa: E402

KEYWORDS = [
    "nasa artemis",
    "science fiction",
    "mars exploration",
    "astronomy beginners",
    "python programming",
    "italian cooking",
    "mountain hiking",
    "world war",
    "mindfulness",
    "gardening",
    "birdwatching",
    "chess strategy",
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def import_topics(tmp: Path, env: dict[str, str], count: int) -> None:
    """``count`` topics through the CLI, cycling over the stub catalog's subjects."""
    topics = [
        {"title": f"Topic {n:04d}", "keywords": KEYWORDS[n % len(KEYWORDS)]}
        for n in range(count)
    ]
    (tmp / "topics.json").write_text(json.dumps({"topics": topics}))
    done = run_cli(tmp, env, "topics", "import", str(tmp / "topics.json"))
    if done.returncode != 0:
        raise SystemExit(done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topics", type=int, default=1000)
    args = parser.parse_args()
    with scratch() as tmp:
        env = service_env(tmp, WIDGET_SEED_DEMO="false")
        import_topics(tmp, env, args.topics)
        with running(tmp, "wsgi:app", env) as (base, master):
            paths = [f"/widget/topic-{n:04d}" for n in range(args.topics)]
            paths += [p + "?layout=grid" for p in paths]
            body = b""
            # New connections land on either worker; three passes fill both.
            for _ in range(3):
                for path in paths:
                    body = requests.get(base + path, timeout=30).content
            ours = [rss_kib(pid) for pid in workers_of(master)]
            print("workers MiB:", [round(k / 1024, 1) for k in ours])
        (tmp / "widget.html").write_bytes(body)
        (tmp / "etag").write_text("x")
        (tmp / "topic.json").write_text("{}")
        with running(tmp, "bench.baseline_app:app", {"BASELINE_DIR": str(tmp)}) as (
            base,
            master,
        ):
            requests.get(base + "/widget/x", timeout=30)
            theirs = [rss_kib(pid) for pid in workers_of(master)]
    worst, baseline = max(ours), max(theirs)
    print(
        f"memory per worker with {args.topics} topics ({len(paths)} cached widgets):"
        f" {worst / 1024:.1f} MiB vs baseline {baseline / 1024:.1f} MiB"
        f" -> ratio {worst / baseline:.2f},"
        f" {(worst - baseline) / len(paths):.1f} KiB per cached widget"
    )


if __name__ == "__main__":
    main()
