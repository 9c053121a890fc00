"""Encounter figures for an area from the summary tables: coverage by
school and year group, and pupil encounters by type, programme and
employer. The area's encounters page, its CSV and API, its releases and
reports (through ``encounters.publication``) and the dashboard read these,
so none of them scans attendance; a handful of queries whatever the size
of the area.

This module imports the summary models and the encounters app's shapes,
never ``encounters.publication`` or ``dashboard.selectors``, so both of
those can import it.
"""

from django.db.models import Sum

from areas.models import OPEN_STATUSES
from core.replica import reads_from_replica
from encounters.academic_years import AcademicYear
from encounters.models import year_group_label
from encounters.selectors import CoverageCounts, CoverageRow, area_schools

from .models import SchoolCoverageSummary, SchoolEmployerSummary, SchoolEncounterTypeSummary
from .services import coverage_as_at, coverage_years


@reads_from_replica
def area_school_coverage(*, user, area, year: AcademicYear, as_at=None):
    """Coverage by school and year group for an area (the schools the user
    may see in it), as counts only, in the shape ``encounters.publication.
    area_coverage`` publishes.

    From the summary rows when they describe the year as asked: a year the
    summaries keep (``coverage_years``), as at its census date. Otherwise,
    with ``as_at`` (a day in ``year``) or for an earlier year, computed for
    the area's roll on that day (the year's census date by default) and the
    encounters dated on or before it, in one set-based query
    (``dashboard.services.coverage_as_at``)."""
    schools = {school.pk: school for school in area_schools(user=user, area=area)}
    census = year.census_date()
    if (as_at is None or as_at == census) and year in coverage_years():
        summaries = SchoolCoverageSummary.objects.filter(
            school__in=list(schools), academic_year=year.start_year
        ).order_by("school", "year_group")
    else:
        summaries = sorted(
            (
                row
                for row in coverage_as_at(area_id=area.pk, day=as_at or census)
                if row.school_id in schools
            ),
            key=lambda row: (row.school_id, row.year_group),
        )
    return school_coverage_rows(schools, summaries)


def school_coverage_rows(schools, summaries):
    """The per-school coverage ``area_coverage`` publishes, from summary rows
    ordered by school and year group: the schools in ``schools`` (by pk, in
    their order) that have rows or are open and teach secondary ages (a
    school with no pupils on roll yet has no rows; a series lists it from its
    first publication, so its first pupil never adds a row)."""
    by_school = {}
    for summary in summaries:
        rows, total = by_school.setdefault(
            summary.school_id, ([], CoverageRow(year_group=None, label="All year groups"))
        )
        row = CoverageRow(year_group=summary.year_group, label=year_group_label(summary.year_group))
        for disadvantaged, prefix in ((True, "disadvantaged_"), (False, "others_")):
            counts = CoverageCounts(
                getattr(summary, f"{prefix}on_roll"),
                getattr(summary, f"{prefix}with_one"),
                getattr(summary, f"{prefix}with_four"),
            )
            row.add(disadvantaged, counts)
            total.add(disadvantaged, counts)
        rows.append(row)
    return [
        {
            "school": school,
            "rows": by_school[pk][0] if pk in by_school else [],
            "total": by_school[pk][1] if pk in by_school else CoverageRow(None, "All year groups"),
        }
        for pk, school in schools.items()
        if pk in by_school or listed_without_pupils(school)
    ]


def listed_without_pupils(school) -> bool:
    """Whether an area's coverage lists a school with no pupils on roll: it
    is open and may have pupils in Year 7 or above (its statutory high age
    is over 11, or not known)."""
    return school.status in OPEN_STATUSES and (
        school.statutory_high_age is None or school.statutory_high_age > 11
    )


def _add(counts: dict, key, pupil_encounters: int, encounters: int) -> None:
    before = counts.get(key, (0, 0))
    counts[key] = (before[0] + pupil_encounters, before[1] + encounters)


@reads_from_replica
def area_encounter_breakdown(*, user, area, year: AcademicYear) -> dict:
    """Pupil encounters (one per pupil per encounter) in the year at the
    area's schools the user may see, and the encounters behind them, as
    (pupil encounters, encounters) counts: by encounter type name (in the
    types' order), by programme value (in order) and by employer (name,
    kind), most pupil encounters first. Two queries over the summary rows."""
    school_ids = list(area_schools(user=user, area=area).values_list("pk", flat=True))
    totals = {"n": Sum("pupil_encounters"), "distinct": Sum("encounters")}
    by_type, by_programme, by_employer = {}, {}, {}
    groups = (
        SchoolEncounterTypeSummary.objects.filter(
            school__in=school_ids, academic_year=year.start_year
        )
        .values("encounter_type__name", "encounter_type__order", "delivered_through")
        .annotate(**totals)
        .order_by("encounter_type__order", "encounter_type__name", "delivered_through")
    )
    for row in groups:
        _add(by_type, row["encounter_type__name"], row["n"], row["distinct"])
    for row in sorted(groups, key=lambda row: row["delivered_through"]):
        _add(by_programme, row["delivered_through"], row["n"], row["distinct"])
    for row in (
        SchoolEmployerSummary.objects.filter(school__in=school_ids, academic_year=year.start_year)
        .values("employer__name", "employer__kind")
        .annotate(**totals)
        .order_by("-n", "employer__name")
    ):
        _add(by_employer, (row["employer__name"], row["employer__kind"]), row["n"], row["distinct"])
    return {"by_type": by_type, "by_programme": by_programme, "by_employer": by_employer}
