"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`. Every value can be set from the environment."""

import multiprocessing
import os
import sys
from pathlib import Path

# gunicorn reads this file before it puts the working directory on sys.path; the masking below imports config.logging.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: each request holds one database connection; scale out with more containers, not threads.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Load Django once, in the master, before forking: a new worker (at start, or replacing a recycled one) is a fork of
# a process that has imported everything, so it serves at once instead of spending 1.5–2.5 s importing Django, DRF
# and the URL conf while requests queue behind it (measured: availability p99 went from ~0.1 s to 1.1–1.6 s with a
# restart every ~2,000 requests and no preload). Nothing opens a database, cache or SMTP connection at import time,
# so no connection is shared across the fork. The price: code changes need a full restart, not a HUP.
preload_app = True
# Recycle a worker rarely — only as a guard against slow memory growth — and never all at once: each worker restarts
# after max_requests plus a random 0..jitter requests, so restarts of the workers spread out instead of lining up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))
# The TLS proxy in front sets X-Forwarded-Proto; trust it only from these addresses (comma-separated, or *).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def _masking_logger():
    """gunicorn's logger with private calendar tokens (`/ical/private/<token>.ics`) masked by config.logging, the one
    place that masks them: in the access log's atoms (the request line, path, referer) and, through the same filter
    as Django's handlers, in every record of gunicorn's error and access logs ("Error handling request <path>")."""
    from gunicorn.glogging import Logger

    from config.logging import MaskPrivateFeedTokens, mask

    class MaskingLogger(Logger):
        def setup(self, cfg):
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if not any(isinstance(f, MaskPrivateFeedTokens) for f in handler.filters):
                        handler.addFilter(MaskPrivateFeedTokens())

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}

    return MaskingLogger


logger_class = _masking_logger()
