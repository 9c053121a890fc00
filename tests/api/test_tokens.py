"""Personal API tokens: created and revoked by their owner on the "API
tokens" pages, shown once, stored only as a hash, never logged, refused with
401 once revoked or expired, throttled per token."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from core import tokens as core_tokens
from core.models import ApiToken, ChangeRecord, Role
from core.tokens import api_token_create
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

TOKEN_PATTERN = re.compile(r"oat_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}")


def _create_on_page(client, name="School MIS", expiry="90"):
    response = client.post("/api-tokens/new/", {"name": name, "expiry": expiry})
    assert response.status_code == 200, response.content
    raw = TOKEN_PATTERN.search(response.content.decode()).group(0)
    return response, raw


@pytest.fixture
def member(users):
    return users[Role.BOARD_MEMBER]


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_a_token_is_shown_once_and_works(signed_in, member):
    response, raw = _create_on_page(signed_in)
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=member)
    assert token.name == "School MIS"
    assert token.expires_at == pytest.approx(
        timezone.now() + timedelta(days=90), abs=timedelta(minutes=1)
    )
    assert raw.startswith(token.display_prefix + "_")
    listing = signed_in.get("/api-tokens/")
    assert token.display_prefix in listing.content.decode()
    assert raw not in listing.content.decode()

    api = ApiClient(raw)
    assert api.get("/api/v1/areas/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_without_expiry(signed_in, member):
    _create_on_page(signed_in, expiry="never")
    assert ApiToken.objects.get(user=member).expires_at is None


def test_the_form_says_what_is_missing(signed_in):
    response = signed_in.post("/api-tokens/new/", {"name": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a name for the token" in page
    assert "Select when the token should stop working" in page
    assert not ApiToken.objects.exists()


def test_a_token_is_stored_only_as_its_sha256(signed_in, member):
    _, raw = _create_on_page(signed_in)
    token = ApiToken.objects.get(user=member)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw.rsplit("_", 1)[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert raw not in stored
    assert secret not in stored
    sessions = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert secret not in sessions


def test_a_token_is_never_logged(client, member, caplog):
    """Creating, using and failing to use a token leave no secret in any log."""
    caplog.set_level(logging.DEBUG)
    client.force_login(member)
    _, raw = _create_on_page(client)
    # oat_<prefix>_<secret>: the secret itself may contain "_".
    _, _, secret = raw.split("_", 2)
    assert len(secret) >= 20
    api = ApiClient(raw)
    api.get("/api/v1/areas/")
    api.post("/api/v1/measurements/", {"lineage": 987654})
    ApiClient(raw + "x").get("/api/v1/areas/")
    ApiClient(raw.replace("oat_", "xyz_")).get("/api/v1/areas/")
    token = ApiToken.objects.get(user=member)
    client.post(f"/api-tokens/{token.pk}/revoke/")
    api.get("/api/v1/areas/")
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    assert token.display_prefix in logged
    assert secret not in logged
    assert not ChangeRecord.objects.filter(changes__icontains=secret).exists()


def _assert_401(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["code"] in {"invalid_token", "not_authenticated"}
    assert set(body) == {"status", "code", "message", "errors"}


def test_a_revoked_token_gets_401(signed_in, member):
    _, raw = _create_on_page(signed_in)
    token = ApiToken.objects.get(user=member)
    confirm = signed_in.get(f"/api-tokens/{token.pk}/revoke/")
    assert "Are you sure you want to revoke" in confirm.content.decode()
    assert ApiClient(raw).get("/api/v1/areas/").status_code == 200
    response = signed_in.post(f"/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    _assert_401(ApiClient(raw).get("/api/v1/areas/"))
    assert signed_in.get(f"/api-tokens/{token.pk}/revoke/").status_code == 404


def test_an_expired_token_gets_401(member):
    token, raw = api_token_create(
        user=member, name="Old", expires_at=timezone.now() + timedelta(days=1)
    )
    assert ApiClient(raw).get("/api/v1/areas/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_401(ApiClient(raw).get("/api/v1/areas/"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer oat_00000000_not-a-real-token",
        "Bearer oat_nothex!!_secret",
        "Bearer nonsense",
        "Bearer",
        "Bearer two parts",
        "Bearer ünïcode",
    ],
)
def test_an_unknown_or_malformed_token_gets_401(header, member):
    api_token_create(user=member, name="Real")
    response = Client().get("/api/v1/areas/", headers={"Authorization": header})
    _assert_401(response)


def test_no_credentials_get_401_with_the_scheme():
    _assert_401(Client().get("/api/v1/areas/"))


def test_a_token_of_a_deactivated_user_gets_401(member):
    _, raw = api_token_create(user=member, name="MIS")
    member.is_active = False
    member.save()
    _assert_401(ApiClient(raw).get("/api/v1/areas/"))


def test_a_user_cannot_see_or_revoke_another_users_token(signed_in, users):
    other, _ = api_token_create(user=users[Role.AREA_LEAD], name="Lead's")
    assert "Lead's" not in signed_in.get("/api-tokens/").content.decode()
    assert signed_in.get(f"/api-tokens/{other.pk}/revoke/").status_code == 404
    assert signed_in.post(f"/api-tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_dfe_staff_may_create_a_token_that_can_only_read(client, users, world):
    client.force_login(users[Role.DFE_STAFF])
    _, raw = _create_on_page(client)
    api = ApiClient(raw)
    assert api.get("/api/v1/plans/").status_code == 200
    body = {"lineage": world.own.rows["indicator"].lineage_id, "date": "2019-07-31"}
    assert api.post("/api/v1/measurements/", body).status_code == 403


def test_requests_with_a_token_are_throttled_per_token(member, monkeypatch):
    cache.clear()
    monkeypatch.setattr(core_tokens.ApiTokenRateThrottle, "rate", "3/minute", raising=False)
    _, raw = api_token_create(user=member, name="Busy")
    _, other_raw = api_token_create(user=member, name="Quiet")
    busy = ApiClient(raw)
    assert [busy.get("/api/v1/areas/").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/api/v1/areas/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    assert ApiClient(other_raw).get("/api/v1/areas/").status_code == 200


def test_the_browser_session_works_with_the_csrf_check(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get("/api/v1/areas/").status_code == 200
    refused = browser.post("/api/v1/measurements/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_reach_the_token_pages(client, users, role):
    client.force_login(users[role])
    assert client.get("/api-tokens/").status_code == 200
    assert client.get("/api-tokens/new/").status_code == 200
