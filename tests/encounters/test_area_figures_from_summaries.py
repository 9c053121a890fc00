"""The area's encounters page, its CSV and its API read coverage and the
breakdown by type, programme and employer from the summary tables: each
surface equals the same surface fed figures computed from scratch over the
raw rows (tests/encounters/raw_figures.py), and reads the same number of
queries however many pupils and attendance rows the area has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from dashboard import coverage as summary_coverage
from dashboard.services import summaries_rebuild
from encounters import publication
from encounters.academic_years import AcademicYear
from encounters.models import EncounterType, Programme
from partners.models import OrganisationKind
from tests.encounters import raw_figures
from tests.encounters.factories import EmployerFactory, EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _day(year, offset):
    return min(year.start + datetime.timedelta(days=offset), datetime.date.today())


def _populate(area, *, schools, pupils, seed=0):
    """Schools with year groups 7 to 11, a third of pupils disadvantaged,
    encounters this year and last of several types, programmes and
    employers (one cornerstone), attended by a varying share of each
    cohort; one pupil moved in from another school with encounters there."""
    year = AcademicYear.current()
    last = AcademicYear(year.start_year - 1)
    types = list(EncounterType.objects.order_by("order", "name"))
    programmes = list(Programme.values)
    cornerstone = EmployerFactory(kind=OrganisationKind.CORNERSTONE_EMPLOYER)
    employers = [cornerstone, EmployerFactory(), EmployerFactory()]
    made = []
    for s in range(schools):
        school = SchoolFactory(area=area, name=f"School {seed}-{s}")
        made.append(school)
        for year_group in range(7, 12):
            cohort = [
                PupilFactory(school=school, year_group=year_group, disadvantaged=n % 3 == 0)
                for n in range(pupils + s + year_group % 3)
            ]
            for k in range(5):
                for when in (year, last):
                    encounter = EncounterFactory(
                        school=school,
                        date=_day(when, 10 + k),
                        encounter_type=types[(k + s) % len(types)],
                        delivered_through=programmes[(k + year_group) % len(programmes)],
                    )
                    encounter.employers.set(employers[: (k + s) % 4])
                    attend(encounter, cohort[: max(1, len(cohort) - k - year_group % 4)])
    # A pupil who moved: their encounters at the old school count "since Year 7".
    old = SchoolFactory(area=area, name=f"Old school {seed}")
    mover = PupilFactory(
        school=old, year_group=10, on_roll_until=_day(year, 0) - datetime.timedelta(days=200)
    )
    for k in range(4):
        attend(
            EncounterFactory(school=old, date=_day(AcademicYear(year.start_year - 2), k)), [mover]
        )
    PupilFactory(school=made[0], year_group=10, upn_hash=mover.upn_hash, disadvantaged=True)
    # An encounter no pupil attended counts nowhere.
    EncounterFactory(school=made[0], date=_day(year, 3))
    summaries_rebuild()
    return made


@pytest.fixture
def populated(area, school, other_area):
    _populate(area, schools=2, pupils=6)
    _populate(other_area, schools=1, pupils=6, seed=9)


def _from_raw(monkeypatch):
    monkeypatch.setattr(publication, "area_school_coverage", raw_figures.raw_area_school_coverage)
    monkeypatch.setattr(
        publication, "area_encounter_breakdown", raw_figures.raw_area_encounter_breakdown
    )


def test_summaries_hold_the_figures_counted_from_raw_rows(users, area, populated):
    year = AcademicYear.current()
    for user in (users[Role.DFE_STAFF], users[Role.BOARD_MEMBER]):
        coverage = summary_coverage.area_school_coverage(user=user, area=area, year=year)
        assert coverage == raw_figures.raw_area_school_coverage(user=user, area=area, year=year)
        # The two schools with pupils on roll, and the open schools without
        # (a series lists them: ADR 0011).
        assert len([school for school in coverage if school["rows"]]) == 2
        assert "Old school 0" in {
            school["school"].name for school in coverage if not school["rows"]
        }
        breakdown = summary_coverage.area_encounter_breakdown(user=user, area=area, year=year)
        raw = raw_figures.raw_area_encounter_breakdown(user=user, area=area, year=year)
        assert breakdown == raw
        assert len(raw["by_type"]) > 1
        assert len(raw["by_employer"]) == 3


def test_an_earlier_year_than_the_summaries_keep_is_counted_from_the_rows(users, area, populated):
    year = AcademicYear(AcademicYear.current().start_year - 6)
    user = users[Role.DFE_STAFF]
    PupilFactory(school=area.schools.first(), year_group=9, on_roll_from=datetime.date(2015, 9, 1))
    coverage = summary_coverage.area_school_coverage(user=user, area=area, year=year)
    assert coverage == raw_figures.raw_area_school_coverage(user=user, area=area, year=year)


SURFACES = {
    "page": lambda area: f"/areas/{area.slug}/encounters/",
    "csv": lambda area: f"/areas/{area.slug}/encounters/coverage.csv",
    "api": lambda area: f"/api/v1/coverage/areas/{area.slug}/",
}


def _surface(client, name, area):
    response = client.get(SURFACES[name](area))
    assert response.status_code == 200
    if name == "page":
        return response.context["coverage"], response.context["breakdown"]
    if name == "api":
        return response.json()
    return response.content


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DFE_STAFF])
def test_each_surface_shows_the_figures_counted_from_raw_rows(
    client, users, area, populated, monkeypatch, surface, role
):
    client.force_login(users[role])
    from_summaries = _surface(client, surface, area)
    calls = dict(raw_figures.CALLS)
    _from_raw(monkeypatch)
    from_rows = _surface(client, surface, area)
    assert raw_figures.CALLS["coverage"] > calls["coverage"]
    assert from_summaries == from_rows
    if surface == "page":
        coverage, breakdown = from_summaries
        shown = [
            cell.count.value
            for row in coverage["by_measure"]["with_four"]["rows"]
            for cell in row["cells"]
            if cell.count.value
        ]
        assert shown, "some counts are shown, not all suppressed"
        assert breakdown["by_type"]["total"].value


def _query_counts(client, area):
    counts = {}
    for name, url in SURFACES.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(area)).status_code == 200
        counts[name] = len(queries)
    return counts


def test_the_area_surfaces_read_as_many_queries_for_a_large_area_as_a_small_one(
    client, users, area, school
):
    client.force_login(users[Role.BOARD_MEMBER])
    _populate(area, schools=1, pupils=3)
    small = _query_counts(client, area)
    _populate(area, schools=4, pupils=12, seed=1)
    large = _query_counts(client, area)
    assert large == small
