"""gunicorn settings for the widget service, used as

    gunicorn -c gunicorn.conf.py 'widget:create_app()'      (or wsgi:app)

Command-line options win over these (``-w 4``, ``-b 0.0.0.0:8000``); the
address defaults to 127.0.0.1:8000, or 0.0.0.0:$PORT when PORT is set.
"""

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
