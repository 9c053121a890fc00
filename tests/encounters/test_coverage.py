import datetime

import pytest
import time_machine

from core.models import Role
from encounters.academic_years import AcademicYear
from encounters.selectors import pupils_below_pledge, school_coverage
from tests.encounters.factories import EncounterFactory, PupilFactory, attend

pytestmark = pytest.mark.django_db
YEAR = AcademicYear(2017)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.date(2018, 3, 20), tick=False):
        yield


def year9(school, n, **kwargs):
    return PupilFactory.create_batch(
        n, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1), **kwargs
    )


def test_coverage_counts_this_year_and_since_year_7(school, users, encounter_types):
    reached, other = year9(school, 2, disadvantaged=True), year9(school, 3)
    # Year 7 was 2015/16 for these pupils.
    for day in (datetime.date(2015, 10, 1), datetime.date(2016, 10, 1), datetime.date(2017, 10, 1)):
        attend(EncounterFactory(school=school, date=day), [reached[0], other[0]])
    attend(EncounterFactory(school=school, date=datetime.date(2018, 1, 5)), [reached[0]])
    # Before Year 7 and not a meaningful employer encounter: not counted.
    attend(EncounterFactory(school=school, date=datetime.date(2014, 10, 1)), [other[0]])
    attend(
        EncounterFactory(
            school=school,
            date=datetime.date(2018, 1, 6),
            encounter_type=encounter_types["fe-he-visit"],
        ),
        [other[1]],
    )
    coverage = school_coverage(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
    [row] = coverage["rows"]
    assert row.label == "Year 9"
    assert (row.all.on_roll, row.all.with_one, row.all.with_four) == (5, 2, 1)
    assert (row.disadvantaged.on_roll, row.disadvantaged.with_four) == (2, 1)
    assert (row.others.on_roll, row.others.with_one, row.others.with_four) == (3, 1, 0)
    below = pupils_below_pledge(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
    assert reached[0] not in below
    assert len(below) == 4


def test_pupils_off_roll_are_not_counted(school, users):
    year9(school, 1, on_roll_until=datetime.date(2017, 12, 1))
    year9(school, 1)
    coverage = school_coverage(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
    assert coverage["total"].all.on_roll == 1


def test_encounters_at_a_previous_school_count_towards_the_pledge(school, other_school, users):
    upn = "B801200005001"
    before = PupilFactory(
        school=other_school,
        upn=upn,
        year_group=8,
        year_group_on=datetime.date(2017, 3, 1),
        on_roll_until=datetime.date(2017, 7, 20),
    )
    for month in (1, 2, 3, 4):
        attend(EncounterFactory(school=other_school, date=datetime.date(2017, month, 1)), [before])
    now = PupilFactory(
        school=school, upn=upn, year_group=9, year_group_on=datetime.date(2017, 9, 5)
    )
    coverage = school_coverage(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)
    assert coverage["total"].all.with_four == 1
    assert now not in pupils_below_pledge(user=users[Role.SCHOOL_STAFF], school=school, year=YEAR)


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF])
def test_other_roles_see_no_pupil_level_coverage(school, users, role):
    year9(school, 3)
    assert school_coverage(user=users[role], school=school, year=YEAR)["total"].all.on_roll == 0
