from io import StringIO

import pytest
from django.core.management import call_command

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


def test_every_printed_account_can_sign_in(client, settings):
    output = _seed()
    emails = [u.email for u in User.objects.all()]
    assert f"Password for every demo account: {settings.DEMO_PASSWORD}" in output
    for email in emails:
        response = client.post("/sign-in/", {"username": email, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/home/").status_code == 200
        client.post("/sign-out/")


def test_seed_is_deterministic_and_idempotent():
    _seed()
    first = list(School.objects.order_by("urn").values())
    _seed()
    second = list(School.objects.order_by("urn").values())
    assert [(s["urn"], s["name"], s["area_id"]) for s in first] == [
        (s["urn"], s["name"], s["area_id"]) for s in second
    ]
    assert User.objects.count() == 6
