import re
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP

from areas.models import Area, School
from core.models import Role, User

pytestmark = pytest.mark.django_db


def _seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_has_15_to_40_open_schools_per_area_and_a_user_per_role():
    output = _seed()
    for area in Area.objects.all():
        assert 15 <= School.objects.open().filter(area=area).count() <= 40, area.name
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for user in User.objects.all():
        assert user.email in output


def _printed_second_factors(output):
    """{email: (authenticator key, [recovery codes])} as seed_demo prints them."""
    found = re.findall(
        r"^  (\S+@\S+)\n    authenticator key: ([A-Z2-7]+)\n    recovery codes: +(.+)$",
        output,
        flags=re.MULTILINE,
    )
    return {email: (key, codes.split()) for email, key, codes in found}


def _sign_in(client, email, password, code=None):
    response = client.post("/sign-in/", {"username": email, "password": password})
    assert response.status_code == 302, email
    if code is not None:
        assert response["Location"].startswith("/sign-in/code/"), email
        page = "/sign-in/code/" if code.isdigit() else "/sign-in/recovery-code/"
        response = client.post(page, {"code": code, "next": "/home/"})
        assert response["Location"] == "/home/", email
    assert client.get("/home/").status_code == 200, email
    client.post("/sign-out/")


def test_every_printed_account_can_sign_in(client, settings):
    output = _seed()
    second_factors = _printed_second_factors(output)
    assert f"Password for every demo account: {settings.DEMO_PASSWORD}" in output
    assert set(second_factors) == {
        u.email for u in User.objects.filter(role__in=[Role.DFE_STAFF, Role.ADMINISTRATOR])
    }
    for user in User.objects.all():
        if user.email not in second_factors:
            _sign_in(client, user.email, settings.DEMO_PASSWORD)
            continue
        key, recovery_codes = second_factors[user.email]
        _sign_in(client, user.email, settings.DEMO_PASSWORD, code=recovery_codes[0])
        code = f"{TOTP(b32decode(key)).token():06d}"  # as an app given the key shows
        _sign_in(client, user.email, settings.DEMO_PASSWORD, code=code)


def test_seeding_again_keeps_the_key_and_prints_new_recovery_codes():
    first = _printed_second_factors(_seed())
    second = _printed_second_factors(_seed())
    for email, (key, codes) in first.items():
        assert second[email][0] == key
        assert not set(second[email][1]) & set(codes)


def test_seed_is_deterministic_and_idempotent():
    _seed()
    first = list(School.objects.order_by("urn").values())
    _seed()
    second = list(School.objects.order_by("urn").values())
    assert [(s["urn"], s["name"], s["area_id"]) for s in first] == [
        (s["urn"], s["name"], s["area_id"]) for s in second
    ]
    assert User.objects.count() == 6
