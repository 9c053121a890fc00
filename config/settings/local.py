"""The embedded default for `make run`: nothing to install beyond Python."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="local-development-only-not-secret-5f1c7d0b9a3e4e21b6a8c2d4e6f80123",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
DEMO_PASSWORD = env("DEMO_PASSWORD", default="opportunity-demo-2026")
PUPIL_HASH_KEY = env("PUPIL_HASH_KEY", default="local-development-only-pupil-hash-key")
