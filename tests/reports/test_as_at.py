"""A report describes its period as it stood at the period's end: whatever is
dated after the end (measurements, comparator values, action updates and
spend, encounters, pupils joining or leaving) leaves it unchanged, however
late it was recorded."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dashboard.coverage import area_school_coverage
from dashboard.services import coverage_as_at, summaries_rebuild
from encounters.academic_years import AcademicYear
from encounters.models import Pupil
from plans.models import ActionStatus, ComparatorValue, DeliveryPlan, FigureStatus, PlanStatus
from reports.snapshot import report_reader, report_snapshot
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.plans.factories import ActionUpdateFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

SEPTEMBER = (date(2019, 9, 1), date(2019, 9, 30))


def _snapshot(area, period):
    data = report_snapshot(
        area=area, period_start=period[0], period_end=period[1], generated_at=timezone.now()
    )
    del data["report"]["generated_at"]
    return data


def _record_everything_after(area, lead, day):
    """Rows of every kind the report reads, all dated after ``day``."""
    plan = DeliveryPlan.objects.get(area=area, status=PlanStatus.PUBLISHED)
    for indicator in plan.indicators.all():
        MeasurementFactory(
            lineage=indicator.lineage,
            date=day.replace(day=day.day + 1),
            value=indicator.baseline_value + 9,
            status=FigureStatus.PROVISIONAL,
        )
        if indicator.comparator_id:
            ComparatorValue.objects.create(
                series=indicator.comparator, date=day.replace(day=day.day + 2), value=Decimal(90)
            )
    for action in plan.actions.all():
        ActionUpdateFactory(
            lineage=action.lineage,
            date=day.replace(day=day.day + 3),
            spend_to_date=Decimal("999999"),
            status=ActionStatus.OFF_TRACK,
            author=lead,
        )
    pupils = list(Pupil.objects.filter(school__area=area))
    later = EncounterFactory(school=pupils[0].school, date=day.replace(day=day.day + 4))
    attend(later, [p for p in pupils if p.school_id == pupils[0].school_id])
    # Joins after the day; another leaves after it (so was on roll that day).
    PupilFactory.create_batch(
        6, school=pupils[0].school, year_group=9, on_roll_from=day.replace(day=day.day + 5)
    )
    leaver = pupils[1]
    leaver.on_roll_until = day.replace(day=day.day + 6)
    leaver.save()
    summaries_rebuild()


def test_a_report_for_a_past_period_ignores_everything_dated_after_it(
    area, area_data, lead, report_day
):
    before = _snapshot(area, SEPTEMBER)
    assert before["encounters"]["total"]["on_roll"] != "0"

    with time_machine.travel(datetime(2020, 9, 15, 12, 0), tick=False):
        _record_everything_after(area, lead, date(2019, 10, 1))
        after = _snapshot(area, SEPTEMBER)

    assert after == before


def test_the_later_rows_do_count_in_a_report_for_a_period_they_fall_in(
    area, area_data, lead, report_day
):
    """The check above can fail: the same rows change a later period's report."""
    october = (date(2019, 10, 1), date(2019, 10, 31))
    before = _snapshot(area, october)
    with time_machine.travel(datetime(2020, 9, 15, 12, 0), tick=False):
        _record_everything_after(area, lead, date(2019, 10, 1))
        after = _snapshot(area, october)

    for part in ("priorities", "funding", "encounters"):
        assert after[part] != before[part], part


def test_coverage_as_at_the_census_date_matches_the_summary_tables(area, area_data, report_day):
    """Reports read the summary rows when the period ends on the year's census
    date and compute the coverage otherwise: both give the same figures."""
    year = AcademicYear.of(report_day)
    assert year.census_date() == report_day
    from_summaries = area_school_coverage(user=report_reader(), area=area, year=year)
    computed = {
        (row.school_id, row.year_group): row
        for row in coverage_as_at(area_id=area.pk, day=report_day)
    }
    assert computed
    for school in from_summaries:
        for row in school["rows"]:
            summary = computed[(school["school"].pk, row.year_group)]
            for group in ("disadvantaged", "others"):
                counts = getattr(row, group)
                assert (counts.on_roll, counts.with_one, counts.with_four) == (
                    getattr(summary, f"{group}_on_roll"),
                    getattr(summary, f"{group}_with_one"),
                    getattr(summary, f"{group}_with_four"),
                )
    assert sum(len(school["rows"]) for school in from_summaries) == len(computed)
