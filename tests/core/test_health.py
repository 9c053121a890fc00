import pytest
from django.db import DatabaseError

from core.health import service_health

pytestmark = pytest.mark.django_db


def test_healthy_with_database_and_redis(client, settings):
    assert settings.REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_unavailable_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"


def test_redis_not_configured_is_healthy(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "not configured"


class BrokenConnection:
    def cursor(self):
        raise DatabaseError("connection refused")


def test_unavailable_when_database_is_unreachable():
    health = service_health(BrokenConnection())
    assert not health.ok
    assert health.as_dict()["database"] == "unavailable"


def test_healthz_answers_503_when_database_is_down(client, monkeypatch):
    from core import views

    monkeypatch.setattr(views, "connections", {"default": BrokenConnection()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
