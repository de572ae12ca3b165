"""gunicorn settings for production (deploy/systemd/yinzhou-web.service). Tune by environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: 2 × cores + 1 is gunicorn's rule of thumb; each holds one DB connection (CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))  # Excel imports/exports of a few thousand rows
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then (bounded memory over months of uptime)
max_requests_jitter = 200
# Request lines are logged by the app as JSON (yinzhou.requests); gunicorn's own access log would
# add the client IP, which the logs must not carry.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = "127.0.0.1"
