"""gunicorn settings for ``make serve``: ``HOST``/``PORT`` from the environment (127.0.0.1:8000)."""

import multiprocessing
import os
import time

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Requests are short and CPU-bound (search over 10,000 titles): one process per core and then some.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 9)))
# gevent, not threads: a slow or idle client (half a request, a slow reader) holds a greenlet,
# not one of a few threads, so it cannot starve the others (server/worker.py; README, "Serving").
worker_class = "server.worker.ShelfWorker"
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))  # per worker
timeout = 30
graceful_timeout = 10
# Also how long a connection may take to send its whole request (gunicorn's gevent worker).
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log; "-" for stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No preload: each worker builds its own app and loads the catalogue (about a second for
# 10,000 books) before it takes its first connection, so no visitor waits for that.
preload_app = False


def post_worker_init(worker):
    started = time.perf_counter()
    worker.wsgi.extensions["shelf_catalogue"].warm()
    worker.log.info("worker ready (catalogue loaded in %.1f s)", time.perf_counter() - started)
