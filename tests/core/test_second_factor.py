"""The second factor (ADR 0012): an authenticator app and single-use recovery
codes, required for DfE staff and administrators and offered to everyone,
reset by an administrator with a record in the change history.

These tests sign in through the pages (password, then code), never with
force_login, which signs in with both factors (tests/conftest.py)."""

import logging
import re
from base64 import b32decode

import pytest
from django.contrib.contenttypes.models import ContentType
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import ChangeRecord, Role, User
from core.services import recovery_codes_replace
from tests.factories import TEST_PASSWORD, AuthenticatorFactory, UserFactory, authenticator_code

pytestmark = pytest.mark.django_db

CODE_PAGE = "/sign-in/code/"
SET_UP_PAGE = "/account/second-factor/set-up/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _password(client, user, next_path=None):
    data = {"username": user.email, "password": TEST_PASSWORD}
    url = "/sign-in/" if next_path is None else f"/sign-in/?next={next_path}"
    return client.post(url, data)


def _code(client, code, next_path="/home/"):
    return client.post(CODE_PAGE, {"code": code, "next": next_path})


def _recovery(client, code):
    return client.post("/sign-in/recovery-code/", {"code": code, "next": "/home/"})


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_the_password_leads_to_the_code_page_then_home(client, role):
    user = UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR)
    device = AuthenticatorFactory(user=user)
    response = _password(client, user)
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fhome%2F"
    page = client.get(response["Location"])
    assert "Enter the code from your app" in page.content.decode()
    assert client.get("/home/")["Location"].startswith(CODE_PAGE)

    response = _code(client, authenticator_code(device))
    assert response["Location"] == "/home/"
    assert client.get("/home/").status_code == 200


def test_next_is_kept_through_the_code_page(client, area):
    user = UserFactory(role=Role.DFE_STAFF)
    device = AuthenticatorFactory(user=user)
    response = _password(client, user, next_path="/areas/blackpool/")
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fareas%2Fblackpool%2F"
    response = _code(client, authenticator_code(device), next_path="/areas/blackpool/")
    assert response["Location"] == "/areas/blackpool/"


def test_next_cannot_lead_off_the_site(client):
    user = UserFactory(role=Role.DFE_STAFF)
    device = AuthenticatorFactory(user=user)
    _password(client, user)
    response = _code(client, authenticator_code(device), next_path="https://evil.example/")
    assert response["Location"] == "/home/"


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client):
    user = UserFactory(role=Role.DFE_STAFF)
    device = AuthenticatorFactory(user=user)
    _password(client, user)
    response = _code(client, "000000" if authenticator_code(device) != "000000" else "111111")
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The code is not correct" in html
    response = _code(client, authenticator_code(device))
    assert (
        "There have been too many wrong codes. Wait 1 second and try again"
        in response.content.decode()
    )
    assert client.get("/home/").status_code == 302


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter the code from your authenticator app"), ("12ab56", "The code must be 6 numbers")],
)
def test_a_badly_typed_code_gets_a_specific_error(client, typed, message):
    user = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=user)
    _password(client, user)
    html = _code(client, typed).content.decode()
    assert message in html
    assert 'href="#id_code"' in html


def test_a_code_works_once(client):
    user = UserFactory(role=Role.DFE_STAFF)
    device = AuthenticatorFactory(user=user)
    code = authenticator_code(device)
    _password(client, user)
    assert _code(client, code)["Location"] == "/home/"
    client.post("/sign-out/")
    _password(client, user)
    assert "The code is not correct" in _code(client, code).content.decode()


def test_recovery_codes_work_once(client):
    user = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=user)
    codes = recovery_codes_replace(user=user)
    _password(client, user)
    response = _recovery(client, codes[0].upper().replace("-", " "))
    assert response["Location"] == "/home/"
    assert client.get("/home/").status_code == 200
    client.post("/sign-out/")

    _password(client, user)
    response = _recovery(client, codes[0])
    assert "The recovery code is not correct, or it has been used already." in (
        response.content.decode()
    )
    assert client.get("/home/").status_code == 302


def test_recovery_codes_are_stored_as_hashes_only(db):
    user = UserFactory(role=Role.DFE_STAFF)
    codes = recovery_codes_replace(user=user)
    assert len(codes) == 10
    assert all(re.fullmatch(r"([a-z2-7]{4}-){3}[a-z2-7]{4}", code) for code in codes)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    normalised = {code.replace("-", "") for code in codes}
    assert not stored & (normalised | set(codes))


def test_running_low_on_recovery_codes_says_how_many_are_left(client, settings):
    settings.RECOVERY_CODE_COUNT = 2
    user = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=user)
    codes = recovery_codes_replace(user=user)
    _password(client, user)
    _recovery(client, codes[0])
    assert "You have 1 recovery code left." in client.get("/home/").content.decode()


def test_a_dfe_user_without_an_app_is_sent_to_set_one_up(client):
    user = UserFactory(role=Role.DFE_STAFF)
    _password(client, user)
    response = client.get(f"{CODE_PAGE}?next=/home/")
    assert response["Location"] == f"{SET_UP_PAGE}?next=%2Fhome%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Set up an authenticator app" in page
    assert 'src="data:image/svg+xml' in page
    assert "<script" not in page.split("</main>")[0].split("<main")[1]

    key = re.search(r'<code id="authenticator-key">([A-Z2-7 ]+)</code>', page).group(1)
    totp = TOTP(b32decode(key.replace(" ", "")))
    response = client.post(SET_UP_PAGE, {"code": f"{totp.token():06d}", "next": "/home/"})
    html = response.content.decode()
    assert "Save your recovery codes" in html
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", html)
    assert len(codes) == 10
    assert client.get("/home/").status_code == 200

    # Shown once: nothing else shows them again.
    overview = client.get("/account/second-factor/").content.decode()
    assert "10 left" in overview
    assert not any(code in overview for code in codes)


def test_the_key_stays_the_same_until_the_app_is_confirmed(client):
    user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True)
    _password(client, user)
    first = client.get(SET_UP_PAGE).content.decode()
    second = client.get(SET_UP_PAGE).content.decode()
    key = re.compile(r'<code id="authenticator-key">([A-Z2-7 ]+)</code>')
    assert key.search(first).group(1) == key.search(second).group(1)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_wrong_code_at_set_up_confirms_nothing(client):
    user = UserFactory(role=Role.DFE_STAFF)
    _password(client, user)
    client.get(SET_UP_PAGE)
    html = client.post(SET_UP_PAGE, {"code": "123456"}).content.decode()
    assert "The code is not correct" in html
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/home/").status_code == 302


def test_a_password_alone_cannot_replace_an_app_that_is_set_up(client):
    user = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=user)
    _password(client, user)
    response = client.get(SET_UP_PAGE)
    assert response["Location"].startswith(CODE_PAGE)
    response = client.post(SET_UP_PAGE, {"code": "123456"})
    assert response["Location"].startswith(CODE_PAGE)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    response = client.post("/account/second-factor/recovery-codes/")
    assert response["Location"].startswith(CODE_PAGE)


def test_everyone_else_may_sign_in_with_a_password_alone(client, school):
    user = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    assert _password(client, user)["Location"] == "/home/"
    assert "Add a second factor" in client.get("/home/").content.decode()


def test_everyone_else_may_choose_a_second_factor_and_then_needs_it(client, school):
    user = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    _password(client, user)
    assert "Set up an authenticator app" in client.get("/account/second-factor/").content.decode()
    client.get(SET_UP_PAGE)
    device = TOTPDevice.objects.get(user=user)
    client.post(SET_UP_PAGE, {"code": authenticator_code(device)})
    client.post("/sign-out/")

    response = _password(client, user)
    assert response["Location"].startswith(CODE_PAGE)
    assert client.get("/schools/")["Location"].startswith(CODE_PAGE)
    assert _code(client, authenticator_code(device))["Location"] == "/home/"
    assert client.get("/schools/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client):
    user = UserFactory(role=Role.DFE_STAFF)
    client.force_login(user)
    old = recovery_codes_replace(user=user)
    response = client.post("/account/second-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert not set(old) & set(new)
    client.post("/sign-out/")
    _password(client, user)
    assert _recovery(client, new[0])["Location"] == "/home/"
    client.post("/sign-out/")
    _password(client, user)
    assert "not correct" in _recovery(client, old[0]).content.decode()


def test_the_api_refuses_a_session_that_has_only_had_a_password(client):
    user = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=user)
    _password(client, user)
    response = client.get("/api/v1/areas/")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


def test_an_api_token_is_its_own_factor(client):
    from core.tokens import api_token_create

    user = UserFactory(role=Role.DFE_STAFF)
    _, raw = api_token_create(user=user, name="Warehouse")
    response = client.get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_the_admin_sign_in_form_is_the_services_sign_in(client):
    response = client.get("/admin/login/?next=/admin/core/user/")
    assert response["Location"] == "/sign-in/?next=/admin/core/user/"


def test_a_signed_in_user_who_is_not_an_administrator_is_refused_the_admin(client, area):
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=area))
    assert client.get("/admin/login/").status_code == 403


def test_code_pages_log_no_code(client, caplog, capsys):
    user = UserFactory(role=Role.DFE_STAFF)
    device = AuthenticatorFactory(user=user)
    codes = recovery_codes_replace(user=user)
    with caplog.at_level(logging.DEBUG):
        _password(client, user)
        _recovery(client, codes[0])
        client.post("/sign-out/")
        _password(client, user)
        code = authenticator_code(device)
        _code(client, code)
    logged = "\n".join(r.getMessage() for r in caplog.records) + capsys.readouterr().err
    assert f"Second factor accepted for account #{user.pk}" in logged
    for secret in (code, codes[0], TEST_PASSWORD):
        assert secret not in logged


# --- An administrator resets a user's second factor -------------------------------


def test_an_administrator_resets_a_second_factor_and_it_is_recorded(client):
    admin_user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    dfe = UserFactory(role=Role.DFE_STAFF)
    AuthenticatorFactory(user=dfe)
    recovery_codes_replace(user=dfe)

    dfe_client = type(client)()
    dfe_client.force_login(dfe)
    assert dfe_client.get("/home/").status_code == 200

    client.force_login(admin_user)
    response = client.post(
        "/admin/core/user/",
        {"action": "reset_second_factor", "_selected_action": [dfe.pk]},
        follow=True,
    )
    assert "Second factor reset for 1 user(s)" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=dfe).exists()

    record = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_id=dfe.pk
    )
    assert record.changed_by == admin_user
    assert record.changes == {
        "second factor": {"before": "authenticator app and 10 recovery codes", "after": "reset"}
    }
    # The session verified with the old app no longer counts.
    assert dfe_client.get("/home/")["Location"].startswith(CODE_PAGE)
    assert dfe_client.get(f"{CODE_PAGE}?next=/home/")["Location"].startswith(SET_UP_PAGE)


def test_the_admin_shows_who_has_a_second_factor_and_no_device_pages(client):
    from django.contrib import admin

    admin_user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    html = client.get("/admin/core/user/").content.decode()
    assert "Second factor" in html
    assert TOTPDevice not in admin.site._registry
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
