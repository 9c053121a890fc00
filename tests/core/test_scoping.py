"""Each role sees its own scope and gets 404 outside it, on every page."""

import pytest

from areas.models import Area, School
from core.models import Role
from core.scoping import ScopeRule, visible_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_AREAS = {Role.DFE_STAFF, Role.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(Role))
def test_school_visibility(role, users, school, other_school):
    visible = set(visible_to(School.objects.all(), users[role]))
    assert school in visible
    assert (other_school in visible) == (role in ALL_AREAS)


@pytest.mark.parametrize("role", list(Role))
def test_area_visibility(role, users, area, other_area):
    visible = set(visible_to(Area.objects.all(), users[role]))
    assert area in visible
    assert (other_area in visible) == (role in ALL_AREAS)


def test_school_staff_see_only_their_schools_in_their_area(users, area, school):
    from tests.factories import SchoolFactory

    neighbour = SchoolFactory(area=area)
    visible = set(visible_to(School.objects.all(), users[Role.SCHOOL_STAFF]))
    assert visible == {school}
    assert neighbour not in visible


def test_anonymous_and_inactive_users_see_nothing(users, school):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_to(School.objects.all(), AnonymousUser()).exists()
    dfe = users[Role.DFE_STAFF]
    dfe.is_active = False
    assert not visible_to(School.objects.all(), dfe).exists()


def test_pupil_level_rows_are_for_the_schools_own_staff_only(
    users, school, other_school, monkeypatch
):
    """A pupil-level rule hides rows from every area role and DfE."""
    monkeypatch.setattr(School, "scope_rule", ScopeRule(area="area", school="pk", pupil_level=True))
    for role in (Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF):
        assert not visible_to(School.objects.all(), users[role]).exists()
    assert set(visible_to(School.objects.all(), users[Role.SCHOOL_STAFF])) == {school}
    assert set(visible_to(School.objects.all(), users[Role.ADMINISTRATOR])) == {
        school,
        other_school,
    }


def test_school_in_no_area_is_hidden_from_area_roles(users):
    from tests.factories import SchoolFactory

    orphan = SchoolFactory(area=None)
    assert orphan not in visible_to(School.objects.all(), users[Role.BOARD_MEMBER])
    assert orphan not in visible_to(School.objects.all(), users[Role.AREA_LEAD])


def _pages(area, school):
    return {
        "area": f"/areas/{area.slug}/",
        "school": f"/schools/{school.urn}/",
    }


@pytest.mark.parametrize("role", list(Role))
def test_pages_in_own_scope_answer(client, role, users, area, school):
    client.force_login(users[role])
    for path in _pages(area, school).values():
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_pages_outside_scope_are_not_found(client, role, users, other_area, other_school):
    client.force_login(users[role])
    for path in _pages(other_area, other_school).values():
        response = client.get(path)
        assert response.status_code == 404, path
        assert other_school.name.encode() not in response.content
        assert other_area.name.encode() not in response.content


@pytest.mark.parametrize("role", list(Role))
def test_lists_and_counts_leak_nothing_outside_scope(client, role, users, other_area, other_school):
    client.force_login(users[role])
    pages = {path: client.get(path) for path in ("/home/", "/areas/", "/schools/")}
    assert all(response.status_code == 200 for response in pages.values())
    school_listed = other_school.name.encode() in pages["/schools/"].content
    area_listed = other_area.name.encode() in pages["/areas/"].content
    assert school_listed == (role in ALL_AREAS)
    assert area_listed == (role in ALL_AREAS)
    if role not in ALL_AREAS:
        for path, response in pages.items():
            assert other_school.name.encode() not in response.content, path
            assert other_area.name.encode() not in response.content, path


def test_neighbouring_school_is_not_found_for_school_staff(client, users, area):
    from tests.factories import SchoolFactory

    neighbour = SchoolFactory(area=area)
    client.force_login(users[Role.SCHOOL_STAFF])
    assert client.get(f"/schools/{neighbour.urn}/").status_code == 404


def test_dfe_staff_cannot_post(client, users, area):
    client.force_login(users[Role.DFE_STAFF])
    assert client.post(f"/areas/{area.slug}/").status_code == 403


def test_user_model_refuses_scope_that_does_not_fit_the_role(area):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    with pytest.raises(ValidationError):
        UserFactory.build(role=Role.BOARD_MEMBER, area=None).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.DFE_STAFF, area=area)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.BOARD_MEMBER, area=None)
