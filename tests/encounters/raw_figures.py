"""Encounter figures for an area computed from scratch over the raw rows,
pupil by pupil and attendance row by attendance row in Python, to check
what the pages read from the summary tables. Same shapes as
``dashboard.coverage.area_school_coverage`` and ``area_encounter_breakdown``
(the schools are the ones the user may see: ``area_schools``)."""

from collections import defaultdict

from dashboard.coverage import listed_without_pupils
from encounters.models import (
    FIRST_SECONDARY_YEAR,
    PLEDGE_ENCOUNTERS,
    Attendance,
    Encounter,
    EncounterType,
    Pupil,
    year_group_label,
)
from encounters.selectors import CoverageCounts, CoverageRow, area_schools

CALLS = {"coverage": 0, "breakdown": 0}


def _on_roll(pupil, day):
    return pupil.on_roll_from <= day and (pupil.on_roll_until is None or pupil.on_roll_until >= day)


def raw_area_school_coverage(*, user, area, year, as_at=None):
    CALLS["coverage"] += 1
    census = as_at or year.census_date()
    meaningful = set(
        EncounterType.objects.filter(is_meaningful_employer_encounter=True).values_list(
            "pk", flat=True
        )
    )
    history = defaultdict(list)  # upn hash -> academic years of its meaningful encounters
    for attendance in Attendance.objects.select_related("pupil", "encounter"):
        encounter = attendance.encounter
        if encounter.encounter_type_id in meaningful and (as_at is None or encounter.date <= as_at):
            history[attendance.pupil.upn_hash].append(encounter.academic_year)
    result = []
    for school in area_schools(user=user, area=area):
        by_year = {}
        total = CoverageRow(year_group=None, label="All year groups")
        for pupil in Pupil.objects.filter(school=school):
            if not _on_roll(pupil, census):
                continue
            years = history[pupil.upn_hash]
            this_year = sum(1 for y in years if y == year.start_year)
            since_year_7 = sum(
                1
                for y in years
                if pupil.reception_year + FIRST_SECONDARY_YEAR <= y <= year.start_year
            )
            year_group = year.start_year - pupil.reception_year
            counts = CoverageCounts(1, int(this_year >= 1), int(since_year_7 >= PLEDGE_ENCOUNTERS))
            row = by_year.setdefault(
                year_group, CoverageRow(year_group=year_group, label=year_group_label(year_group))
            )
            row.add(pupil.disadvantaged, counts)
            total.add(pupil.disadvantaged, counts)
        if by_year or listed_without_pupils(school):
            result.append(
                {"school": school, "rows": [by_year[y] for y in sorted(by_year)], "total": total}
            )
    return result


def raw_area_encounter_breakdown(*, user, area, year):
    CALLS["breakdown"] += 1
    schools = list(area_schools(user=user, area=area))
    by_type, by_programme, by_employer = {}, {}, {}

    def add(counts, key, pupils):
        n, encounters = counts.get(key, (0, 0))
        counts[key] = (n + pupils, encounters + 1)

    encounters = (
        Encounter.objects.filter(school__in=schools, academic_year=year.start_year)
        .select_related("encounter_type")
        .prefetch_related("employers", "attendances")
    )
    for encounter in sorted(
        encounters, key=lambda e: (e.encounter_type.order, e.encounter_type.name, e.pk)
    ):
        pupils = len(encounter.attendances.all())
        if not pupils:
            continue
        add(by_type, encounter.encounter_type.name, pupils)
        add(by_programme, encounter.delivered_through, pupils)
        for employer in encounter.employers.all():
            add(by_employer, (employer.name, employer.kind), pupils)
    return {
        "by_type": by_type,
        "by_programme": dict(sorted(by_programme.items())),
        "by_employer": dict(sorted(by_employer.items(), key=lambda kv: (-kv[1][0], kv[0][0]))),
    }
