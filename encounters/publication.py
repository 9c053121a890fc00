"""Coverage and encounter figures as published: tables with disclosure
control for anyone outside the school, CSV rows, and chart data.

The HTML pages and the CSV exports read these same functions, so disclosure
control is applied once.
"""

from dataclasses import dataclass

from django.utils import timezone

from core import ees
from core.charts import bar_chart
from core.disclosure import (
    NOT_APPLICABLE,
    SUPPRESSED,
    Cell,
    count_cell,
    rate_cell,
    suppress_table,
)
from core.ees import DataSet, Filter, Indicator

from . import selectors
from .models import FIRST_SECONDARY_YEAR, Programme, YearGroup, year_group_label
from .selectors import CoverageRow

MEASURES = (
    ("on_roll", "Pupils on roll"),
    ("with_one", "Pupils with at least one encounter this year"),
    ("with_four", "Pupils with at least four encounters since Year 7"),
)
SECONDARY_YEARS = range(FIRST_SECONDARY_YEAR, YearGroup.YEAR_13 + 1)


@dataclass(frozen=True)
class PublishedCell:
    count: Cell
    rate: Cell | None = None


def _rate(numerator: Cell, denominator: Cell) -> Cell:
    """A rate is shown only when both of its counts are shown."""
    if numerator.symbol or denominator.symbol:
        return Cell(None, numerator.symbol or denominator.symbol)
    return rate_cell(numerator.value, denominator.value)


def _gap(disadvantaged: Cell, others: Cell) -> Cell:
    if disadvantaged.symbol == SUPPRESSED or others.symbol == SUPPRESSED:
        return Cell(None, SUPPRESSED)
    if disadvantaged.symbol or others.symbol:
        return Cell(None, "x")
    return Cell(others.value - disadvantaged.value)


def area_coverage(*, user, area, year, schools=None):
    """Coverage by school and secondary year group, suppressed.

    ``schools`` is the per-school coverage to publish, by default read from
    attendance (encounters.selectors.area_coverage); reports pass the same
    figures from the summary tables (dashboard.selectors.area_school_coverage)."""
    if schools is None:
        schools = selectors.area_coverage(user=user, area=area, year=year)
    year_groups = sorted(
        {
            row.year_group
            for school in schools
            for row in school["rows"]
            if row.year_group >= FIRST_SECONDARY_YEAR
        }
    )
    by_key = {
        (i, row.year_group): row for i, school in enumerate(schools) for row in school["rows"]
    }

    def grid(measure, group="all"):
        return [
            [
                getattr(getattr(by_key[(i, y)], group), measure) if (i, y) in by_key else 0
                for y in year_groups
            ]
            for i in range(len(schools))
        ]

    tables = {}
    if schools and year_groups:
        suppressed = {measure: suppress_table(grid(measure)) for measure, _ in MEASURES}
        for measure, label in MEASURES:
            table = suppressed[measure]
            base = suppressed["on_roll"]

            def published(cell, denominator, measure=measure):
                return PublishedCell(
                    cell, None if measure == "on_roll" else _rate(cell, denominator)
                )

            tables[measure] = {
                "label": label,
                "rows": [
                    {
                        "school": school["school"],
                        "cells": [
                            published(cell, base.rows[i][j]) for j, cell in enumerate(table.rows[i])
                        ],
                        "total": published(table.row_totals[i], base.row_totals[i]),
                    }
                    for i, school in enumerate(schools)
                ],
                "totals": [
                    published(cell, base.column_totals[j])
                    for j, cell in enumerate(table.column_totals)
                ],
                "grand_total": published(table.grand_total, base.grand_total),
            }
    return {
        "year_groups": [(y, year_group_label(y)) for y in year_groups],
        "tables": [tables[m] for m, _ in MEASURES if m in tables],
        "by_measure": tables,
        "disadvantage": _disadvantage(schools, year_groups),
    }


def _disadvantage(schools, year_groups):
    """Disadvantaged pupils and others by year group, area-wide, and the gap."""
    totals = {}
    for school in schools:
        for row in school["rows"]:
            if row.year_group in year_groups:
                entry = totals.setdefault(
                    row.year_group, {"disadvantaged": [0, 0], "others": [0, 0]}
                )
                for group in ("disadvantaged", "others"):
                    counts = getattr(row, group)
                    entry[group][0] += counts.on_roll
                    entry[group][1] += counts.with_four
    if not year_groups:
        return []
    on_roll = suppress_table(
        [[totals[y][g][0] for y in year_groups] for g in ("disadvantaged", "others")]
    )
    with_four = suppress_table(
        [[totals[y][g][1] for y in year_groups] for g in ("disadvantaged", "others")]
    )
    rows = []
    for j, y in enumerate(year_groups):
        rates = [_rate(with_four.rows[g][j], on_roll.rows[g][j]) for g in (0, 1)]
        rows.append(
            {
                "label": year_group_label(y),
                "disadvantaged": PublishedCell(with_four.rows[0][j], rates[0]),
                "disadvantaged_on_roll": on_roll.rows[0][j],
                "others": PublishedCell(with_four.rows[1][j], rates[1]),
                "others_on_roll": on_roll.rows[1][j],
                "gap": _gap(rates[0], rates[1]),
            }
        )
    return rows


def _suppressed_list(rows, key):
    table = suppress_table([[row[key]] for row in rows], row_totals=False, column_totals=True)
    return [cells[0] for cells in table.rows], table.column_totals[0]


def area_breakdown(*, user, area, year):
    """Pupil encounters by type, programme and employer, suppressed, and the
    cornerstone employers' share of employer encounters."""
    data = selectors.area_encounter_breakdown(user=user, area=area, year=year)
    programmes = dict(Programme.choices)

    def listing(rows, label):
        if not rows:
            return {"rows": [], "total": Cell(0)}
        cells, total = _suppressed_list(rows, "n")
        return {
            "rows": [
                {"label": label(row), "pupils": cell, "encounters": row["encounters"]}
                for row, cell in zip(rows, cells, strict=True)
            ],
            "total": total,
        }

    share = data["cornerstone"]
    return {
        "by_type": listing(data["by_type"], lambda r: r["encounter__encounter_type__name"]),
        "by_programme": listing(
            data["by_programme"], lambda r: programmes.get(r["encounter__delivered_through"])
        ),
        "by_employer": listing(
            data["by_employer"],
            lambda r: (
                r["encounter__employers__name"]
                + (
                    " (cornerstone)"
                    if r["encounter__employers__kind"] == "cornerstone_employer"
                    else ""
                )
            ),
        ),
        "cornerstone_share": rate_cell(share["with_cornerstone"], share["with_employer"]),
        "employer_encounters": count_cell(share["with_employer"]),
    }


COVERAGE_FILTERS = (Filter("year_group", "Year group", "Filter by year group"),)
COVERAGE_INDICATORS = (
    Indicator("pupils_on_roll", "Pupils on roll", grouping="Pupils"),
    Indicator(
        "pupils_one_encounter", "Pupils with at least one encounter this year", grouping="Pupils"
    ),
    Indicator(
        "pupils_one_encounter_percent",
        "Percentage of pupils with at least one encounter this year",
        unit="%",
        dp=1,
        grouping="Pupils",
    ),
    Indicator(
        "pupils_four_encounters",
        "Pupils with at least four encounters since Year 7",
        grouping="Pupils",
    ),
    Indicator(
        "pupils_four_encounters_percent",
        "Percentage of pupils with at least four encounters since Year 7",
        unit="%",
        dp=1,
        grouping="Pupils",
    ),
)


def coverage_footnotes(year, today=None) -> tuple[str, ...]:
    """In-year coverage is provisional: encounters are still being recorded
    until the academic year closes on 31 August."""
    today = today or timezone.localdate()
    if today <= year.end:
        return (
            f"Figures for {year.label} are provisional until the academic year closes "
            f"on {year.end:%-d %B %Y}: schools are still recording encounters.",
        )
    return ()


def area_coverage_data_set(*, user, area, year) -> DataSet:
    """Open data (EES): a row per school and year group, per school and for
    the area, suppressed as on the page. An area with no schools still has
    its area rows, each secondary year group with no pupils."""
    published = area_coverage(user=user, area=area, year=year)
    tables = published["by_measure"]
    data_set = DataSet(
        name=f"encounter-coverage-{area.slug}-{year.time_period}",
        title=f"Encounter coverage, {area.name}, {year.label}",
        filters=COVERAGE_FILTERS,
        indicators=COVERAGE_INDICATORS,
        levels=(ees.OPPORTUNITY_AREA, ees.SCHOOL),
        footnotes=coverage_footnotes(year),
    )
    time = ees.academic_year(year)
    if not tables:
        nobody = PublishedCell(count_cell(0), rate_cell(0, 0))
        for label in [year_group_label(y) for y in SECONDARY_YEARS] + [ees.TOTAL]:
            data_set.add(
                time=time,
                location=ees.opportunity_area(area),
                year_group=label,
                **_coverage_values(PublishedCell(count_cell(0)), nobody, nobody),
            )
        return data_set
    year_labels = [label for _, label in published["year_groups"]] + [ees.TOTAL]

    def cells(measure, i, j):
        table = tables[measure]
        if i is None:
            row = [*table["totals"], table["grand_total"]]
        else:
            row = [*table["rows"][i]["cells"], table["rows"][i]["total"]]
        return row[j]

    schools = [row["school"] for row in tables["on_roll"]["rows"]]
    for i in [*range(len(schools)), None]:
        location = ees.opportunity_area(area) if i is None else ees.school(schools[i], area)
        for j, label in enumerate(year_labels):
            data_set.add(
                time=time,
                location=location,
                year_group=label,
                **_coverage_values(
                    cells("on_roll", i, j), cells("with_one", i, j), cells("with_four", i, j)
                ),
            )
    return data_set


def _coverage_values(on_roll, one, four):
    return {
        "pupils_on_roll": on_roll.count.csv_value,
        "pupils_one_encounter": one.count.csv_value,
        "pupils_one_encounter_percent": one.rate.csv_value,
        "pupils_four_encounters": four.count.csv_value,
        "pupils_four_encounters_percent": four.rate.csv_value,
    }


SCHOOL_INDICATORS = (
    *COVERAGE_INDICATORS,
    Indicator("disadvantaged_on_roll", "Disadvantaged pupils on roll", grouping="Disadvantaged"),
    Indicator(
        "disadvantaged_four_encounters",
        "Disadvantaged pupils with at least four encounters since Year 7",
        grouping="Disadvantaged",
    ),
    Indicator(
        "disadvantaged_four_encounters_percent",
        "Percentage of disadvantaged pupils with at least four encounters since Year 7",
        unit="%",
        dp=1,
        grouping="Disadvantaged",
    ),
    Indicator("others_on_roll", "Other pupils on roll", grouping="Other pupils"),
    Indicator(
        "others_four_encounters",
        "Other pupils with at least four encounters since Year 7",
        grouping="Other pupils",
    ),
    Indicator(
        "others_four_encounters_percent",
        "Percentage of other pupils with at least four encounters since Year 7",
        unit="%",
        dp=1,
        grouping="Other pupils",
    ),
    Indicator(
        "gap_four_encounters_percentage_points",
        "Gap between other and disadvantaged pupils with at least four encounters",
        unit="pp",
        dp=1,
        grouping="Disadvantaged",
    ),
)


def school_coverage_data_set(coverage, *, school, year) -> DataSet:
    """The school's own figures (school staff see them unsuppressed, as on
    the page), as an EES data set: a row per year group and the total. The
    pledge applies from Year 7: earlier year groups' pledge figures are ``z``;
    a rate over no pupils is ``z`` too. A school with no pupils on its roster
    has its secondary year groups with none."""
    data_set = DataSet(
        name=f"encounter-coverage-{school.urn}-{year.time_period}",
        title=f"Encounter coverage, {school.name}, {year.label}",
        filters=COVERAGE_FILTERS,
        indicators=SCHOOL_INDICATORS,
        levels=(ees.OPPORTUNITY_AREA, ees.SCHOOL),
        footnotes=coverage_footnotes(year),
    )

    def figure(value, applies=True):
        if not applies or value is None:
            return NOT_APPLICABLE
        return value

    location = ees.school(school, school.area)
    # A school with no pupils on its roster yet: the pledge's year groups, empty.
    rows = coverage["rows"] or [
        CoverageRow(year_group=y, label=year_group_label(y)) for y in SECONDARY_YEARS
    ]
    for row in [*rows, coverage["total"]]:
        applies = row.pledge_applies
        data_set.add(
            time=ees.academic_year(year),
            location=location,
            year_group=ees.TOTAL if row is coverage["total"] else row.label,
            pupils_on_roll=row.all.on_roll,
            pupils_one_encounter=row.all.with_one,
            pupils_one_encounter_percent=figure(row.all.one_rate),
            pupils_four_encounters=figure(row.all.with_four, applies),
            pupils_four_encounters_percent=figure(row.all.four_rate, applies),
            disadvantaged_on_roll=row.disadvantaged.on_roll,
            disadvantaged_four_encounters=figure(row.disadvantaged.with_four, applies),
            disadvantaged_four_encounters_percent=figure(row.disadvantaged.four_rate, applies),
            others_on_roll=row.others.on_roll,
            others_four_encounters=figure(row.others.with_four, applies),
            others_four_encounters_percent=figure(row.others.four_rate, applies),
            gap_four_encounters_percentage_points=figure(row.four_gap, applies),
        )
    return data_set


def school_coverage_chart(coverage, *, school, year):
    """The chart beside the coverage table (which holds the same figures)."""
    rows = [row for row in coverage["rows"] if row.pledge_applies]
    if not rows:
        return None
    return bar_chart(
        title=f"Encounter coverage by year group, {school.name}, {year.label}",
        desc=(
            "Percentage of pupils on roll in each year group with at least one meaningful "
            "employer encounter this year and with at least four since Year 7."
        ),
        categories=[row.label for row in rows],
        series=[
            ("At least one this year", [row.all.one_rate for row in rows]),
            ("At least four since Year 7", [row.all.four_rate for row in rows]),
        ],
        y_label="Percentage of pupils",
        y_min=0,
        y_max=100,
        y_suffix="%",
        category_header="Year group",
        id="coverage-chart",
    )
