"""Employer contribution: per employer and academic year, what the area
recorded (volunteers, hours, placements, schools reached) beside the
encounters counted from the schools' records; an area table with its CSV and
an employer page, scoped like the area's other aggregates."""

import csv
import datetime
import io

import pytest
import time_machine

from core.models import ChangeRecord, Role
from encounters import selectors
from encounters.academic_years import AcademicYear
from encounters.models import EmployerContribution
from partners.models import Organisation
from tests.encounters.factories import EmployerFactory, EncounterFactory
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

FIGURES = {
    "volunteers": "12",
    "volunteer_hours": "1,250",
    "placements_offered": "5",
    "placements_taken": "3",
    "schools_reached": "2",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def employers(area, other_area):
    return {
        "edf": EmployerFactory(name="EDF Energy", kind="cornerstone_employer"),
        "local": EmployerFactory(name="Blackpool Pleasure Beach", area=area),
        "elsewhere": EmployerFactory(name="Hastings Pier Trust", area=other_area),
    }


@pytest.fixture
def delivered(school, other_school, employers):
    """EDF: two encounters at the area's schools in 2017/18, one in 2016/17,
    one at another area's school. The local employer: one in 2017/18."""
    second = SchoolFactory(area=school.area, name="Second Academy")
    for where, day, employer in (
        (school, datetime.date(2017, 10, 2), "edf"),
        (second, datetime.date(2018, 2, 5), "edf"),
        (school, datetime.date(2017, 3, 1), "edf"),
        (other_school, datetime.date(2017, 11, 1), "edf"),
        (school, datetime.date(2018, 1, 9), "local"),
    ):
        EncounterFactory(school=where, date=day).employers.add(employers[employer])


def record(client, area, employer, year=2017, **overrides):
    return client.post(
        f"/areas/{area.slug}/employers/record/",
        {"organisation": employer.pk, "academic_year": year, **FIGURES, **overrides},
    )


def test_the_area_lead_records_and_corrects_a_contribution_with_history(
    client, users, area, employers
):
    client.force_login(users[Role.AREA_LEAD])
    response = record(client, area, employers["edf"])
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/employers/{employers['edf'].pk}/"
    row = EmployerContribution.objects.get()
    assert (row.volunteers, row.volunteer_hours, row.placements_taken) == (12, 1250, 3)
    assert record(client, area, employers["edf"], volunteers="14").status_code == 302
    row = EmployerContribution.objects.get()
    assert row.volunteers == 14
    history = ChangeRecord.objects.filter(object_id=row.pk).order_by("pk")
    assert [h.action for h in history] == ["created", "updated"]
    assert history[1].changes["volunteers"] == {"before": 12, "after": 14}
    page = client.get(f"/areas/{area.slug}/employers/record/?employer={employers['edf'].pk}")
    assert 'value="14"' in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"placements_taken": "6"}, "Placements taken must not be more than placements offered"),
        ({"volunteers": "-1"}, "Volunteers must be 0 or more"),
        ({"volunteer_hours": "many"}, "Volunteer hours"),
        ({"academic_year": "1999"}, "Select an academic year from the list"),
    ],
)
def test_bad_figures_get_a_specific_error(client, users, area, employers, overrides, message):
    client.force_login(users[Role.AREA_LEAD])
    response = record(client, area, employers["edf"], **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert not EmployerContribution.objects.exists()


def test_another_areas_own_employer_cannot_be_recorded_here(client, users, area, employers):
    client.force_login(users[Role.AREA_LEAD])
    response = record(client, area, employers["elsewhere"])
    assert response.status_code == 200
    assert "Select an employer from the list" in response.content.decode()
    assert not EmployerContribution.objects.exists()


def test_the_table_counts_encounters_from_the_records_and_sums_by_hand(
    client, users, area, employers, delivered
):
    client.force_login(users[Role.AREA_LEAD])
    record(client, area, employers["edf"])
    client.force_login(users[Role.BOARD_MEMBER])
    body = client.get(f"/areas/{area.slug}/employers/employers.csv?year=2017").content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    by_name = {row["employer"]: row for row in rows}
    assert set(by_name) == {"EDF Energy", "Blackpool Pleasure Beach"}
    edf = by_name["EDF Energy"]
    # Two of EDF's four encounters are this area's in 2017/18.
    assert (edf["volunteers"], edf["volunteer_hours"], edf["encounters_delivered"]) == (
        "12",
        "1250",
        "2",
    )
    assert edf["cornerstone_employer"] == "Yes"
    local = by_name["Blackpool Pleasure Beach"]
    assert (local["volunteers"], local["encounters_delivered"]) == ("0", "1")
    html = client.get(f"/areas/{area.slug}/employers/?year=2017").content.decode()
    assert "No contribution recorded" in html
    assert "1,250" in html
    rows = selectors.employer_contributions(
        user=users[Role.BOARD_MEMBER], area=area, year=AcademicYear(2017)
    )
    # By hand: volunteers 12 + 0, hours 1,250 + 0, offered 5, taken 3,
    # schools 2, encounters 2 (EDF) + 1 (local).
    assert selectors.employer_contribution_total(rows) == [12, 1250, 5, 3, 2, 3]
    earlier = client.get(f"/areas/{area.slug}/employers/employers.csv?year=2016").content
    earlier_rows = list(csv.DictReader(io.StringIO(earlier.decode("utf-8-sig"))))
    assert [(r["employer"], r["encounters_delivered"]) for r in earlier_rows] == [
        ("EDF Energy", "1")
    ]


def test_the_employer_page_lists_each_year(client, users, area, employers, delivered):
    client.force_login(users[Role.AREA_LEAD])
    record(client, area, employers["edf"])
    html = client.get(f"/areas/{area.slug}/employers/{employers['edf'].pk}/").content.decode()
    assert html.index("2017/18") < html.index("2016/17")
    assert 'Change<span class="govuk-visually-hidden"> 2017/18' in html


def test_csv_escapes_formulas(client, users, area):
    EmployerFactory(name="=HYPERLINK(evil)", area=area)
    client.force_login(users[Role.AREA_LEAD])
    record(client, area, Organisation.objects.get(name="=HYPERLINK(evil)"))
    body = client.get(f"/areas/{area.slug}/employers/employers.csv?year=2017").content.decode()
    assert ",'=HYPERLINK(evil)," in body


def area_paths(area, employer):
    base = f"/areas/{area.slug}/employers"
    return [f"{base}/", f"{base}/?year=2016", f"{base}/employers.csv", f"{base}/{employer.pk}/"]


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR]
)
def test_area_roles_see_the_area_employer_pages(client, users, area, employers, role):
    client.force_login(users[role])
    for path in area_paths(area, employers["edf"]):
        assert client.get(path).status_code == 200, path


def test_school_staff_and_other_areas_get_404(client, users, area, other_area, employers):
    client.force_login(users[Role.SCHOOL_STAFF])
    for path in [*area_paths(area, employers["edf"]), f"/areas/{area.slug}/employers/record/"]:
        assert client.get(path).status_code == 404, path
    for role in (Role.BOARD_MEMBER, Role.AREA_LEAD):
        client.force_login(UserFactory(role=role, area=other_area))
        for path in [
            *area_paths(area, employers["edf"]),
            f"/areas/{area.slug}/employers/record/",
        ]:
            assert client.get(path).status_code == 404, path
        assert record(client, area, employers["edf"]).status_code == 404
    assert not EmployerContribution.objects.exists()


def test_another_areas_employer_is_404_under_this_area(client, users, area, employers):
    client.force_login(users[Role.AREA_LEAD])
    path = f"/areas/{area.slug}/employers/{employers['elsewhere'].pk}/"
    assert client.get(path).status_code == 404


def test_other_areas_figures_do_not_show_here(client, users, area, other_area, employers):
    EmployerContribution.objects.create(
        organisation=employers["edf"], area=other_area, academic_year=2017, volunteers=99
    )
    client.force_login(users[Role.AREA_LEAD])
    body = client.get(f"/areas/{area.slug}/employers/employers.csv?year=2017").content.decode()
    assert "99" not in body
    assert "EDF Energy" not in body


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DFE_STAFF])
def test_only_the_lead_and_administrators_record(client, users, area, employers, role):
    client.force_login(users[role])
    assert client.get(f"/areas/{area.slug}/employers/record/").status_code == 403
    assert record(client, area, employers["edf"]).status_code == 403
    assert "Record an employer" not in client.get(f"/areas/{area.slug}/employers/").content.decode()
    assert not EmployerContribution.objects.exists()


def test_administrators_record_too(client, users, area, employers):
    client.force_login(users[Role.ADMINISTRATOR])
    assert record(client, area, employers["edf"]).status_code == 302
