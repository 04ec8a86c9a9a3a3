"""Settings of the app servers that tests/reliability/test_scale_out.py starts: the test settings, with the cache in
the Redis of ZAALBOEK_SCALE_OUT_REDIS_URL under ONE key prefix (ZAALBOEK_SCALE_OUT_PREFIX) shared by every server
of the test — as production's servers share theirs (config/settings/production.py) — instead of one per process."""

import os

from config.settings.test import *  # noqa: F403

CACHES = {"default": {"BACKEND": "config.cache.RedisCache",  # production's backend
                      "LOCATION": os.environ["ZAALBOEK_SCALE_OUT_REDIS_URL"],
                      "KEY_PREFIX": os.environ["ZAALBOEK_SCALE_OUT_PREFIX"],
                      "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5}}}
