"""Every upload page documents its columns from the import's declaration and
offers a template file, inside the page's own scope; a checked file is
confirmed once however often the button is pressed (issue 11, ADR 0014)."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Role, UploadPreview
from encounters.attendance_files import ATTENDANCE_TEMPLATE
from encounters.roster_files import ROSTER_IMPORT
from plans.imports import ACTION_IMPORT, MEASUREMENT_IMPORT
from plans.models import Measurement
from plans.services import plan_draft_start
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db
IMPORTED_ON = datetime.date(2019, 8, 31)


@pytest.fixture
def plan(area, users):
    plan = published_plan_with(area, priorities=2, indicators_per_priority=1)
    plan_draft_start(area=area, user=users[Role.AREA_LEAD])
    return plan


def pages(area, school):
    """(upload page, template file, spec, role that uploads) for each page."""
    return [
        (
            f"/schools/{school.urn}/pupils/import/",
            f"/schools/{school.urn}/pupils/import/template.csv",
            ROSTER_IMPORT,
            Role.SCHOOL_STAFF,
        ),
        (
            f"/schools/{school.urn}/encounters/upload/",
            f"/schools/{school.urn}/encounters/upload/template.csv",
            ATTENDANCE_TEMPLATE,
            Role.SCHOOL_STAFF,
        ),
        (
            f"/areas/{area.slug}/plan/import/measurements/",
            f"/areas/{area.slug}/plan/import/measurements/template.csv",
            MEASUREMENT_IMPORT,
            Role.AREA_LEAD,
        ),
        (
            f"/areas/{area.slug}/plan/import/actions/",
            f"/areas/{area.slug}/plan/import/actions/template.csv",
            ACTION_IMPORT,
            Role.AREA_LEAD,
        ),
    ]


@pytest.mark.parametrize("index", range(4))
def test_the_upload_page_lists_every_column_and_links_the_template(
    client, area, school, users, plan, index
):
    page_url, template_url, spec, role = pages(area, school)[index]
    client.force_login(users[role])

    page = client.get(page_url).content.decode()

    assert f'href="{template_url}"' in page
    for column in spec.columns:
        assert f'<dt class="govuk-summary-list__key">{column.header}' in page


@pytest.mark.parametrize("index", range(4))
def test_the_template_file_is_the_declared_header_and_an_example_the_import_accepts(
    client, area, school, users, plan, index
):
    _, template_url, spec, role = pages(area, school)[index]
    client.force_login(users[role])

    response = client.get(template_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, example = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == [column.header for column in spec.columns]
    assert example == [column.example for column in spec.columns]


@pytest.mark.parametrize("index", range(4))
def test_the_template_file_is_refused_outside_the_users_scope(
    client, area, school, other_area, other_school, plan, index
):
    _, template_url, _, role = pages(area, school)[index]
    outsider = (
        UserFactory(role=role, schools=[other_school])
        if role == Role.SCHOOL_STAFF
        else UserFactory(role=role, area=other_area)
    )
    client.force_login(outsider)

    assert client.get(template_url).status_code == 404


def test_confirming_a_checked_file_twice_imports_it_once(client, area, users, plan):
    indicator = plan.indicators.first()
    client.force_login(users[Role.AREA_LEAD])
    data = f'indicator,date,value\r\n"{indicator.name}",31/08/2019,61.5\r\n'.encode()
    client.post(
        f"/areas/{area.slug}/plan/import/measurements/",
        {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")},
    )
    check = f"/areas/{area.slug}/plan/import/measurements/check/"
    digest = client.get(check).context["digest"]

    first = client.post(check, {"digest": digest})
    second = client.post(check, {"digest": digest})

    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == f"/areas/{area.slug}/plan/import/measurements/"
    assert Measurement.objects.filter(lineage=indicator.lineage, date=IMPORTED_ON).count() == 1
    assert UploadPreview.objects.get().status == "applied"


def test_another_users_checked_file_is_not_found(client, area, users, plan):
    lead = users[Role.AREA_LEAD]
    client.force_login(lead)
    indicator = plan.indicators.first()
    data = f'indicator,date,value\r\n"{indicator.name}",31/08/2019,61.5\r\n'.encode()
    client.post(
        f"/areas/{area.slug}/plan/import/measurements/",
        {"file": SimpleUploadedFile("m.csv", data, content_type="text/csv")},
    )
    digest = UploadPreview.objects.get().digest
    colleague = UserFactory(role=Role.AREA_LEAD, area=area)
    client.force_login(colleague)

    check = f"/areas/{area.slug}/plan/import/measurements/check/"
    assert client.get(check).status_code == 302
    assert client.post(check, {"digest": digest}).status_code == 302
    assert not Measurement.objects.filter(lineage=indicator.lineage, date=IMPORTED_ON).exists()
