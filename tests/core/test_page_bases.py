"""The page bases every app builds on (core.views): an area's pages, a
school's pages and the dashboard's, each for every role, own scope and other
scope. Views are built here from the bases alone, so what is tested is the
base, not an app's page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from core.models import Role
from core.roles import AREA_AGGREGATE_ROLES, DASHBOARD_ROLES, PUPIL_LEVEL_ROLES
from core.views import AreaPageMixin, DashboardPageMixin, SchoolPageMixin

pytestmark = pytest.mark.django_db


class AreaPage(AreaPageMixin, View):
    def get(self, request, **kwargs):
        return HttpResponse(self.area.slug)

    post = get


class AggregatesPage(AreaPage):
    area_roles = AREA_AGGREGATE_ROLES


class LeadOnlyWrites(AreaPage):
    def write_allowed(self, user, area):
        return self.request.method == "GET" or user.role == Role.AREA_LEAD


class SchoolPage(SchoolPageMixin, View):
    school_roles = PUPIL_LEVEL_ROLES

    def get(self, request, **kwargs):
        return HttpResponse(self.school.name)


class DashboardPage(DashboardPageMixin, View):
    def get(self, request, **kwargs):
        return HttpResponse("dashboard")


def _call(view, user, method="get", **kwargs):
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    return view.as_view()(request, **kwargs)


def _outcome(view, user, method="get", **kwargs):
    try:
        return _call(view, user, method, **kwargs).content.decode()
    except Http404:
        return 404
    except PermissionDenied:
        return 403


# Whose scope includes the area `area` (Blackpool): everyone but school staff
# of a school elsewhere; the `users` fixture's school staff work in Blackpool.
@pytest.mark.parametrize("role", list(Role))
def test_an_area_page_shows_its_own_area_and_404s_another(users, area, other_area, role):
    user = users[role]
    assert _outcome(AreaPage, user, slug=area.slug) == area.slug
    sees_every_area = role in (Role.DFE_STAFF, Role.ADMINISTRATOR)
    expected = other_area.slug if sees_every_area else 404
    assert _outcome(AreaPage, user, slug=other_area.slug) == expected


@pytest.mark.parametrize("role", list(Role))
def test_area_roles_404_the_roles_the_page_is_not_for(users, area, role):
    expected = area.slug if role in AREA_AGGREGATE_ROLES else 404
    assert _outcome(AggregatesPage, users[role], slug=area.slug) == expected


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.ADMINISTRATOR])
def test_write_allowed_is_asked_for_every_method(users, area, role):
    assert _outcome(LeadOnlyWrites, users[role], slug=area.slug) == area.slug
    expected = area.slug if role == Role.AREA_LEAD else 403
    assert _outcome(LeadOnlyWrites, users[role], "post", slug=area.slug) == expected


def test_read_only_roles_cannot_post_to_an_area_page(users, area):
    assert _outcome(AreaPage, users[Role.DFE_STAFF], "post", slug=area.slug) == 403


def test_an_unknown_area_is_404(users):
    assert _outcome(AreaPage, users[Role.ADMINISTRATOR], slug="atlantis") == 404


@pytest.mark.parametrize("role", list(Role))
def test_a_school_page_is_for_its_own_staff_and_administrators(users, school, other_school, role):
    user = users[role]
    own = school.name if role in PUPIL_LEVEL_ROLES else 404
    other = other_school.name if role == Role.ADMINISTRATOR else 404
    assert _outcome(SchoolPage, user, urn=school.urn) == own
    assert _outcome(SchoolPage, user, urn=other_school.urn) == other


@pytest.mark.parametrize("role", list(Role))
def test_the_dashboard_is_refused_to_school_staff_with_a_reason(users, role):
    if role in DASHBOARD_ROLES:
        assert _outcome(DashboardPage, users[role]) == "dashboard"
    else:
        with pytest.raises(PermissionDenied, match="your school's pages"):
            _call(DashboardPage, users[role])
