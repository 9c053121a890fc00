import logging

import pytest
import time_machine
from django.conf import settings

from core.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post("/sign-in/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_sign_in_and_out(client):
    user = UserFactory(role=Role.DFE_STAFF)
    response = _sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/home/"
    assert client.get("/home/").status_code == 200
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/signed-out/"
    assert client.get("/home/").status_code == 302


def test_wrong_password_shows_error_summary(client):
    user = UserFactory(role=Role.DFE_STAFF)
    response = _sign_in(client, user.email, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct email address and password." in html
    assert "<title>Error: Sign in" in html


def test_blank_fields_name_the_fields(client):
    response = _sign_in(client, "", "")
    html = response.content.decode()
    assert 'href="#id_username"' in html
    assert 'href="#id_password"' in html


def test_failed_sign_ins_are_throttled_per_account(client, caplog):
    user = UserFactory(role=Role.DFE_STAFF)
    limit = settings.SIGN_IN_THROTTLE_PER_ACCOUNT
    with caplog.at_level(logging.WARNING, logger="oatracker.security"):
        for attempt in range(limit):
            _sign_in(client, user.email, "wrong-password", address=f"198.51.100.{attempt}")
    assert sum("Failed sign-in" in r.getMessage() for r in caplog.records) == limit
    # Even the right password is refused now, from a fresh address.
    response = _sign_in(client, user.email, TEST_PASSWORD, address="192.0.2.200")
    assert response.status_code == 200
    assert "too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("Throttled sign-in refused" in r.getMessage() for r in caplog.records)


def test_failed_sign_ins_are_throttled_per_address(client, settings):
    settings.SIGN_IN_THROTTLE_PER_ADDRESS = 3
    victim = UserFactory(role=Role.DFE_STAFF)
    for n in range(3):
        _sign_in(client, f"guess{n}@example.org", "wrong-password", address="203.0.113.50")
    response = _sign_in(client, victim.email, TEST_PASSWORD, address="203.0.113.50")
    assert "too many failed attempts" in response.content.decode()
    response = _sign_in(client, victim.email, TEST_PASSWORD, address="203.0.113.51")
    assert response.status_code == 302


def test_success_resets_the_account_counter(client):
    user = UserFactory(role=Role.DFE_STAFF)
    for _ in range(settings.SIGN_IN_THROTTLE_PER_ACCOUNT - 1):
        _sign_in(client, user.email, "wrong-password")
    assert _sign_in(client, user.email, TEST_PASSWORD).status_code == 302
    client.post("/sign-out/")
    for _ in range(settings.SIGN_IN_THROTTLE_PER_ACCOUNT - 1):
        _sign_in(client, user.email, "wrong-password")
    assert _sign_in(client, user.email, TEST_PASSWORD).status_code == 302


def test_forwarded_address_is_trusted_only_behind_configured_proxies(rf, settings):
    from core.services import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "5.6.7.8"


def test_sessions_expire_after_inactivity(client):
    user = UserFactory(role=Role.DFE_STAFF)
    idle_limit = settings.SESSION_COOKIE_AGE
    assert idle_limit == 30 * 60
    with time_machine.travel("2026-11-02 09:00:00Z", tick=False) as clock:
        _sign_in(client, user.email, TEST_PASSWORD)
        for _ in range(3):  # activity keeps the session alive past the limit
            clock.shift(idle_limit - 60)
            assert client.get("/home/").status_code == 200
        clock.shift(idle_limit + 60)
        response = client.get("/home/")
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_passwords_are_validated(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password123")
    with pytest.raises(ValidationError):
        validate_password("short")
    validate_password("a-long-and-unusual-passphrase-77")


def test_pages_send_a_content_security_policy_without_inline_script(client):
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
