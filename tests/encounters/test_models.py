import datetime

import pytest

from encounters.academic_years import AcademicYear
from encounters.models import EncounterType, Pupil
from tests.encounters.factories import EncounterFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_academic_years_run_september_to_august():
    assert AcademicYear.of(datetime.date(2018, 8, 31)).label == "2017/18"
    assert AcademicYear.of(datetime.date(2018, 9, 1)).label == "2018/19"
    assert AcademicYear(2017).time_period == "201718"
    assert AcademicYear(2017).census_date(datetime.date(2020, 1, 1)) == datetime.date(2018, 8, 31)


def test_year_group_is_derived_for_any_academic_year(school):
    pupil = PupilFactory(school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1))
    assert pupil.reception_year == 2008
    assert pupil.year_group_in(AcademicYear(2017)) == 9
    assert pupil.year_group_in(AcademicYear(2019)) == 11
    assert pupil.year_group_label_in(AcademicYear(2015)) == "Year 7"
    assert Pupil.objects.in_year_group(10, AcademicYear(2018)).get() == pupil


def test_encounter_types_are_seeded_with_their_benchmarks():
    types = {t.code: t for t in EncounterType.objects.all()}
    assert len(types) == 8
    assert types["workplace-visit"].gatsby_benchmark == 6
    assert types["fe-he-visit"].gatsby_benchmark == 7
    assert not types["fe-he-visit"].is_meaningful_employer_encounter
    assert types["mentoring"].is_meaningful_employer_encounter


def test_encounter_knows_its_academic_year(school):
    encounter = EncounterFactory(school=school, date=datetime.date(2018, 2, 1))
    assert encounter.academic_year == 2017
