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
    TOTAL_KEY,
    Cell,
    SeriesPattern,
    cell_key,
    count_cell,
    gap_cell,
    rate_cell,
    shown_rate,
    suppress_keyed_table,
)
from core.ees import DataSet, Filter, Indicator
from dashboard.coverage import area_encounter_breakdown, area_school_coverage
from partners.models import EMPLOYER_KINDS, Organisation, OrganisationKind

from .models import FIRST_SECONDARY_YEAR, EncounterType, Programme, YearGroup, year_group_label
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


def area_coverage(*, user, area, year, schools=None, pattern: SeriesPattern | None = None):
    """Coverage by school and secondary year group, suppressed.

    ``schools`` is the per-school coverage to publish, by default the
    summary tables' (dashboard.coverage.area_school_coverage); reports pass
    the coverage as at the end of their period.

    ``pattern`` is the series the figures belong to (ADR 0011): the cells
    hidden by the area's earlier releases of the year stay hidden. In a
    series every secondary year group has a column, so a year group's first
    pupil never adds a column, and every school that teaches secondary ages
    has a row, so its first pupil never adds a row. The result's "pattern"
    is what this publication hides."""
    if schools is None:
        schools = area_school_coverage(user=user, area=area, year=year)
    if pattern is not None:
        year_groups = [y for y in YearGroup.values if y >= FIRST_SECONDARY_YEAR]
    else:
        # Published afresh, a school with no pupils yet is left out.
        schools = [school for school in schools if school["rows"]]
        year_groups = sorted(
            {
                row.year_group
                for school in schools
                for row in school["rows"]
                if row.year_group >= FIRST_SECONDARY_YEAR
            }
        )
    tables = {}
    disadvantage = []
    disadvantage_total = None
    hidden = SeriesPattern.empty()
    if schools and year_groups:
        coverage, by_group = _coverage_tables(schools, year_groups, pattern)
        hidden = SeriesPattern(
            {name: keyed.hidden for name, keyed in (coverage | by_group).items()}
        )
        suppressed = {measure: coverage[f"coverage:{measure}"].table for measure, _ in MEASURES}
        base = suppressed["on_roll"]
        for measure, label in MEASURES:
            table = suppressed[measure]

            def published(cell, denominator, measure=measure):
                return PublishedCell(
                    cell, None if measure == "on_roll" else shown_rate(cell, denominator)
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
        disadvantage = _disadvantage_rows(by_group, year_groups)
        disadvantage_total = _disadvantage_total(by_group)
    return {
        "year_groups": [(y, year_group_label(y)) for y in year_groups],
        "tables": [tables[m] for m, _ in MEASURES if m in tables],
        "by_measure": tables,
        "disadvantage": disadvantage,
        "disadvantage_total": disadvantage_total,
        "pattern": hidden,
    }


GROUPS = ("disadvantaged", "others")
# The disadvantage table splits these coverage tables' year-group totals.
SPLIT_MEASURES = ("on_roll", "with_four")


def _coverage_tables(schools, year_groups, pattern):
    """The coverage tables and the disadvantage tables, suppressed together.

    Two links between them let one table give another's hidden entry away,
    so an entry hidden in one is hidden in the other, until none hides more:
    a disadvantage table's year-group totals and grand total are the
    coverage table's (the disadvantaged and the others add up to all
    pupils); and pupils with encounters are among the pupils on roll, so a
    shown count of them would bound a hidden count on roll from below."""
    by_key = {
        (i, row.year_group): row for i, school in enumerate(schools) for row in school["rows"]
    }
    school_keys = [str(school["school"].urn) for school in schools]
    year_keys = [str(y) for y in year_groups]

    def count(i, y, group, measure):
        row = by_key.get((i, y))
        return getattr(getattr(row, group), measure) if row else 0

    grids = {
        f"coverage:{measure}": (
            [[count(i, y, "all", measure) for y in year_groups] for i in range(len(schools))],
            school_keys,
        )
        for measure, _ in MEASURES
    } | {
        f"disadvantage:{measure}": (
            [
                [sum(count(i, y, group, measure) for i in range(len(schools))) for y in year_groups]
                for group in GROUPS
            ],
            GROUPS,
        )
        for measure in SPLIT_MEASURES
    }
    also_hidden = {name: set() for name in grids}
    while True:
        tables = {
            name: suppress_keyed_table(
                grid,
                row_keys=row_keys,
                column_keys=year_keys,
                pattern=pattern,
                table=name,
                also_hidden=also_hidden[name],
            )
            for name, (grid, row_keys) in grids.items()
        }
        wanted = {name: set() for name in grids}
        for measure in SPLIT_MEASURES:
            coverage, split = f"coverage:{measure}", f"disadvantage:{measure}"
            wanted[split] |= _area_totals(tables[coverage].hidden)
            wanted[coverage] |= _area_totals(tables[split].hidden)
        for more, fewer in DIFFERENCES:
            wanted[fewer] |= tables[more].hidden
            if pattern is not None:
                # In a series a difference's two counts are hidden in the same
                # cells, so the difference never needs a complement of its
                # own: as it falls it could otherwise need one for the first
                # time in a later publication (ADR 0011).
                wanted[more] |= tables[fewer].hidden
        for more, fewer in DIFFERENCES:
            wanted[fewer] |= _difference_complements(grids, tables, more, fewer, year_keys)
        grew = False
        for name, keys in wanted.items():
            more = tables[name].not_yet_hidden(keys)
            if more:
                also_hidden[name] |= more
                grew = True
        if not grew:
            coverage = {name: t for name, t in tables.items() if name.startswith("coverage:")}
            by_group = {name: t for name, t in tables.items() if name.startswith("disadvantage:")}
            return coverage, by_group


# Pairs of tables where the second counts some of the first's pupils. Their
# difference (pupils on roll without an encounter this year, without four
# since Year 7) is a count too, and a reader knows it is never negative.
# (Pupils with four since Year 7 need not have one this year.)
DIFFERENCES = (
    ("coverage:on_roll", "coverage:with_one"),
    ("coverage:on_roll", "coverage:with_four"),
    ("disadvantage:on_roll", "disadvantage:with_four"),
)


def _difference_complements(grids, tables, more, fewer, year_keys):
    """Keys to hide in ``fewer`` so that the difference table of ``more``
    and ``fewer`` gives nothing away.

    A difference entry is unknown where either table hides its entry; where
    just one of them does, knowing the difference gives the hidden count
    away, so it is protected (where both do, it is an unknown that needs no
    protection of its own). When the unknown entries of a line of
    differences add up to 0 (every hidden count of pupils with encounters
    equals its count on roll, and the line's totals are shown), each is 0;
    likewise a protected difference that is the only unknown of its line.
    The difference table is suppressed like any other, with no threshold of
    its own (its small values are not what is protected), and what it hides
    beyond the two tables' hidden entries is hidden in ``fewer``."""
    (big, row_keys), (small, _) = grids[more], grids[fewer]
    difference = [
        [a - b for a, b in zip(row_a, row_b, strict=True)]
        for row_a, row_b in zip(big, small, strict=True)
    ]
    keyed = suppress_keyed_table(
        difference,
        row_keys=row_keys,
        column_keys=year_keys,
        pattern=None,
        table=f"{more}-{fewer}",
        also_hidden=tables[more].hidden ^ tables[fewer].hidden,
        unprotected=tables[more].hidden & tables[fewer].hidden,
        threshold=1,
    )
    return keyed.hidden - tables[more].hidden - tables[fewer].hidden


def _area_totals(keys):
    """The year-group totals and grand total among a table's hidden keys."""
    return {key for key in keys if key.startswith(f"{TOTAL_KEY}|")}


def _disadvantage_rows(by_group, year_groups):
    """Disadvantaged pupils and others by year group, area-wide, and the gap."""
    on_roll = by_group["disadvantage:on_roll"].table
    with_four = by_group["disadvantage:with_four"].table
    rows = []
    for j, y in enumerate(year_groups):
        rates = [shown_rate(with_four.rows[g][j], on_roll.rows[g][j]) for g in (0, 1)]
        rows.append(
            {
                "label": year_group_label(y),
                "disadvantaged": PublishedCell(with_four.rows[0][j], rates[0]),
                "disadvantaged_on_roll": on_roll.rows[0][j],
                "others": PublishedCell(with_four.rows[1][j], rates[1]),
                "others_on_roll": on_roll.rows[1][j],
                "gap": gap_cell(rates[0], rates[1]),
            }
        )
    return rows


def _disadvantage_total(by_group):
    """Disadvantaged pupils and others across the area's year groups (the
    disadvantage tables' row totals, suppressed with them), and the gap: the
    area's figures the dashboard shows."""
    on_roll = by_group["disadvantage:on_roll"].table
    with_four = by_group["disadvantage:with_four"].table
    rates = [shown_rate(with_four.row_totals[g], on_roll.row_totals[g]) for g in (0, 1)]
    return {
        "disadvantaged": PublishedCell(with_four.row_totals[0], rates[0]),
        "disadvantaged_on_roll": on_roll.row_totals[0],
        "others": PublishedCell(with_four.row_totals[1], rates[1]),
        "others_on_roll": on_roll.row_totals[1],
        "gap": gap_cell(rates[0], rates[1]),
    }


@dataclass(frozen=True)
class BreakdownCounts:
    """Pupil encounters (one per pupil per encounter) this year, counted by
    type, by programme and by employer (an encounter with two employers
    counts for each). ``*_encounters`` are the encounters behind each row.
    Keys are labels; employers are (name, is_cornerstone)."""

    by_type: dict[str, int]
    by_programme: dict[str, int]
    by_employer: dict[tuple[str, bool], int]
    type_encounters: dict[str, int]
    programme_encounters: dict[str, int]
    employer_encounters: dict[tuple[str, bool], int]


def area_breakdown(*, user, area, year, pattern: SeriesPattern | None = None):
    """Pupil encounters by type, programme and employer, suppressed, and the
    cornerstone employers' share of pupil encounters with employers.

    In a series (``pattern``) every encounter type, programme and employer
    has a row, zero or not, so a row appearing never gives a count away."""
    data = area_encounter_breakdown(user=user, area=area, year=year)
    programmes = dict(Programme.choices)

    def counted(counts, label=lambda key: key):
        pupils = {label(key): n for key, (n, _) in counts.items()}
        return pupils, {label(key): n for key, (_, n) in counts.items()}

    by_type, type_encounters = counted(data["by_type"])
    by_programme, programme_encounters = counted(data["by_programme"], programmes.get)
    by_employer, employer_encounters = counted(
        data["by_employer"],
        lambda key: (key[0], key[1] == OrganisationKind.CORNERSTONE_EMPLOYER),
    )
    if pattern is not None:
        by_type = dict.fromkeys(EncounterType.objects.values_list("name", flat=True), 0) | by_type
        by_programme = dict.fromkeys(programmes.values(), 0) | by_programme
        employers = Organisation.objects.filter(kind__in=EMPLOYER_KINDS).values_list("name", "kind")
        by_employer = {
            (name, kind == OrganisationKind.CORNERSTONE_EMPLOYER): 0 for name, kind in employers
        } | by_employer
    return published_breakdown(
        BreakdownCounts(
            by_type=by_type,
            by_programme=by_programme,
            by_employer=by_employer,
            type_encounters=type_encounters,
            programme_encounters=programme_encounters,
            employer_encounters=employer_encounters,
        ),
        pattern=pattern,
    )


def published_breakdown(counts: BreakdownCounts, *, pattern: SeriesPattern | None):
    """The breakdown lists as published, suppressed together.

    The lists by type and by programme count the same pupil encounters, so
    their totals are one figure. The employer list has a subtotal for the
    cornerstone employers and one for the others; the share sentence is the
    first subtotal over the total, so it is shown exactly when both are, and
    "of N" is the list's total: the sentence can say nothing the list hides.
    """
    cornerstone = {name: n for (name, flag), n in counts.by_employer.items() if flag}
    others = {name: n for (name, flag), n in counts.by_employer.items() if not flag}
    lists = {
        "breakdown:by_type": counts.by_type,
        "breakdown:by_programme": counts.by_programme,
        "breakdown:cornerstone_employers": cornerstone,
        "breakdown:other_employers": others,
    }
    # Entries that must be hidden in a list because another list or the
    # employers' subtotal line hides the same figure.
    also_hidden = {name: set() for name in [*lists, "breakdown:employers"]}
    total = cell_key(TOTAL_KEY, "n")
    while True:
        suppressed = {
            name: _suppressed_list(rows, name, pattern, also_hidden[name])
            for name, rows in lists.items()
        }
        subtotals = suppress_keyed_table(
            [[sum(cornerstone.values()), sum(others.values())]],
            row_keys=["employers"],
            column_keys=["cornerstone", "other"],
            pattern=pattern,
            table="breakdown:employers",
            also_hidden=also_hidden["breakdown:employers"],
            column_totals=False,
        )
        wanted = {
            "breakdown:by_type": suppressed["breakdown:by_programme"].hidden & {total},
            "breakdown:by_programme": suppressed["breakdown:by_type"].hidden & {total},
            "breakdown:cornerstone_employers": (
                {total} if subtotals.hides("employers", "cornerstone") else set()
            ),
            "breakdown:other_employers": (
                {total} if subtotals.hides("employers", "other") else set()
            ),
        }
        wanted_subtotals = {
            cell_key("employers", column)
            for column, name in (
                ("cornerstone", "breakdown:cornerstone_employers"),
                ("other", "breakdown:other_employers"),
            )
            if total in suppressed[name].hidden
        }
        grew = subtotals.not_yet_hidden(wanted_subtotals)
        also_hidden["breakdown:employers"] |= grew
        employers_total = cell_key("employers", TOTAL_KEY)
        for name, key in _employer_line_complements(subtotals, suppressed, lists, EMPLOYER_LISTS):
            if name is None:
                also_hidden["breakdown:employers"].add(employers_total)
            else:
                also_hidden[name].add(cell_key(key, "n"))
            grew = True
        for name, keys in wanted.items():
            more = suppressed[name].not_yet_hidden(keys)
            if more:
                also_hidden[name] |= more
                grew = True
        if not grew:
            break

    def listing(name, encounters, label=lambda key: key):
        keyed = suppressed[name]
        rows = [
            {
                "label": label(key),
                "pupils": keyed.table.rows[i][0],
                "encounters": encounters.get(key, 0),
            }
            for i, key in enumerate(lists[name])
        ]
        return {"rows": rows, "total": keyed.table.column_totals[0] if rows else Cell(0)}

    employer_total = subtotals.table.row_totals[0]
    cornerstone_subtotal, other_subtotal = subtotals.table.rows[0]
    cornerstone_rows = listing(
        "breakdown:cornerstone_employers",
        {name: n for (name, flag), n in counts.employer_encounters.items() if flag},
        lambda name: f"{name} (cornerstone)",
    )["rows"]
    other_rows = listing(
        "breakdown:other_employers",
        {name: n for (name, flag), n in counts.employer_encounters.items() if not flag},
    )["rows"]
    return {
        "by_type": listing("breakdown:by_type", counts.type_encounters),
        "by_programme": listing("breakdown:by_programme", counts.programme_encounters),
        "by_employer": {
            "rows": cornerstone_rows + other_rows,
            "cornerstone_total": cornerstone_subtotal,
            "other_total": other_subtotal,
            "total": employer_total,
        },
        "cornerstone_share": shown_rate(cornerstone_subtotal, employer_total),
        "employer_encounters": employer_total,
        "pattern": SeriesPattern(
            {name: keyed.hidden for name, keyed in suppressed.items()}
            | {"breakdown:employers": subtotals.hidden}
        ),
    }


EMPLOYER_LISTS = ("breakdown:cornerstone_employers", "breakdown:other_employers")


def _employer_line_complements(subtotals, suppressed, lists, names):
    """The employer list read as one line, every employer's row under the
    list's total, suppressed with the rows and total its parts hide (as the
    difference tables are): a line whose hidden rows add up to nothing (all
    zeros, hidden in a series), or that has one unknown, needs another row
    hidden. Returns (list name, row key) for each row it hides beyond them,
    and (None, None) for the total."""
    entries = [(name, key, n) for name in names for key, n in lists[name].items()]
    if not entries:
        return set()
    hidden = {
        cell_key(str(i), "n")
        for i, (name, key, _) in enumerate(entries)
        if suppressed[name].hides(key, "n")
    }
    if subtotals.hides("employers", TOTAL_KEY):
        hidden.add(cell_key(TOTAL_KEY, "n"))
    line = suppress_keyed_table(
        [[n] for _, _, n in entries],
        row_keys=[str(i) for i in range(len(entries))],
        column_keys=["n"],
        pattern=None,
        table="breakdown:all_employers",
        also_hidden=hidden,
        threshold=1,
        row_totals=False,
    )
    more = set()
    for key in line.hidden - hidden:
        row = key.split("|")[0]
        more.add((None, None) if row == TOTAL_KEY else entries[int(row)][:2])
    return more


def _suppressed_list(rows, name, pattern, also_hidden):
    return suppress_keyed_table(
        [[n] for n in rows.values()],
        row_keys=list(rows),
        column_keys=["n"],
        pattern=pattern,
        table=name,
        also_hidden=also_hidden,
        row_totals=False,
    )


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


def area_coverage_data_set(*, user, area, year, pattern: SeriesPattern | None = None) -> DataSet:
    """Open data (EES): a row per school and year group, per school and for
    the area, suppressed as on the page (in the same series, ``pattern``). An
    area with no schools still has its area rows, each secondary year group
    with no pupils."""
    published = area_coverage(user=user, area=area, year=year, pattern=pattern)
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
