"""Sign-in and API tokens leave no secret in the logs: failed and throttled
sign-ins, and requests with a good, an unknown and a malformed token, with
every logger at DEBUG and every SQL statement read too."""

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Role
from core.tokens import api_token_create

pytestmark = pytest.mark.django_db

TYPED_PASSWORD = "Typed-Secret-Password-93"  # noqa: S105


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_no_typed_password_or_token_reaches_the_logs(client, users, settings, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    caplog.set_level(logging.DEBUG, logger="oatracker.security")
    user = users[Role.SCHOOL_STAFF]
    _, raw = api_token_create(user=user, name="MIS")
    unknown = raw[:-6] + ("aaaaaa" if not raw.endswith("aaaaaa") else "bbbbbb")
    with CaptureQueriesContext(connection) as queries:
        # The free attempts, one failure that starts the delays, one refused.
        for _ in range(settings.SIGN_IN_FREE_ATTEMPTS + 2):
            response = client.post(
                "/sign-in/", {"username": user.email, "password": TYPED_PASSWORD}
            )
            assert response.status_code == 200
        assert Client().get("/api/v1/areas/", headers=_bearer(raw)).status_code == 200
        assert Client().get("/api/v1/areas/", headers=_bearer(unknown)).status_code == 401
        assert Client().get("/api/v1/areas/", headers=_bearer("not-a-token")).status_code == 401
    logged = "\n".join(
        [record.getMessage() for record in caplog.records] + [q["sql"] for q in queries]
    )
    # The attempts were logged, so the search below has something to search.
    assert "Failed sign-in for account" in logged
    assert "Throttled sign-in refused" in logged
    assert "unknown token" in logged
    assert "malformed token" in logged
    secret, unknown_secret = raw.split("_", 2)[2], unknown.split("_", 2)[2]
    for typed in (TYPED_PASSWORD, raw, secret, unknown, unknown_secret):
        assert typed not in logged
