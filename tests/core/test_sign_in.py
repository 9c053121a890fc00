"""Sign-in with a password: failures slow down the account and address
together, lock an address, never lock an account everywhere, and alert the
owner (ADR 0012)."""

import logging

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRANGER = "198.51.100.66"
OWNER = "192.0.2.10"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-02 09:00:00Z", tick=False) as traveller:
        yield traveller


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post("/sign-in/", {"username": email, "password": password}, REMOTE_ADDR=address)


def _fail_until_locked(client, email, address, clock):
    """Wrong passwords from one address until that address is locked out of
    the account, waiting out each delay as a patient attacker would."""
    for attempt in range(settings.SIGN_IN_THROTTLE_PER_ACCOUNT_AND_ADDRESS):
        if attempt:
            clock.shift(65)  # the longest delay before the lock is 64 seconds
        response = _sign_in(client, email, "wrong-password", address=address)
        assert "Enter a correct email address and password." in response.content.decode()


def test_sign_in_and_out(client):
    user = UserFactory(role=Role.SCHOOL_STAFF)
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


def test_a_strangers_failures_do_not_stop_the_owner_signing_in_from_elsewhere(client, clock):
    owner = UserFactory(role=Role.SCHOOL_STAFF)
    _fail_until_locked(client, owner.email, STRANGER, clock)

    # The stranger is locked out of this account, even with the right password.
    response = _sign_in(client, owner.email, TEST_PASSWORD, address=STRANGER)
    assert "too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = _sign_in(client, owner.email, TEST_PASSWORD, address=OWNER)
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_the_stranger_stays_locked_out_for_the_window(client, clock):
    owner = UserFactory(role=Role.SCHOOL_STAFF)
    _fail_until_locked(client, owner.email, STRANGER, clock)
    clock.shift(settings.SIGN_IN_THROTTLE_WINDOW_SECONDS - 60)
    response = _sign_in(client, owner.email, TEST_PASSWORD, address=STRANGER)
    assert "Wait 1 minute and try again" in response.content.decode()
    clock.shift(61)
    assert _sign_in(client, owner.email, TEST_PASSWORD, address=STRANGER).status_code == 302


def test_failures_beyond_the_free_ones_wait_twice_as_long_each_time(client, clock):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    for _ in range(settings.SIGN_IN_FREE_ATTEMPTS):
        _sign_in(client, user.email, "wrong-password", address=STRANGER)
    # The free attempts pass at once; the next failure starts the delays.
    assert (
        "Enter a correct"
        in _sign_in(client, user.email, "wrong", address=STRANGER).content.decode()
    )
    for wait in (2, 4, 8):
        response = _sign_in(client, user.email, TEST_PASSWORD, address=STRANGER)
        assert f"Wait {wait} seconds and try again" in response.content.decode()
        clock.shift(wait - 1)
        response = _sign_in(client, user.email, "wrong-password", address=STRANGER)
        assert "Wait 1 second and try again" in response.content.decode()
        clock.shift(1)
        response = _sign_in(client, user.email, "wrong-password", address=STRANGER)
        assert "Enter a correct email address and password." in response.content.decode()


def test_refused_attempts_are_logged_without_checking_the_password(client, clock, caplog):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    for _ in range(settings.SIGN_IN_FREE_ATTEMPTS + 1):
        _sign_in(client, user.email, "wrong-password", address=STRANGER)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="oatracker.security"):
        _sign_in(client, user.email, TEST_PASSWORD, address=STRANGER)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [f"Throttled sign-in refused for account #{user.pk} from {STRANGER}"]


def test_failed_sign_ins_are_throttled_per_address(client, settings):
    settings.SIGN_IN_THROTTLE_PER_ADDRESS = 3
    victim = UserFactory(role=Role.SCHOOL_STAFF)
    for n in range(3):
        _sign_in(client, f"guess{n}@example.org", "wrong-password", address="203.0.113.50")
    response = _sign_in(client, victim.email, TEST_PASSWORD, address="203.0.113.50")
    assert "too many failed attempts" in response.content.decode()
    response = _sign_in(client, victim.email, TEST_PASSWORD, address="203.0.113.51")
    assert response.status_code == 302


def test_success_resets_the_counter_for_that_address(client):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    for _ in range(settings.SIGN_IN_FREE_ATTEMPTS):
        _sign_in(client, user.email, "wrong-password")
    assert _sign_in(client, user.email, TEST_PASSWORD).status_code == 302
    client.post("/sign-out/")
    for _ in range(settings.SIGN_IN_FREE_ATTEMPTS):
        _sign_in(client, user.email, "wrong-password")
    assert _sign_in(client, user.email, TEST_PASSWORD).status_code == 302


def test_the_owner_is_emailed_once_a_window_about_repeated_failures(client, clock):
    owner = UserFactory(role=Role.SCHOOL_STAFF, email="owner@example.org")
    alert_after = settings.SIGN_IN_ALERT_AFTER_FAILURES
    for n in range(alert_after - 1):
        _sign_in(client, "Owner@Example.org", "wrong-password", address=f"198.51.100.{n}")
    assert mail.outbox == []

    _sign_in(client, owner.email, "wrong-password", address="198.51.100.200")
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == [owner.email]
    assert f"with the wrong password {alert_after} times" in alert.body
    assert "do not lock your account" in alert.body

    for n in range(alert_after * 2):
        _sign_in(client, owner.email, "wrong-password", address=f"203.0.113.{n}")
    assert len(mail.outbox) == 1

    clock.shift(settings.SIGN_IN_THROTTLE_WINDOW_SECONDS + 1)
    for n in range(alert_after):
        _sign_in(client, owner.email, "wrong-password", address=f"192.0.2.{n}")
    assert len(mail.outbox) == 2


def test_no_email_for_an_address_that_has_no_account(client):
    for n in range(settings.SIGN_IN_ALERT_AFTER_FAILURES * 2):
        _sign_in(client, "nobody@example.org", "wrong-password", address=f"198.51.100.{n}")
    assert mail.outbox == []


def test_sign_in_logs_keep_no_typed_password(client, caplog, capsys):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    typed_in_the_email_box = "my-secret-passphrase-99"
    with caplog.at_level(logging.DEBUG):
        _sign_in(client, typed_in_the_email_box, TEST_PASSWORD)
        _sign_in(client, user.email, typed_in_the_email_box)
        _sign_in(client, user.email, TEST_PASSWORD)
    logged = "\n".join(r.getMessage() for r in caplog.records) + capsys.readouterr().err
    assert f"Failed sign-in for account #{user.pk}" in logged
    assert f"Password accepted for account #{user.pk}" in logged
    for secret in (typed_in_the_email_box, TEST_PASSWORD):
        assert secret not in logged


def test_forwarded_address_is_trusted_only_behind_configured_proxies(rf, settings):
    from core.services import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "5.6.7.8"


def test_sessions_expire_after_inactivity(client, clock):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    idle_limit = settings.SESSION_COOKIE_AGE
    assert idle_limit == 30 * 60
    _sign_in(client, user.email, TEST_PASSWORD)
    for _ in range(3):  # activity keeps the session alive past the limit
        clock.shift(idle_limit - 60)
        assert client.get("/home/").status_code == 200
    clock.shift(idle_limit + 60)
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_session_is_written_at_most_once_a_minute_while_it_is_used(client, clock):
    user = UserFactory(role=Role.SCHOOL_STAFF)
    _sign_in(client, user.email, TEST_PASSWORD)

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/home/").status_code == 200
        return sum('UPDATE "django_session"' in query["sql"] for query in queries)

    for _ in range(5):
        clock.shift(10)
        assert session_writes() == 0
    clock.shift(settings.SESSION_RENEW_SECONDS)
    assert session_writes() == 1
    assert session_writes() == 0


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
