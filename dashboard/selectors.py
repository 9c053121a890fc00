"""Reads for the cross-area dashboard: the page, its charts and its CSV read
``dashboard`` below, so scoping, filters and disclosure control are applied
once. Two queries whatever the data size: the areas with their summary rows
and their releases' suppression patterns, and the school coverage rows.
Never the raw attendance rows. Each area's encounter figures are the ones its
own live publication shows (``live_coverage``; ADR 0011)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from areas.models import Area, School
from core import ees
from core.charts import bar_chart
from core.disclosure import (
    NOT_APPLICABLE,
    Cell,
    count_cell,
    gap_cell,
    percentage,
    shown_rate,
    total_of_published,
)
from core.ees import DataSet, Filter, Indicator
from core.replica import reads_from_replica
from core.scoping import visible_to
from encounters.academic_years import AcademicYear
from encounters.publication import area_coverage, coverage_footnotes
from plans.models import ActionStatus, AreaPhase, LifeStage, ProgrammePhase
from plans.progress import Status
from releases import selectors as release_selectors

from .coverage import school_coverage_rows
from .models import SchoolCoverageSummary
from .services import COUNT_FIELDS, coverage_years

WAVES = (1, 2)
COVERAGE_COUNTS = (
    "on_roll",
    "with_four",
    "disadvantaged_on_roll",
    "disadvantaged_with_four",
    "others_on_roll",
    "others_with_four",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    link: str = ""  # the area page behind the figure: "plan", "coverage" or "funding"
    numeric: bool = True


COLUMNS = (
    Column("area", "Area", "Area", numeric=False),
    Column("wave", "Wave", "Area", numeric=True),
    *(
        Column(f"indicators_{status.value}", status.label, "Indicators", "plan")
        for status in Status
    ),
    Column("indicators_stale", "Stale", "Indicators", "plan"),
    *(
        Column(f"actions_{status.value}", status.label, "Actions", "plan")
        for status in ActionStatus
    ),
    Column("actions_overdue", "Overdue", "Actions", "plan"),
    Column("updates_due", "Updates overdue", "Actions", "plan"),
    Column("on_roll", "Secondary pupils on roll", "Encounters", "coverage"),
    Column("four_rate", "With four or more (%)", "Encounters", "coverage"),
    Column(
        "disadvantaged_four_rate", "Disadvantaged with four or more (%)", "Encounters", "coverage"
    ),
    Column("others_four_rate", "Others with four or more (%)", "Encounters", "coverage"),
    Column("gap", "Gap (percentage points)", "Encounters", "coverage"),
    Column("allocated", "Allocated (£)", "Funding", "funding"),
    Column("spent", "Spent (£)", "Funding", "funding"),
    Column("spent_rate", "Spent (%)", "Funding", "funding"),
)
SORT_KEYS = frozenset(column.key for column in COLUMNS)
COLUMN_GROUPS = ("Area", "Indicators", "Actions", "Encounters", "Funding")


@dataclass(frozen=True)
class Filters:
    wave: int | None = None
    life_stage: str = ""
    year: AcademicYear = field(default_factory=AcademicYear.current)
    sort: str = "area"
    descending: bool = False
    phase: ProgrammePhase | None = None

    @classmethod
    def from_query(cls, query, today=None) -> "Filters":
        """Filters from the query string; anything not on a whitelist is
        ignored rather than reaching the database."""
        years = {str(y.start_year): y for y in coverage_years(today)}
        wave = query.get("wave", "")
        life_stage = query.get("life_stage", "")
        sort = query.get("sort", "area")
        phase = query.get("phase", "")
        return cls(
            phase=ProgrammePhase.objects.filter(code=phase).first() if phase else None,
            wave=int(wave) if wave in {str(w) for w in WAVES} else None,
            life_stage=life_stage if life_stage in LifeStage.values else "",
            year=years.get(query.get("year", ""), AcademicYear.of(today or timezone.localdate())),
            sort=sort if sort in SORT_KEYS else "area",
            descending=query.get("order") == "desc",
        )

    def query(self, **changes) -> dict:
        values = {
            "wave": self.wave or "",
            "life_stage": self.life_stage,
            "year": self.year.start_year,
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
            "phase": self.phase.code if self.phase else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class DashboardRow:
    area: Area
    figures: dict  # column key -> int, Decimal or Cell
    as_of: object = None

    def sort_value(self, key):
        value = self.figures[key] if key != "area" else self.area.name
        if isinstance(value, Cell):
            return value.value
        return value


def live_coverage(*, user, areas, year: AcademicYear) -> dict:
    """Each area's coverage as its live area page publishes it, by area id:
    ``encounters.publication.area_coverage`` over the summary rows, in the
    area's series (the cells its releases of the year hid stay hidden; ADR
    0011). ``areas`` come from ``releases.selectors.with_series_patterns``.
    One query whatever the number of areas."""
    area_ids = [area.pk for area in areas]
    schools = {pk: {} for pk in area_ids}
    summaries = {pk: [] for pk in area_ids}
    visible = visible_to(School.objects.filter(area__in=area_ids), user)
    for summary in (
        SchoolCoverageSummary.objects.filter(school__in=visible, academic_year=year.start_year)
        .select_related("school")
        .order_by("school__name", "school", "year_group")
    ):
        schools[summary.school.area_id][summary.school_id] = summary.school
        summaries[summary.school.area_id].append(summary)
    return {
        area.pk: area_coverage(
            user=user,
            area=area,
            year=year,
            schools=school_coverage_rows(schools[area.pk], summaries[area.pk]),
            pattern=release_selectors.pattern_of(area.release_patterns),
        )
        for area in areas
    }


def _area_coverage_counts(published) -> dict[str, Cell]:
    """The area-wide counts behind the dashboard's encounter columns, as the
    area's own publication shows (or hides) them."""
    tables, split = published["by_measure"], published["disadvantage_total"]
    if not tables:
        return dict.fromkeys(COVERAGE_COUNTS, count_cell(0))
    return {
        "on_roll": tables["on_roll"]["grand_total"].count,
        "with_four": tables["with_four"]["grand_total"].count,
        "disadvantaged_on_roll": split["disadvantaged_on_roll"],
        "disadvantaged_with_four": split["disadvantaged"].count,
        "others_on_roll": split["others_on_roll"],
        "others_with_four": split["others"].count,
    }


def _encounter_figures(counts):
    rates = {
        group: shown_rate(counts[f"{prefix}with_four"], counts[f"{prefix}on_roll"])
        for group, prefix in (
            ("all", ""),
            ("disadvantaged", "disadvantaged_"),
            ("others", "others_"),
        )
    }
    return {
        "on_roll": counts["on_roll"],
        "four_rate": rates["all"],
        "disadvantaged_four_rate": rates["disadvantaged"],
        "others_four_rate": rates["others"],
        "gap": gap_cell(rates["disadvantaged"], rates["others"]),
    }


def published_coverage(areas, coverage):
    """Each area's encounter figures, and the all-areas total.

    An area's figures are the ones its own area page, open data and
    releases publish, so the dashboard shows nothing they hide. The total
    of a count is shown only when every area's count is: the areas' pages
    show every shown count, so a total over a hidden one would give it away
    by subtraction, whatever the dashboard hid beside it."""
    counts = [_area_coverage_counts(coverage[area.pk]) for area in areas]

    totals = {name: total_of_published(row[name] for row in counts) for name in COVERAGE_COUNTS}
    return [_encounter_figures(row) for row in counts], _encounter_figures(totals)


@reads_from_replica
def areas_in_phase(*, phase, year: AcademicYear):
    """The ids of the areas in a programme phase at some time in the
    academic year (ADR 0024)."""
    return (
        AreaPhase.objects.filter(phase=phase, start_date__lte=year.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year.start))
        .values("area_id")
    )


def dashboard(*, user, filters: Filters, coverage=None) -> dict:
    """The areas the user may see side by side, filtered and sorted, with an
    all-areas total row and charts. Areas without a summary yet show x.
    ``coverage`` is ``live_coverage`` for these areas when the caller has it."""
    areas = release_selectors.with_latest_release(
        release_selectors.with_series_patterns(
            visible_to(Area.objects.all(), user).select_related("summary").order_by("name"),
            year=filters.year,
        ),
        year=filters.year,
    )
    if filters.wave:
        areas = areas.filter(wave=filters.wave)
    if filters.phase:
        areas = areas.filter(pk__in=areas_in_phase(phase=filters.phase, year=filters.year))
    areas = list(areas)
    if coverage is None:
        coverage = live_coverage(user=user, areas=areas, year=filters.year)
    published, coverage_total = published_coverage(areas, coverage)
    rows = []
    totals = dict.fromkeys(COUNT_FIELDS, 0) | {"allocated": Decimal(0), "spent": Decimal(0)}
    for area, encounters in zip(areas, published, strict=True):
        summary = getattr(area, "summary", None)
        figures = {"wave": area.wave}
        if summary is None:
            figures |= dict.fromkeys(COUNT_FIELDS, Cell(None, "x"))
            figures |= {"allocated": Cell(None, "x"), "spent": Cell(None, "x")}
        else:
            counts = (
                summary.by_life_stage.get(filters.life_stage, dict.fromkeys(COUNT_FIELDS, 0))
                if filters.life_stage
                else {name: getattr(summary, name) for name in COUNT_FIELDS}
            )
            figures |= counts | {
                "allocated": summary.allocated_total,
                "spent": summary.spent_total,
            }
            for name in COUNT_FIELDS:
                totals[name] += counts[name]
            totals["allocated"] += summary.allocated_total
            totals["spent"] += summary.spent_total
        figures |= encounters
        figures["spent_rate"] = _money_rate(figures["spent"], figures["allocated"])
        rows.append(DashboardRow(area=area, figures=figures, as_of=summary and summary.as_of))
    rows.sort(key=lambda row: row.area.name)
    present = [r for r in rows if r.sort_value(filters.sort) is not None]
    missing = [r for r in rows if r.sort_value(filters.sort) is None]
    present.sort(key=lambda row: row.sort_value(filters.sort), reverse=filters.descending)
    rows = present + missing
    total = None
    if rows:
        total = totals | (coverage_total or {})
        total["spent_rate"] = _money_rate(total["spent"], total["allocated"])
    as_of = [row.as_of for row in rows if row.as_of]
    return {
        "rows": rows,
        "latest_releases": [
            link for area in areas if (link := release_selectors.latest_release_link(area))
        ],
        "total": total,
        "as_of": min(as_of) if as_of else None,
        "coverage_provisional": filters.year.is_provisional_on(),
    }


def display(value) -> str:
    """A figure as the page shows it: counts with thousands separators,
    pounds to the pound, a Cell as published."""
    if isinstance(value, int):
        return format(value, ",")
    if isinstance(value, Decimal):
        return format(value, ",.0f")
    if value is None:
        return "x"
    return str(value)


def _money_rate(spent, allocated):
    if isinstance(spent, Cell) or isinstance(allocated, Cell):
        return Cell(None, "x")
    if not allocated:
        return Cell(None, "z")
    return Cell(percentage(spent, allocated))


def dashboard_charts(rows, filters: Filters):
    """Bar charts beside the table; each carries the same figures as a table."""
    if not rows:
        return []
    names = [row.area.name for row in rows]
    year = filters.year.label
    return [
        bar_chart(
            title=f"Secondary pupils with four or more encounters since Year 7, {year}",
            desc=(
                "Percentage of secondary pupils on roll with at least four meaningful "
                "employer encounters since Year 7, disadvantaged pupils and others, by area."
            ),
            categories=names,
            series=[
                ("Disadvantaged", [row.figures["disadvantaged_four_rate"] for row in rows]),
                ("Others", [row.figures["others_four_rate"] for row in rows]),
            ],
            y_label="Percentage of pupils",
            y_min=0,
            y_max=100,
            y_suffix="%",
            category_header="Area",
            width=960,
            height=400,
            id="chart-coverage",
        ),
        bar_chart(
            title="Indicators by status",
            desc="Number of each area's indicators in each status, stacked, by area.",
            categories=names,
            series=[
                (
                    "On track or achieved",
                    [_sum(row, "indicators_on_track", "indicators_achieved") for row in rows],
                ),
                ("At risk", [row.figures["indicators_at_risk"] for row in rows]),
                ("Off track", [row.figures["indicators_off_track"] for row in rows]),
                ("No data", [row.figures["indicators_no_data"] for row in rows]),
            ],
            stacked=True,
            y_label="Indicators",
            category_header="Area",
            width=960,
            height=400,
            id="chart-indicators",
        ),
        bar_chart(
            title="Spend against allocation",
            desc="Funding allocated to each area and spent to date, in pounds, by area.",
            categories=names,
            series=[
                ("Allocated", [row.figures["allocated"] for row in rows]),
                ("Spent", [row.figures["spent"] for row in rows]),
            ],
            y_label="Pounds",
            category_header="Area",
            width=960,
            height=400,
            id="chart-funding",
        ),
    ]


def _sum(row, *keys):
    values = [row.figures[key] for key in keys]
    if any(isinstance(v, Cell) for v in values):
        return Cell(None, "x")
    return sum(values)


# Indicator columns named as encounters.publication names them.
CSV_NAMES = {
    "updates_due": "action_updates_overdue",
    "on_roll": "pupils_on_roll",
    "four_rate": "pupils_four_encounters_percent",
    "disadvantaged_four_rate": "disadvantaged_four_encounters_percent",
    "others_four_rate": "others_four_encounters_percent",
    "gap": "gap_four_encounters_percentage_points",
    "allocated": "allocated_pounds",
    "spent": "spent_pounds",
    "spent_rate": "spent_percent",
}
UNITS = {
    "four_rate": ("%", 1),
    "disadvantaged_four_rate": ("%", 1),
    "others_four_rate": ("%", 1),
    "gap": ("pp", 1),
    "allocated": ("£", 2),
    "spent": ("£", 2),
    "spent_rate": ("%", 1),
}
# Figures that plan priorities' life stages break down; the others are the
# area's whatever the life stage, so a life stage's row has them as z.
BY_LIFE_STAGE = frozenset(COUNT_FIELDS)
DATA_SET_COLUMNS = COLUMNS[2:]


def _indicator(column):
    unit, dp = UNITS.get(column.key, ("", 0))
    return Indicator(
        CSV_NAMES.get(column.key, column.key),
        f"{column.group}: {column.label}",
        unit=unit,
        dp=dp,
        grouping=column.group,
    )


DASHBOARD_FILTERS = (
    Filter("life_stage", "Life stage of the plan priority", "Filter by life stage"),
)
DASHBOARD_INDICATORS = tuple(_indicator(column) for column in DATA_SET_COLUMNS)


@reads_from_replica
def dashboard_data_set(*, user, year: AcademicYear) -> DataSet:
    """Open data (EES): every area the user may see for the year, figures
    as on the dashboard (suppressed alike), for all priorities (life stage
    Total) and for each life stage. Users who see every area also get the
    National row: the dashboard's total across the Opportunity Areas."""
    data_set = DataSet(
        name=f"opportunity-areas-dashboard-{year.time_period}",
        title=f"Opportunity Areas dashboard, {year.label}",
        filters=DASHBOARD_FILTERS,
        indicators=DASHBOARD_INDICATORS,
        levels=(ees.OPPORTUNITY_AREA,),
        footnotes=(
            "National rows are totals across the Opportunity Areas, not figures for all of "
            "England.",
            "Indicator and action counts are as of the date the figures were judged; "
            "encounter figures are for the academic year; funding is the total to date.",
            *coverage_footnotes(year),
        ),
    )
    areas = list(
        release_selectors.with_series_patterns(visible_to(Area.objects.all(), user), year=year)
    )
    national = len(areas) == Area.objects.count()
    coverage = live_coverage(user=user, areas=areas, year=year)
    for life_stage in ["", *LifeStage.values]:
        result = dashboard(
            user=user, filters=Filters(year=year, life_stage=life_stage), coverage=coverage
        )
        label = LifeStage(life_stage).label if life_stage else ees.TOTAL
        located = [(ees.opportunity_area(row.area), row.figures) for row in result["rows"]]
        if national and result["total"] is not None:
            located.append((ees.national(), result["total"]))
        for location, figures in located:
            data_set.add(
                time=ees.academic_year(year),
                location=location,
                life_stage=label,
                **{
                    indicator.col_name: (
                        _csv_figure(figures[column.key])
                        if not life_stage or column.key in BY_LIFE_STAGE
                        else NOT_APPLICABLE
                    )
                    for column, indicator in zip(
                        DATA_SET_COLUMNS, DASHBOARD_INDICATORS, strict=True
                    )
                },
            )
    return data_set


def _csv_figure(figure):
    if isinstance(figure, Cell):
        return figure.csv_value
    if isinstance(figure, Decimal):
        return format(figure, "f")
    return figure
