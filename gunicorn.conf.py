"""gunicorn settings for the widget service, used as

    gunicorn -c gunicorn.conf.py 'widget:create_app()'      (or wsgi:app)

Command-line options win over these (``-w 4``, ``-b 0.0.0.0:8000``); the
address defaults to 127.0.0.1:8000, or 0.0.0.0:$PORT when PORT is set.
"""

import ctypes
import ctypes.util
import os

# Threads, not one request per process: a visitor waiting for a first list
# (WIDGET_FIRST_VISIT_WAIT) or an admin waiting for a refresh holds a thread,
# never the whole worker, so other widgets keep answering meanwhile.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8

# A worker silent this long is killed and restarted. No request waits
# longer than widget.config.request_waits allows (about 14 s with the
# defaults); tests/test_time_limits.py keeps that well inside this.
timeout = 30
# On restart or shutdown, requests in flight get this long to finish.
graceful_timeout = 20
# Idle keep-alive connections (from a proxy or CDN) are closed after this.
keepalive = 5


def limit_malloc_arenas() -> None:
    """One malloc arena per worker instead of one per thread (glibc only;
    MALLOC_ARENA_MAX in the environment wins). Python holds the GIL anyway,
    and eight threads' arenas each kept freed rendering memory: a worker
    with 1,000 topics held 82 MiB, with one arena 63 MiB
    (bench/bench_memory.py). Set in the master, inherited by every fork."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to limit


M_ARENA_MAX = -8  # glibc's malloc.h
limit_malloc_arenas()
