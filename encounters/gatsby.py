"""Gatsby Benchmarks 5 and 6 from the encounter records (ADR 0025): a draft
of a school's answers to the Compass questions, the pupils still without
an encounter (school staff only), and the same figures for an area and the
programme with disclosure control.

Who is counted, for a school and academic year: the secondary pupils
(Years 7 to 13) on its roll on the year's census date (today during the
year, 31 August once it is over), in the year group they are in that
year, exactly as the coverage figures count them. A pupil who joined
during the year is counted, with the encounters at an earlier school in
the service (followed by the UPN hash, as coverage does); a pupil who left
before the census date is not counted at all, at this school.

What counts: an encounter whose type counts toward the benchmark, can be a
meaningful employer encounter, and on which the school ticked every
meaningful-encounter criterion (``Encounter.meets_meaningful_criteria``).

- Benchmark 5: at least one such encounter of a Benchmark 5 type in the
  academic year, for each year group from Year 7.
- Benchmark 6: at least one experience of a workplace (a Benchmark 6 type)
  by the end of Year 11, counted over Years 7 to 11; and one further one
  in Years 12 and 13, counted over those two years. Shown for the Year 11
  and Year 13 pupils; during the year the figure is "so far".

These reads return counts; only the school's own pages list pupils.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from areas.models import Area
from core.disclosure import Cell, percentage, shown_rate, total_of_published
from core.replica import reads_from_replica
from core.scoping import visible_to

from . import publication
from .academic_years import AcademicYear
from .models import (
    FIRST_SECONDARY_YEAR,
    Attendance,
    GatsbyBenchmark,
    Pupil,
    YearGroup,
    year_group_label,
)
from .selectors import CoverageCounts, CoverageRow, area_schools

LAST_PRE_16_YEAR = YearGroup.YEAR_11
LAST_YEAR = YearGroup.YEAR_13
# The year groups whose pupils Benchmark 6 asks about, and the first year
# group of the stage each is asked about.
BENCHMARK_6_YEARS = {LAST_PRE_16_YEAR: FIRST_SECONDARY_YEAR, LAST_YEAR: LAST_PRE_16_YEAR + 1}
LISTED = 200  # pupils of each list the school page shows


def _counted(benchmark: GatsbyBenchmark, year: AcademicYear):
    """The pupil's (by UPN hash) attendances that count toward a benchmark,
    at encounters in ``year`` or before."""
    return Attendance.objects.filter(
        pupil__upn_hash=OuterRef("upn_hash"),
        encounter__encounter_type__gatsby_benchmark=benchmark,
        encounter__encounter_type__is_meaningful_employer_encounter=True,
        encounter__meets_meaningful_criteria=True,
        encounter__academic_year__lte=year.start_year,
    )


def with_benchmarks(pupils, year: AcademicYear):
    """Annotate ``year_group_then`` and three flags: ``has_benchmark_5`` (a
    meaningful employer encounter this year), ``has_workplace_by_11`` (an
    experience of a workplace in Years 7 to 11, up to this year) and
    ``has_workplace_post_16`` (one in Years 12 and 13, up to this year)."""
    workplace = _counted(GatsbyBenchmark.WORKPLACES, year)
    return pupils.with_year_group(year).annotate(
        has_benchmark_5=Exists(
            _counted(GatsbyBenchmark.EMPLOYERS, year).filter(
                encounter__academic_year=year.start_year
            )
        ),
        has_workplace_by_11=Exists(
            workplace.filter(
                encounter__academic_year__gte=OuterRef("reception_year") + FIRST_SECONDARY_YEAR,
                encounter__academic_year__lte=OuterRef("reception_year") + LAST_PRE_16_YEAR,
            )
        ),
        has_workplace_post_16=Exists(
            workplace.filter(
                encounter__academic_year__gte=OuterRef("reception_year") + LAST_PRE_16_YEAR + 1
            )
        ),
    )


def _secondary_on_roll(pupils, year: AcademicYear):
    return pupils.on_roll(year.census_date()).filter(
        reception_year__lte=year.start_year - FIRST_SECONDARY_YEAR,
        reception_year__gte=year.start_year - LAST_YEAR,
    )


# Whether a pupil has the workplace experience Benchmark 6 asks of their stage.
HAS_WORKPLACE_IN_STAGE = Q(year_group_then__lte=LAST_PRE_16_YEAR, has_workplace_by_11=True) | Q(
    year_group_then__gt=LAST_PRE_16_YEAR, has_workplace_post_16=True
)


def _groups(pupils, year: AcademicYear, *keys):
    """Counts of pupils, and of those with each benchmark, grouped by the
    keys and the year group."""
    return (
        with_benchmarks(_secondary_on_roll(pupils, year), year)
        .order_by()
        .values(*keys, "year_group_then")
        .annotate(
            on_roll=Count("pk"),
            benchmark_5=Count("pk", filter=Q(has_benchmark_5=True)),
            benchmark_6=Count("pk", filter=HAS_WORKPLACE_IN_STAGE),
        )
    )


# --- A school's draft (school staff) -------------------------------------


@dataclass
class Figure:
    """Pupils in a year group, and those who have what the question asks."""

    label: str
    on_roll: int = 0
    reached: int = 0

    @property
    def without(self) -> int:
        return self.on_roll - self.reached

    @property
    def rate(self):
        return percentage(self.reached, self.on_roll)


@dataclass
class SchoolDraft:
    year: AcademicYear
    benchmark_5: list[Figure] = field(default_factory=list)
    benchmark_5_total: Figure = field(default_factory=lambda: Figure("Years 7 to 13"))
    benchmark_6: list[Figure] = field(default_factory=list)


@reads_from_replica
def school_draft(*, user, school, year: AcademicYear) -> SchoolDraft:
    """The school's Benchmark 5 and 6 figures, one query."""
    pupils = visible_to(Pupil.objects.filter(school=school), user)
    by_year = {row["year_group_then"]: row for row in _groups(pupils, year)}
    draft = SchoolDraft(year=year)
    for year_group in range(FIRST_SECONDARY_YEAR, LAST_YEAR + 1):
        row = by_year.get(year_group)
        if row is None:
            continue
        figure = Figure(year_group_label(year_group), row["on_roll"], row["benchmark_5"])
        draft.benchmark_5.append(figure)
        draft.benchmark_5_total.on_roll += figure.on_roll
        draft.benchmark_5_total.reached += figure.reached
    for year_group, first in BENCHMARK_6_YEARS.items():
        row = by_year.get(year_group, {"on_roll": 0, "benchmark_6": 0})
        label = f"{year_group_label(year_group)}: since {year_group_label(first)}"
        draft.benchmark_6.append(Figure(label, row["on_roll"], row["benchmark_6"]))
    return draft


def pupils_without_benchmark_5(*, user, school, year: AcademicYear):
    """Secondary pupils on roll with no meaningful employer encounter this year."""
    pupils = visible_to(Pupil.objects.filter(school=school), user)
    return (
        with_benchmarks(_secondary_on_roll(pupils, year), year)
        .filter(has_benchmark_5=False)
        .order_by("-reception_year", "pupil_identifier")
    )


def pupils_without_benchmark_6(*, user, school, year: AcademicYear):
    """Year 11 and Year 13 pupils on roll without the experience of a
    workplace their stage asks for."""
    pupils = visible_to(Pupil.objects.filter(school=school), user)
    return (
        with_benchmarks(_secondary_on_roll(pupils, year), year)
        .filter(reception_year__in=[year.start_year - y for y in BENCHMARK_6_YEARS])
        .exclude(HAS_WORKPLACE_IN_STAGE)
        .order_by("-reception_year", "pupil_identifier")
    )


# --- Area and programme (counts only, suppressed) --------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    """An area as a row of the programme table (the table's rows name a
    ``school``; here it is the area)."""

    area: Area

    @property
    def name(self) -> str:
        return self.area.name


def _coverage_shape(groups, rows_by_key):
    """The counts as publication.area_coverage takes them: per row (school
    or area), a CoverageRow per year group whose "with one" is Benchmark 5
    and "with four" is Benchmark 6. The two are counts of the same pupils
    on roll, like the coverage measures, so the same suppression (primary,
    secondary, and of the pupils without) protects them."""
    by_row: dict = {}
    for group in groups:
        rows = by_row.setdefault(group["row"], {})
        year_group = group["year_group_then"]
        row = rows.setdefault(
            year_group, CoverageRow(year_group=year_group, label=year_group_label(year_group))
        )
        row.add(
            group["disadvantaged"],
            CoverageCounts(group["on_roll"], group["benchmark_5"], group["benchmark_6"]),
        )
    return [
        {"school": item, "rows": [rows[y] for y in sorted(rows)]}
        for key, item in rows_by_key.items()
        if (rows := by_row.get(key))
    ]


def _published(shaped, year: AcademicYear):
    published = publication.area_coverage(user=None, area=None, year=year, schools=shaped)
    tables = published["by_measure"]
    result = {"year_groups": published["year_groups"], "benchmark_5": None, "benchmark_6": None}
    if not tables:
        return result
    result["on_roll"] = tables["on_roll"]
    result["benchmark_5"] = tables["with_one"]
    columns = [j for j, (y, _) in enumerate(published["year_groups"]) if y in BENCHMARK_6_YEARS]
    result["benchmark_6_year_groups"] = [published["year_groups"][j] for j in columns]
    result["benchmark_6"] = {
        "rows": [
            {"school": row["school"], "cells": [row["cells"][j] for j in columns]}
            for row in tables["with_four"]["rows"]
        ],
        "totals": [tables["with_four"]["totals"][j] for j in columns],
    }
    return result


@reads_from_replica
def area_benchmarks(*, user, area, year: AcademicYear) -> dict:
    """Benchmark 5 and 6 counts by school and year group for an area,
    suppressed. The pupils are read only as counts, for the schools the
    user may see in the area."""
    schools = {school.pk: school for school in area_schools(user=user, area=area)}
    groups = _groups(
        Pupil.objects.filter(school__in=list(schools)), year, "disadvantaged", "school"
    )
    groups = [{**g, "row": g["school"]} for g in groups]
    return _published(_coverage_shape(groups, schools), year)


@reads_from_replica
def programme_benchmarks(*, user, year: AcademicYear, leave_out=frozenset()) -> dict:
    """The same by area for the areas the user may see (all 12 for DfE),
    less ``leave_out`` (areas whose figures for the year are in a release
    series, ADR 0011). An area's row is its own area page's totals, as
    published there, so the table shows nothing the area pages do not; the
    all-areas total of a figure is shown only when every area's is."""
    areas = [
        area for area in visible_to(Area.objects.order_by("name"), user) if area.pk not in leave_out
    ]
    published = [(area, area_benchmarks(user=user, area=area, year=year)) for area in areas]
    published = [(area, figures) for area, figures in published if figures["benchmark_5"]]
    result = {"year_groups": [], "benchmark_5": None, "benchmark_6": None}
    if not published:
        return result
    year_groups = sorted({y for _, figures in published for y in figures["year_groups"]})
    six = sorted({y for _, f in published for y in f.get("benchmark_6_year_groups", [])})
    result["year_groups"] = year_groups
    result["benchmark_6_year_groups"] = six

    def table(name, columns, grand=True):
        rows = []
        for area, figures in published:
            by_year = dict(
                zip(
                    figures[f"{name}_year_groups" if name == "benchmark_6" else "year_groups"],
                    figures[name]["totals"],
                    strict=True,
                )
            )
            rows.append(
                {
                    "school": ProgrammeRow(area),
                    "cells": [by_year.get(y, _NONE) for y in columns],
                    "total": figures[name].get("grand_total") if grand else None,
                }
            )
        return {
            "rows": rows,
            "totals": [_all_areas([row["cells"][j] for row in rows]) for j in range(len(columns))],
            "grand_total": _all_areas([row["total"] for row in rows]) if grand else None,
        }

    on_roll = table("on_roll", year_groups)
    result["on_roll"] = on_roll
    for name, columns, grand in (("benchmark_5", year_groups, True), ("benchmark_6", six, False)):
        counted = table(name, columns, grand)
        _rates_over(counted, on_roll, columns, year_groups)
        result[name] = counted
    return result


_NONE = publication.PublishedCell(Cell(0))


def _all_areas(cells):
    """The all-areas total of the areas' published cells (rate added later)."""
    return publication.PublishedCell(total_of_published(cell.count for cell in cells))


def _rates_over(counted, on_roll, columns, year_groups):
    """The all-areas totals' rates over the all-areas pupils on roll."""
    index = {y: j for j, y in enumerate(year_groups)}
    for j, y in enumerate(columns):
        cell = counted["totals"][j]
        denominator = on_roll["totals"][index[y]].count
        counted["totals"][j] = publication.PublishedCell(
            cell.count, shown_rate(cell.count, denominator)
        )
    if counted["grand_total"] is not None:
        cell = counted["grand_total"]
        counted["grand_total"] = publication.PublishedCell(
            cell.count, shown_rate(cell.count, on_roll["grand_total"].count)
        )
