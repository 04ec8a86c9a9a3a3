"""Fast, deterministic settings for the test suite.

Tasks run at once, in-process (boeking.jobs.backends.ImmediateBackend: Django's, except that a job that broke the
caller's transaction fails the caller); tests of the queue itself switch to the database backend and run the
real worker (tests/jobs). ZAALBOEK_TEST_REDIS_URL=redis://127.0.0.1:6379/0 puts the cache (throttles, lockout) in
Redis, under a key prefix of this test process only (CI does so, .ci/run).
"""

import os
import tempfile

from django.core.cache.backends.redis import RedisCache

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DEBUG = False
LANGUAGE_CODE = "nl"
# Serve static files from the source folders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

TASKS = {"default": {"BACKEND": "boeking.jobs.backends.ImmediateBackend", "QUEUES": ["default"]}}
ZAALBOEK_JOB_RETRY_SECONDS = 0.5


class PrefixedRedisCache(RedisCache):
    """Django's Redis cache whose clear() removes only this cache's own keys (its KEY_PREFIX), never the whole
    database: other test runs and services may share the server."""

    def clear(self):
        client = self._cache.get_client(write=True)
        pattern = self.make_key("*")
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True


if os.environ.get("ZAALBOEK_TEST_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "config.settings.test.PrefixedRedisCache",
                          "LOCATION": os.environ["ZAALBOEK_TEST_REDIS_URL"],
                          "KEY_PREFIX": f"zaalboek-test-{os.getpid()}"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (in memory-backed /dev/shm where there is one), not SQLite's private in-memory database: the tests of the
    # worker start it as a separate process on the same queue. One file per test process, so parallel runs never meet.
    _tmp = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else tempfile.gettempdir()
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_tmp, f"zaalboek-test-{os.getpid()}.sqlite3")}
