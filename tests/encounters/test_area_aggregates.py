import csv
import datetime
import io

import pytest
import time_machine

from core.models import Role
from dashboard.services import summaries_rebuild
from tests.encounters.factories import EmployerFactory, EncounterFactory, PupilFactory, attend
from tests.factories import SECOND_FACTOR_QUERIES, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


def cohort(school, n, year_group=9, reached=0, encounters=4, **kwargs):
    pupils = PupilFactory.create_batch(
        n, school=school, year_group=year_group, year_group_on=datetime.date(2018, 3, 1), **kwargs
    )
    for k in range(encounters):
        attend(
            EncounterFactory(school=school, date=datetime.date(2018, 1, 1 + k)), pupils[:reached]
        )
    return pupils


@pytest.fixture
def small_cohorts(area, school):
    """Own school: 20 in Year 9 (12 reached), 3 in Year 10 (2 reached).
    Second school: 2 in Year 9 (1 reached), 30 in Year 10 (25 reached)."""
    second = SchoolFactory(area=area, name="Second Academy")
    cohort(school, 20, 9, reached=12)
    cohort(school, 3, 10, reached=2)
    cohort(second, 2, 9, reached=1)
    cohort(second, 30, 10, reached=25)
    summaries_rebuild()
    return second


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF])
def test_area_roles_see_suppressed_aggregates(client, users, area, small_cohorts, role):
    client.force_login(users[role])
    response = client.get(f"/areas/{area.slug}/encounters/")
    assert response.status_code == 200
    table = response.context["coverage"]["by_measure"]["on_roll"]
    own, second = table["rows"]
    grid = [
        [str(c.count) for c in [*row["cells"], row["total"]]]
        for row in (own, second, {"cells": table["totals"], "total": table["grand_total"]})
    ]
    # Primary: Year 10 at the own school (3) and Year 9 at the second (2).
    assert grid[0][1] == "c"
    assert grid[1][0] == "c"
    # Secondary: no row or column has a lone c that subtraction would reveal.
    for line in [*grid, *zip(*grid, strict=True)]:
        assert list(line).count("c") != 1, grid
    four = response.context["coverage"]["by_measure"]["with_four"]
    second_year_10 = four["rows"][1]["cells"][1]
    assert str(second_year_10.count) in ("25", "c")
    assert str(four["rows"][0]["cells"][1].rate) == "c"
    assert "c" in {str(cell.rate) for cell in four["rows"][1]["cells"]}
    html = response.content.decode()
    for pupil_word in ("ADM0", "pupil_identifier"):
        assert pupil_word not in html


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DFE_STAFF])
def test_area_csv_is_suppressed_tidy_data(client, users, area, small_cohorts, role):
    client.force_login(users[role])
    rows = csv_rows(client.get(f"/areas/{area.slug}/encounters/coverage.csv"))
    by_key = {(r["school_name"], r["year_group"]): r for r in rows}
    assert by_key[("Own Scope Academy", "Year 10")]["pupils_on_roll"] == "c"
    assert by_key[("Second Academy", "Year 9")]["pupils_four_encounters"] == "c"
    assert by_key[("", "Year 9")]["geographic_level"] == "Opportunity area"
    assert by_key[("", "Total")]["pupils_on_roll"] == "55"
    assert rows[0]["time_period"] == "201718"
    assert rows[0]["time_identifier"] == "Academic year"
    assert all(set(r["pupils_on_roll"]) - set("0123456789c") == set() for r in rows)


def test_school_staff_and_other_areas_get_404(client, users, area, other_area, small_cohorts):
    client.force_login(users[Role.SCHOOL_STAFF])
    assert client.get(f"/areas/{area.slug}/encounters/").status_code == 404
    assert client.get(f"/areas/{area.slug}/encounters/coverage.csv").status_code == 404
    client.force_login(users[Role.BOARD_MEMBER])
    assert client.get(f"/areas/{other_area.slug}/encounters/").status_code == 404
    assert client.get(f"/areas/{other_area.slug}/encounters/coverage.csv").status_code == 404


def test_breakdown_by_type_employer_and_cornerstone_share(client, users, area, school):
    pupils = PupilFactory.create_batch(
        12, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )
    edf = EmployerFactory(name="EDF Energy", kind="cornerstone_employer")
    local = EmployerFactory(name="Local Garage")
    big = EncounterFactory(school=school, date=datetime.date(2018, 1, 5))
    big.employers.add(edf)
    attend(big, pupils[:9])
    small = EncounterFactory(school=school, date=datetime.date(2018, 1, 6))
    small.employers.add(local)
    attend(small, pupils[:3])
    summaries_rebuild()
    client.force_login(users[Role.AREA_LEAD])
    breakdown = client.get(f"/areas/{area.slug}/encounters/").context["breakdown"]
    employers = {row["label"]: str(row["pupils"]) for row in breakdown["by_employer"]["rows"]}
    # 3 is suppressed; a lone c would be recoverable from the total, so the
    # next-smallest figure is hidden too.
    assert employers == {"EDF Energy (cornerstone)": "c", "Local Garage": "c"}
    assert str(breakdown["by_employer"]["total"]) == "12"
    # 75.0% of 12 would say the cornerstone employers had 9 and so give the
    # other employers' 3 back: the share is hidden with the subtotal it is.
    assert str(breakdown["cornerstone_share"]) == "c"


@pytest.mark.parametrize("n", [1, 40])
def test_area_page_runs_a_constant_number_of_queries(
    client, users, area, n, django_assert_max_num_queries
):
    for _ in range(min(n, 6)):
        school = SchoolFactory(area=area)
        cohort(school, n, 9, reached=n // 2, encounters=2)
    summaries_rebuild()
    client.force_login(users[Role.DFE_STAFF])
    # Two of the queries read the year's releases (the pattern the page keeps and
    # the latest release it names).
    with django_assert_max_num_queries(15 + SECOND_FACTOR_QUERIES):
        assert client.get(f"/areas/{area.slug}/encounters/").status_code == 200
