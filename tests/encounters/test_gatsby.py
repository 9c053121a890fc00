"""Gatsby Benchmarks 5 and 6 drafted from the encounter records (ADR 0025).

The school's figures are worked by hand from the records set up in
``records`` below: who is on roll on the census date (31 August 2024 for
the closed year 2023/24), which encounters count, and which pupils lack one.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from core.models import ChangeRecord, Role
from encounters import gatsby
from encounters.academic_years import AcademicYear
from encounters.models import MEANINGFUL_CRITERIA, Encounter
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

YEAR = AcademicYear(2023)  # 2023/24, closed on the frozen day below
ALL_MET = list(MEANINGFUL_CRITERIA)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, 0), tick=False):
        yield


def pupil(school, identifier, year_group, **kwargs):
    return PupilFactory(
        school=school,
        pupil_identifier=identifier,
        year_group=year_group,
        year_group_on=datetime.date(2023, 10, 1),
        **kwargs,
    )


def encounter(school, day, type_code, pupils, criteria=ALL_MET, types=None):
    made = EncounterFactory(
        school=school,
        date=day,
        encounter_type=types[type_code],
        meaningful_criteria=list(criteria),
    )
    attend(made, pupils)
    return made


@pytest.fixture
def records(school, area, encounter_types):
    """One school's roll and encounters. ``previous`` is another school in
    the service that P4 came from."""
    previous = SchoolFactory(area=area, name="Previous School")
    t = encounter_types

    def at(where, day, code, pupils, criteria=ALL_MET):
        return encounter(where, day, code, pupils, criteria, types=t)

    # Year 9 in 2023/24.
    p1 = pupil(school, "P1", 9)
    p2 = pupil(school, "P2", 9)
    p3 = pupil(school, "P3", 9)
    p4 = pupil(school, "P4", 9, on_roll_from=datetime.date(2024, 2, 1))  # joined mid-year
    p4_before = PupilFactory(
        school=previous,
        pupil_identifier="OLD4",
        upn_hash=p4.upn_hash,
        year_group=9,
        year_group_on=datetime.date(2023, 10, 1),
        on_roll_until=datetime.date(2024, 1, 31),
    )
    pupil(school, "P5", 9, on_roll_from=datetime.date(2024, 3, 1))  # joined, nothing yet
    p6 = pupil(school, "P6", 9, on_roll_until=datetime.date(2024, 1, 31))  # left mid-year
    p7 = pupil(school, "P7", 9)
    at(school, datetime.date(2023, 10, 10), "employer-talk", [p1, p6])
    at(school, datetime.date(2023, 11, 10), "employer-talk", [p2], criteria=ALL_MET[:3])
    at(school, datetime.date(2023, 11, 20), "other", [p3])  # benchmark 5 type, not meaningful
    at(previous, datetime.date(2023, 11, 15), "mentoring", [p4_before])
    at(school, datetime.date(2023, 5, 10), "employer-talk", [p7])  # 2022/23: last year

    # Year 11 in 2023/24 (Year 7 in 2019/20).
    q1 = pupil(school, "Q1", 11)
    q2 = pupil(school, "Q2", 11)
    q3 = pupil(school, "Q3", 11)
    pupil(school, "Q4", 11, on_roll_from=datetime.date(2024, 1, 8))  # joined, nothing
    at(school, datetime.date(2021, 3, 1), "workplace-visit", [q1])  # in Year 8
    at(school, datetime.date(2024, 6, 3), "work-experience", [q2])
    at(school, datetime.date(2024, 2, 1), "employer-talk", [q2])
    at(school, datetime.date(2019, 6, 1), "workplace-visit", [q3])  # in Year 6: too early

    # Year 13 in 2023/24 (Year 11 in 2021/22).
    r1 = pupil(school, "R1", 13)
    r2 = pupil(school, "R2", 13)
    r3 = pupil(school, "R3", 13, on_roll_until=datetime.date(2024, 6, 28))  # left before 31 Aug
    at(school, datetime.date(2022, 3, 1), "workplace-visit", [r1])  # in Year 11: not "further"
    at(school, datetime.date(2023, 7, 1), "work-experience", [r2, r3])  # in Year 12

    # Not counted anywhere: a primary pupil, and a Year 9 pupil in another area.
    y5 = pupil(school, "Y5", 5)
    at(school, datetime.date(2023, 10, 12), "employer-talk", [y5])
    return {"previous": previous}


def test_school_figures_recompute_from_the_records(users, school, records):
    """Hand-worked, from ``records``:

    Year 9 on roll on 31 August 2024: P1, P2, P3, P4 (joined in February),
    P5 (joined in March), P7 = 6; P6 left in January and is not counted.
    With a meaningful employer encounter in 2023/24: P1 (talk, all criteria
    ticked) and P4 (mentoring at the previous school, followed by UPN) = 2.
    P2's talk had three criteria of four, P3's type is not a meaningful one,
    P7's talk was the year before. 2 of 6 = 33.3%.

    Year 11: Q1-Q4 on roll = 4; Benchmark 5: Q2 = 1 (25.0%). Benchmark 6 by
    the end of Year 11: Q1 (Year 8 visit), Q2 (work experience) = 2 (50.0%);
    Q3's visit was in Year 6, Q4 joined with none.

    Year 13: R1, R2 on roll = 2 (R3 left on 28 June). Benchmark 5: none.
    Benchmark 6 in Years 12-13: R2 = 1 (50.0%); R1's visit was in Year 11.

    All of Years 7-13: 12 on roll, 3 with a Benchmark 5 encounter = 25.0%.
    The Year 5 pupil is not counted."""
    draft = gatsby.school_draft(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
    assert [(f.label, f.on_roll, f.reached, f.rate) for f in draft.benchmark_5] == [
        ("Year 9", 6, 2, Decimal("33.3")),
        ("Year 11", 4, 1, Decimal("25.0")),
        ("Year 13", 2, 0, Decimal("0.0")),
    ]
    total = draft.benchmark_5_total
    assert (total.on_roll, total.reached, total.without, total.rate) == (12, 3, 9, Decimal("25.0"))
    assert [(f.on_roll, f.reached, f.rate) for f in draft.benchmark_6] == [
        (4, 2, Decimal("50.0")),
        (2, 1, Decimal("50.0")),
    ]


def test_the_pupils_without_are_listed_for_the_school(users, school, records):
    staff = users[Role.SCHOOL_STAFF]
    without_5 = gatsby.pupils_without_benchmark_5(user=staff, school=school, year=YEAR)
    assert [p.pupil_identifier for p in without_5] == [
        "P2", "P3", "P5", "P7", "Q1", "Q3", "Q4", "R1", "R2",
    ]  # fmt: skip
    without_6 = gatsby.pupils_without_benchmark_6(user=staff, school=school, year=YEAR)
    assert [(p.pupil_identifier, p.year_group_then) for p in without_6] == [
        ("Q3", 11),
        ("Q4", 11),
        ("R1", 13),
    ]


def test_during_the_year_the_roll_is_todays(users, school, encounter_types):
    """While a year runs, the census day is today: a pupil who left last
    week is not counted, one who joined yesterday is."""
    with time_machine.travel(datetime.datetime(2024, 3, 20, 12, 0), tick=False):
        stayed = pupil(school, "S1", 8)
        pupil(school, "S2", 8, on_roll_until=datetime.date(2024, 3, 13))
        joined = pupil(school, "S3", 8, on_roll_from=datetime.date(2024, 3, 19))
        encounter(
            school, datetime.date(2024, 3, 19), "employer-talk", [joined], types=encounter_types
        )
        draft = gatsby.school_draft(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
        listed = gatsby.pupils_without_benchmark_5(
            user=users[Role.SCHOOL_STAFF], school=school, year=YEAR
        )
        assert [(f.on_roll, f.reached) for f in draft.benchmark_5] == [(2, 1)]
        assert list(listed) == [stayed]


def test_the_school_page_shows_the_draft_and_the_pupils_without(client, users, school, records):
    client.force_login(users[Role.SCHOOL_STAFF])
    page = client.get(f"/schools/{school.urn}/gatsby-benchmarks/?year=2023").content.decode()
    assert "Gatsby Benchmarks 5 and 6: draft answers, 2023/24" in page
    assert "33.3%" in page
    for identifier in ("P2", "P5", "Q3", "R1"):
        assert f"({identifier})</a>" in page
    assert "(P1)</a>" not in page
    assert "(P6)</a>" not in page


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF])
def test_only_the_schools_own_staff_see_its_draft(client, users, school, role):
    client.force_login(users[role])
    assert client.get(f"/schools/{school.urn}/gatsby-benchmarks/").status_code == 404


def test_another_schools_staff_get_404(client, users, other_school):
    client.force_login(users[Role.SCHOOL_STAFF])
    assert client.get(f"/schools/{other_school.urn}/gatsby-benchmarks/").status_code == 404


# --- Area and programme: counts only, suppressed ---------------------------


@pytest.fixture
def area_records(area, school, encounter_types):
    """Year 9 in two schools of the area: 10 pupils each, 6 and 7 with a
    meaningful employer encounter; 13 of 20 in the area (65.0%)."""
    second = SchoolFactory(area=area, name="Second Academy")
    for where, reached in ((school, 6), (second, 7)):
        pupils = [pupil(where, f"{where.urn}-{i}", 9) for i in range(10)]
        encounter(
            where, datetime.date(2023, 10, 2), "employer-talk", pupils[:reached],
            types=encounter_types,
        )  # fmt: skip
    return second


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR]
)
def test_area_figures_are_counts_of_the_records(client, users, area, school, area_records, role):
    figures = gatsby.area_benchmarks(user=users[role], area=area, year=YEAR)
    rows = {row["school"].name: row for row in figures["benchmark_5"]["rows"]}
    own, second = rows[school.name]["cells"][0], rows["Second Academy"]["cells"][0]
    assert (own.count.value, str(own.rate)) == (6, "60.0")
    assert (second.count.value, str(second.rate)) == (7, "70.0")
    total = figures["benchmark_5"]["totals"][0]
    assert (total.count.value, str(total.rate)) == (13, "65.0")

    client.force_login(users[role])
    page = client.get(f"/areas/{area.slug}/gatsby-benchmarks/?year=2023").content.decode()
    assert "65.0%" in page
    assert f"{school.urn}-0" not in page  # no pupil rows


def test_small_counts_are_suppressed_outside_the_school(
    client, users, area, school, encounter_types
):
    """Three Year 9 pupils, one with an encounter: every count is under 5."""
    pupils = [pupil(school, f"SMALL{i}", 9) for i in range(3)]
    encounter(
        school, datetime.date(2023, 10, 2), "employer-talk", pupils[:1], types=encounter_types
    )
    figures = gatsby.area_benchmarks(user=users[Role.AREA_LEAD], area=area, year=YEAR)
    cell = figures["benchmark_5"]["rows"][0]["cells"][0]
    assert cell.count.is_suppressed
    assert figures["on_roll"]["rows"][0]["cells"][0].count.is_suppressed
    client.force_login(users[Role.DFE_STAFF])
    page = client.get("/gatsby-benchmarks/?year=2023").content.decode()
    assert "SMALL0" not in page
    assert pupils[0].display_name not in page


def test_an_area_page_outside_your_area_is_404(client, users, other_area):
    for role in (Role.BOARD_MEMBER, Role.AREA_LEAD):
        client.force_login(users[role])
        assert client.get(f"/areas/{other_area.slug}/gatsby-benchmarks/").status_code == 404


def test_school_staff_get_no_area_or_programme_figures(client, users, area):
    client.force_login(users[Role.SCHOOL_STAFF])
    assert client.get(f"/areas/{area.slug}/gatsby-benchmarks/").status_code == 404
    assert client.get("/gatsby-benchmarks/").status_code == 403


def test_programme_figures_by_area(client, users, area, other_area, school, area_records):
    """DfE sees every area's row; an area lead only their own."""
    dfe = gatsby.programme_benchmarks(user=users[Role.DFE_STAFF], year=YEAR)
    rows = {row["school"].name: row for row in dfe["benchmark_5"]["rows"]}
    assert list(rows) == [area.name]  # the only area with pupils on roll
    cell = rows[area.name]["cells"][0]
    assert (cell.count.value, str(cell.rate)) == (13, "65.0")

    other_school = SchoolFactory(area=other_area, name="Far Away School")
    for i in range(5):
        pupil(other_school, f"FAR{i}", 9)
    client.force_login(users[Role.AREA_LEAD])
    page = client.get("/gatsby-benchmarks/?year=2023").content.decode()
    assert area.name in page
    assert other_area.name not in page
    client.force_login(users[Role.DFE_STAFF])
    page = client.get("/gatsby-benchmarks/?year=2023").content.decode()
    assert other_area.name in page
    assert "FAR0" not in page


# --- Recording the criteria --------------------------------------------------


def test_the_form_records_the_criteria_with_history(client, users, school, encounter_types):
    pupils = [pupil(school, f"F{i}", 10) for i in range(2)]
    client.force_login(users[Role.SCHOOL_STAFF])
    data = {
        "date_0": "14",
        "date_1": "9",
        "date_2": "2024",
        "encounter_type": encounter_types["workplace-visit"].pk,
        "title": "Visit to the port",
        "delivered_through": "school",
        "meaningful_criteria": ALL_MET,
        "pupils": [p.pk for p in pupils],
    }
    response = client.post(f"/schools/{school.urn}/encounters/new/", data)
    assert response.status_code == 302
    made = Encounter.objects.get(title="Visit to the port")
    assert made.meets_meaningful_criteria
    assert made.gatsby_benchmark_counted == 6
    assert (
        "All met: counts toward Gatsby Benchmark 6"
        in client.get(response["Location"]).content.decode()
    )

    data["meaningful_criteria"] = ALL_MET[:2]
    assert client.post(f"/schools/{school.urn}/encounters/{made.pk}/edit/", data).status_code == 302
    made.refresh_from_db()
    assert not made.meets_meaningful_criteria
    record = ChangeRecord.objects.filter(action="updated").get()
    assert record.changes["meaningful criteria met"] == {
        "before": ", ".join(sorted(ALL_MET)),
        "after": ", ".join(sorted(ALL_MET[:2])),
    }


def test_an_unknown_criterion_is_refused(client, users, school, encounter_types):
    target = pupil(school, "U1", 10)
    client.force_login(users[Role.SCHOOL_STAFF])
    data = {
        "date_0": "14",
        "date_1": "9",
        "date_2": "2024",
        "encounter_type": encounter_types["employer-talk"].pk,
        "title": "Talk",
        "delivered_through": "school",
        "meaningful_criteria": ["made-up"],
        "pupils": [target.pk],
    }
    response = client.post(f"/schools/{school.urn}/encounters/new/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Encounter.objects.exists()
