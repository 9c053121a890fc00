"""Health of the service's dependencies, for /healthz and load balancers."""

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import DatabaseError


@dataclass(frozen=True)
class Health:
    database: str
    redis: str

    @property
    def ok(self):
        return self.database == "ok" and self.redis in ("ok", "not configured")

    def as_dict(self):
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": self.database,
            "redis": self.redis,
        }


def service_health(connection) -> Health:
    return Health(database=_database_state(connection), redis=_redis_state(settings.REDIS_URL))


def _database_state(connection):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def _redis_state(url):
    if not url:
        return "not configured"
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return "unavailable"
    finally:
        client.close()
    return "ok"
