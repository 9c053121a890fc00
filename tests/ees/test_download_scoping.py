"""Every part of every open-data download (data file, metadata file, zip)
is scoped like the page that offers it: own scope 200, other scope 404 (403
for school staff on the dashboard, whose existence is no secret)."""

import pytest
from django.urls import reverse

from core.models import Role
from reports.models import ReportStatus
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with
from tests.reports.factories import report_run

pytestmark = pytest.mark.django_db

PARTS = {"csv": "csv", "meta": "meta", "zip": "zip"}


def _area_urls(area, indicator, run):
    urls = []
    for part in PARTS:
        urls.append(reverse(f"encounters:area-{part}", kwargs={"slug": area.slug}))
        urls.append(
            reverse(
                f"plans:indicator-{part}",
                kwargs={"slug": area.slug, "pk": indicator.lineage_id},
            )
        )
    kwargs = {"slug": area.slug, "pk": run.pk}
    stem = f"{run.file_stem}-spend"
    urls += [
        reverse("reports:zip", kwargs=kwargs),
        reverse("reports:data", kwargs={**kwargs, "data_set": stem}),
        reverse("reports:meta", kwargs={**kwargs, "data_set": stem}),
    ]
    return urls


@pytest.fixture
def scoped(area, other_area):
    built = {}
    for which, place in (("own", area), ("other", other_area)):
        plan = published_plan_with(place)
        built[which] = _area_urls(
            place, plan.indicators.first(), report_run(place, status=ReportStatus.SUCCEEDED)
        )
    return built


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_area_roles_download_their_own_area_only(client, users, scoped, role):
    client.force_login(users[role])
    for url in scoped["own"]:
        assert client.get(url).status_code == 200, url
    for url in scoped["other"]:
        assert client.get(url).status_code == 404, url


def test_school_staff_get_their_areas_measurements_and_no_aggregates(client, users, scoped):
    """School staff read their area's plan, so its indicators' measurements
    too, as on the indicator page; area aggregates and reports are not theirs."""
    client.force_login(users[Role.SCHOOL_STAFF])
    for url in scoped["own"]:
        expected = 200 if "/indicators/" in url else 404
        assert client.get(url).status_code == expected, url
        if "/indicators/" in url:
            page = url.rsplit("/", 1)[0] + "/"
            assert client.get(page).status_code == 200, page
    for url in scoped["other"]:
        assert client.get(url).status_code == 404, url
    for part in PARTS:
        assert client.get(reverse(f"dashboard:{part}")).status_code == 403


def test_dfe_staff_download_every_area(client, users, scoped):
    client.force_login(users[Role.DFE_STAFF])
    for url in scoped["own"] + scoped["other"]:
        assert client.get(url).status_code == 200, url


def test_school_coverage_downloads_are_for_the_schools_own_staff(
    client, users, school, other_school
):
    own = [reverse(f"encounters:coverage-{p}", kwargs={"urn": school.urn}) for p in PARTS]
    other = [reverse(f"encounters:coverage-{p}", kwargs={"urn": other_school.urn}) for p in PARTS]
    client.force_login(users[Role.SCHOOL_STAFF])
    for url in own:
        assert client.get(url).status_code == 200, url
    for url in other:
        assert client.get(url).status_code == 404, url
    client.force_login(UserFactory(role=Role.BOARD_MEMBER, area=school.area))
    for url in own:
        assert client.get(url).status_code == 404, url
