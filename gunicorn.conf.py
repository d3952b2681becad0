"""gunicorn settings for ``make serve``: ``HOST``/``PORT`` from the environment (127.0.0.1:8000)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Requests are short and CPU-bound (search over 10,000 titles); a few processes, two threads each.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log; "-" for stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The catalogue loads lazily in each worker on its first API request, so no preload.
preload_app = False
