"""Settings for the test suite: real PostgreSQL and Redis from the environment.

Tasks run eagerly unless a test starts a real worker; the cache is per
process so counters (sign-in throttling) never leak between tests.
"""

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL

DEBUG = False
SECRET_KEY = "test-only-secret-key-7b2f9c1e4d6a8b0c2e4f6a8b0c2d4e6f"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_PASSWORD = "opportunity-demo-2026"  # noqa: S105
PUPIL_HASH_KEY = "test-only-pupil-hash-key"  # noqa: S105

# The replica's alias mirrors the test database (Django creates nothing on
# it); tests/conftest.py points it at the real replica, which streams the
# test database from the primary. Only the replica tests send reads there.
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA = None
