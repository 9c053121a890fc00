"""A report's files, drawn from its snapshot alone: an HTML document to read
in the browser or print, the same document as a PDF (WeasyPrint), the
figures as tidy CSV (Explore Education Statistics format) and the snapshot
itself as JSON.

The HTML and the PDF are one document, rendered once from
reports/document.html, with one stylesheet, reports/static/reports/report.css:
screen rules for the browser, @page rules (running header, page numbers, the
OFFICIAL marking) for print. The browser loads the stylesheet from /static/
(the Content-Security-Policy allows no inline style); WeasyPrint reads the
same file from disk when it follows the same link. Charts are the pages' own
SVG partials (core/templates/charts/).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import render_to_string

from core import charts, ees
from core.disclosure import NOT_APPLICABLE, NOT_AVAILABLE
from plans.charts import funding_year_chart, indicator_line_chart
from plans.models import ActionStatus
from plans.progress import Status

from .snapshot import cell

STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "report.css"
MARKING = "OFFICIAL"


@dataclass(frozen=True)
class RenderedFile:
    name: str
    content: bytes


def report_files(
    data: dict, *, stem: str, on_progress: Callable[[int], None] = lambda percent: None
) -> dict[str, RenderedFile]:
    """The four files, keyed by the ReportRun field that will hold each."""
    html = report_html(data)
    on_progress(55)
    pdf = report_pdf(html)
    on_progress(85)
    open_data = ees.zip_bytes(ees.data_set_files(report_data_sets(data, stem=stem)))
    snapshot = json.dumps(data, indent=2, ensure_ascii=False).encode()
    on_progress(95)
    return {
        "html_file": RenderedFile(f"{stem}.html", html.encode()),
        "pdf_file": RenderedFile(f"{stem}.pdf", pdf),
        "csv_file": RenderedFile(f"{stem}-data.zip", open_data),
        "snapshot_file": RenderedFile(f"{stem}.json", snapshot),
    }


# --- HTML and PDF -------------------------------------------------------------


def report_html(data: dict) -> str:
    """The report as a standalone HTML document linking its stylesheet.

    The link is the stylesheet's plain name under STATIC_URL, never a hashed
    (manifest) name: a stored report outlives deployments, and the hashed
    name of today's file is gone after the next one."""
    return render_to_string("reports/document.html", _document_context(data))


def report_pdf(html: str) -> bytes:
    """The HTML document (report_html) as a PDF."""
    from .pdf import document_pdf

    return document_pdf(html, stylesheet_url=_stylesheet_url(), stylesheet=STYLESHEET)


def _stylesheet_url() -> str:
    return f"{settings.STATIC_URL}reports/report.css"


def _document_context(data: dict) -> dict:
    priorities = [
        {
            **priority,
            "indicators": [
                {**indicator, "chart": indicator_chart(indicator)}
                for indicator in priority["indicators"]
            ],
        }
        for priority in data["priorities"]
    ]
    encounters = data["encounters"]
    return {
        **data,
        "priorities": priorities,
        "encounter_charts": _encounter_charts(encounters),
        "funding_chart": _funding_chart(data["funding"]),
        "generated_at": datetime.fromisoformat(data["report"]["generated_at"]),
        "as_at": date.fromisoformat(data["report"]["as_at"]),
        "stylesheet": _stylesheet_url(),
        "marking": MARKING,
    }


def indicator_chart(indicator: dict) -> charts.LineChart:
    """The indicator page's chart (plans.charts), drawn from the snapshot."""
    relative = indicator["relative"]

    def shown(point):
        value = point["compared_value"] if relative else point["value"]
        return None if value is None else _as_recorded(Decimal(value))

    forecast = indicator["forecast"]
    return indicator_line_chart(
        lineage_id=indicator["lineage_id"],
        name=indicator["name"],
        baseline_date=_date(indicator["baseline"]["date"]),
        measured=[
            (_date(p["date"]), shown(p))
            for p in [indicator["baseline"], *indicator["measurements"]]
        ],
        trajectory=[
            (_date(p["date"]), _as_recorded(Decimal(p["value"]))) for p in indicator["trajectory"]
        ],
        forecast=None
        if forecast is None
        else {
            "final_date": _date(forecast["final_date"]),
            "projected": Decimal(forecast["projected"]),
            "slope_per_year": Decimal(forecast["slope_per_year"]),
        },
        relative=relative,
        comparator_name=indicator["comparator"] or "",
        unit=indicator["unit"],
        unit_label=indicator["unit_label"],
    )


def _encounter_charts(encounters: dict) -> dict:
    year_groups = encounters["year_groups"]
    disadvantage = encounters["disadvantage"]
    if not year_groups:
        return {}
    return {
        "coverage": charts.bar_chart(
            title=f"Encounter coverage by year group, {encounters['academic_year']}",
            desc=(
                "Percentage of pupils on roll in each secondary year group with at least one "
                "meaningful employer encounter this year and with at least four since Year 7; "
                "the table above gives every figure."
            ),
            categories=[row["label"] for row in year_groups],
            series=[
                ("At least one this year", [cell(r["with_one_rate"]) for r in year_groups]),
                ("At least four since Year 7", [cell(r["with_four_rate"]) for r in year_groups]),
            ],
            y_label="Percentage of pupils",
            y_suffix="%",
            y_max=100,
            id="encounter-coverage",
            category_header="Year group",
        ),
        "disadvantage": charts.bar_chart(
            title=f"Four encounters since Year 7 by disadvantage, {encounters['academic_year']}",
            desc=(
                "Percentage of disadvantaged pupils and of other pupils in each secondary year "
                "group with at least four meaningful employer encounters since Year 7; the "
                "table above gives every figure."
            ),
            categories=[row["label"] for row in disadvantage],
            series=[
                (
                    "Disadvantaged pupils",
                    [cell(r["disadvantaged_with_four_rate"]) for r in disadvantage],
                ),
                ("Other pupils", [cell(r["others_with_four_rate"]) for r in disadvantage]),
            ],
            y_label="Percentage of pupils",
            y_suffix="%",
            y_max=100,
            id="encounter-disadvantage",
            category_header="Year group",
        )
        if disadvantage
        else None,
    }


def _funding_chart(funding: dict):
    by_year: dict[str, list[Decimal]] = {}
    for row in funding["rows"]:
        totals = by_year.setdefault(row["financial_year_label"], [Decimal(0), Decimal(0)])
        totals[0] += Decimal(row["allocated"])
        totals[1] += Decimal(row["spent"])
    return funding_year_chart(by_year)


def _as_recorded(value: Decimal) -> Decimal:
    """Without the trailing zeros of the stored form: 58.000 -> 58, 62.500 -> 62.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _date(text: str) -> date:
    return date.fromisoformat(text)


# --- Open data: Explore Education Statistics data sets ----------------------


def report_data_sets(data: dict, *, stem: str) -> list[ees.DataSet]:
    """Every figure of the report as EES data sets, one per kind of time
    (ADR 0010): plan figures for the reporting month, encounter coverage for
    the academic year, spend for each financial year. A data set with no rows
    (no plan yet, no funding) is left out."""
    data_sets = [
        _indicator_progress(data, stem),
        _priority_summary(data, stem),
        _encounter_coverage(data, stem),
        _spend(data, stem),
    ]
    return [data_set for data_set in data_sets if data_set.rows]


def _area(data):
    """The snapshot's area as the location helpers read it."""
    area = data["area"]
    return SimpleNamespace(code=area["code"], name=area["name"])


def _indicator_progress(data, stem):
    """A row per indicator; the planned figures of an indicator whose
    targets are relative to a comparator are gaps to it, as in the report.
    Priorities and indicators have no Total: the first of each is the
    filters' default."""
    rows = [
        {
            "priority": _priority_name(priority),
            "indicator": f"{indicator['name']} ({indicator['unit']})",
            **{
                col_name: _csv_number(value)
                for col_name, value in _indicator_figures(indicator).items()
            },
        }
        for priority in data["priorities"]
        for indicator in priority["indicators"]
    ]
    # A filter needs two items: a plan with one priority (or one indicator)
    # names it in a footnote instead.
    shown = {name: len({row[name] for row in rows}) > 1 for name in ("priority", "indicator")}
    footnotes = [
        f"Every row is for {name} {rows[0][name]}."
        for name, kept in shown.items()
        if rows and not kept
    ]
    for row in rows:
        for name, kept in shown.items():
            if not kept:
                del row[name]
    first = rows[0] if rows else {}
    filters = []
    if shown["priority"]:
        filters.append(
            ees.Filter("priority", "Priority", "Filter by priority", default=first["priority"])
        )
    if shown["indicator"]:
        filters.append(
            ees.Filter(
                "indicator",
                "Indicator",
                "Filter by indicator",
                grouping_column="priority" if shown["priority"] else "",
                default=first["indicator"],
            )
        )
    data_set = ees.DataSet(
        name=f"{stem}-indicators",
        title=f"{data['report']['title']}: indicator progress",
        filters=tuple(filters),
        indicators=tuple(
            ees.Indicator(col_name, label, dp=3, grouping="Indicator progress")
            for col_name, label in INDICATOR_FIGURES
        ),
        levels=(ees.OPPORTUNITY_AREA,),
        footnotes=(
            "Values are in each indicator's own unit, named with the indicator. For an "
            "indicator whose targets are relative to a comparator, the expected value, "
            "final target and forecast are gaps to the comparator in points.",
            *footnotes,
        ),
    )
    time = ees.month(_date(data["report"]["period_end"]))
    for row in rows:
        data_set.add(time=time, location=ees.opportunity_area(_area(data)), **row)
    return data_set


INDICATOR_FIGURES = (
    ("baseline_value", "Baseline"),
    ("latest_value", "Latest measurement"),
    ("expected_value", "Expected at the latest measurement's date"),
    ("final_target_value", "Final target"),
    ("forecast_value", "Forecast at the final target date"),
)


def _priority_name(priority):
    return f"Priority {priority['number']}: {priority['title']}"


def _priority_summary(data, stem):
    """Each priority's indicators by status and actions by status, and the
    whole plan's (priority Total)."""
    columns = [
        *((f"indicators_{s.value}", f"Indicators: {s.label}", s.value) for s in Status),
        ("indicators_stale", "Indicators: stale", None),
        *((f"actions_{s.value}", f"Actions: {s.label}", s.value) for s in ActionStatus),
        ("actions_overdue", "Actions: overdue", None),
    ]
    data_set = ees.DataSet(
        name=f"{stem}-priorities",
        title=f"{data['report']['title']}: priorities",
        filters=(ees.Filter("priority", "Priority", "Filter by priority"),),
        indicators=tuple(
            ees.Indicator(col_name, label, grouping=label.split(":")[0])
            for col_name, label, _ in columns
        ),
        levels=(ees.OPPORTUNITY_AREA,),
    )

    def counts(rollup):
        return {
            "indicators_stale": rollup["stale"],
            "actions_overdue": rollup["overdue"],
            **{f"indicators_{s}": n for s, n in rollup["indicators"].items()},
            **{f"actions_{s}": n for s, n in rollup["actions"].items()},
        }

    rows = [(_priority_name(p), counts(p["rollup"])) for p in data["priorities"]]
    if rows:
        total = {col_name: sum(row[col_name] for _, row in rows) for col_name, _, _ in columns}
        rows.append((ees.TOTAL, total))
    time = ees.month(_date(data["report"]["period_end"]))
    for name, figures in rows:
        data_set.add(
            time=time,
            location=ees.opportunity_area(_area(data)),
            priority=name,
            **{col_name: figures.get(col_name, 0) for col_name, _, _ in columns},
        )
    return data_set


def _encounter_coverage(data, stem):
    """The report's coverage figures: by year group for the area, for all
    pupils (pupil group Total) and for disadvantaged pupils and the others
    with the gap between them; for the area in all; for each school."""
    from encounters.models import year_group_label
    from encounters.publication import COVERAGE_INDICATORS, SECONDARY_YEARS

    encounters = data["encounters"]
    gap = "gap_four_encounters_percentage_points"
    data_set = ees.DataSet(
        name=f"{stem}-coverage",
        title=f"{data['report']['title']}: encounter coverage, {encounters['academic_year']}",
        filters=(
            ees.Filter("year_group", "Year group", "Filter by year group"),
            ees.Filter("pupil_group", "Pupil group", "Filter by disadvantage"),
        ),
        indicators=(
            *COVERAGE_INDICATORS,
            ees.Indicator(
                gap,
                "Gap between other and disadvantaged pupils with at least four encounters",
                unit="pp",
                dp=1,
                grouping="Pupils",
            ),
        ),
        levels=(ees.OPPORTUNITY_AREA, ees.SCHOOL),
        footnotes=_coverage_footnotes(data),
    )
    time = {"time_period": encounters["time_period"], "time_identifier": ees.ACADEMIC_YEAR}
    area = _area(data)
    gaps = {row["label"]: row["gap"] for row in encounters["disadvantage"]}

    def values(figures, prefix=""):
        one = figures.get(f"{prefix}with_one", NOT_AVAILABLE)
        one_rate = figures.get(f"{prefix}with_one_rate", NOT_AVAILABLE)
        return {
            "pupils_on_roll": figures[f"{prefix}on_roll"],
            "pupils_one_encounter": one,
            "pupils_one_encounter_percent": one_rate,
            "pupils_four_encounters": figures[f"{prefix}with_four"],
            "pupils_four_encounters_percent": figures[f"{prefix}with_four_rate"],
        }

    if not encounters["year_groups"]:
        # No pupils on a roster yet: the area's secondary year groups with none.
        nobody = {"on_roll": "0", "with_one": "0", "with_four": "0"}
        nobody |= {"with_one_rate": NOT_APPLICABLE, "with_four_rate": NOT_APPLICABLE}
        for label in [year_group_label(y) for y in SECONDARY_YEARS] + [ees.TOTAL]:
            for group in (ees.TOTAL, "Disadvantaged", "Not disadvantaged"):
                data_set.add(
                    time=time,
                    location=ees.opportunity_area(area),
                    year_group=label,
                    pupil_group=group,
                    **values(nobody),
                    **{gap: NOT_APPLICABLE},
                )
    for row in encounters["year_groups"]:
        data_set.add(
            time=time,
            location=ees.opportunity_area(area),
            year_group=row["label"],
            pupil_group=ees.TOTAL,
            **values(row),
            **{gap: gaps.get(row["label"], NOT_AVAILABLE)},
        )
    for row in encounters["disadvantage"]:
        for prefix, group in (
            ("disadvantaged_", "Disadvantaged"),
            ("others_", "Not disadvantaged"),
        ):
            data_set.add(
                time=time,
                location=ees.opportunity_area(area),
                year_group=row["label"],
                pupil_group=group,
                **values(row, prefix),
                **{gap: NOT_APPLICABLE},
            )
    if encounters["total"]:
        data_set.add(
            time=time,
            location=ees.opportunity_area(area),
            year_group=ees.TOTAL,
            pupil_group=ees.TOTAL,
            **values(encounters["total"]),
            **{gap: NOT_AVAILABLE},
        )
    for school in encounters["schools"]:
        # Snapshots taken before a field was recorded say it is not available.
        located = SimpleNamespace(
            urn=school["urn"],
            laestab=school.get("laestab", NOT_AVAILABLE),
            name=school["name"],
            la_code=school.get("la_code", NOT_AVAILABLE),
            new_la_code=school.get("new_la_code", NOT_AVAILABLE),
            la_name=school.get("la_name", "Not available"),
        )
        data_set.add(
            time=time,
            location=ees.school(located, area),
            year_group=ees.TOTAL,
            pupil_group=ees.TOTAL,
            **values(school),
            **{gap: NOT_AVAILABLE},
        )
    return data_set


def _coverage_footnotes(data):
    """Coverage in a report for a month of the academic year in progress is
    provisional: schools record encounters until the year closes."""
    from encounters.academic_years import AcademicYear
    from encounters.publication import coverage_footnotes

    period_end = _date(data["report"]["period_end"])
    generated = datetime.fromisoformat(data["report"]["generated_at"]).date()
    return coverage_footnotes(AcademicYear.of(period_end), today=generated)


def _spend(data, stem):
    """Allocation and spend by funding stream and financial year, and each
    year's total over the streams."""
    measures = ("allocated", "spent", "remaining", "overspent")
    data_set = ees.DataSet(
        name=f"{stem}-spend",
        title=f"{data['report']['title']}: spend against allocation",
        filters=(ees.Filter("funding_stream", "Funding stream", "Filter by funding stream"),),
        indicators=tuple(
            ees.Indicator(f"{m}_pounds", m.capitalize(), unit="£", dp=2, grouping="Funding")
            for m in measures
        ),
        levels=(ees.OPPORTUNITY_AREA,),
    )
    by_year = {}
    for row in data["funding"]["rows"]:
        by_year.setdefault(row["financial_year"], []).append(row)
    for year, rows in sorted(by_year.items()):
        totals = {m: sum(Decimal(r[m]) for r in rows) for m in measures}
        for stream, figures in [*((r["stream"], r) for r in rows), (ees.TOTAL, totals)]:
            data_set.add(
                time=ees.financial_year(year),
                location=ees.opportunity_area(_area(data)),
                funding_stream=stream,
                **{f"{m}_pounds": format(Decimal(figures[m]), "f") for m in measures},
            )
    return data_set


def _indicator_figures(indicator) -> dict:
    """An indicator's figures by column; those of a relative indicator after
    the baseline and latest are gaps to its comparator."""
    final_target = indicator["targets"][-1]["value"] if indicator["targets"] else None
    return {
        "baseline_value": indicator["baseline"]["value"],
        "latest_value": (indicator["latest"] or {}).get("value"),
        "expected_value": indicator["expected"],
        "final_target_value": final_target,
        "forecast_value": (indicator["forecast"] or {}).get("projected"),
    }


def _csv_number(value):
    """A plan figure to three decimal places at most, without trailing zeros."""
    if value is None:
        return "x"
    return format(_as_recorded(Decimal(value).quantize(Decimal("0.001"))), "f")
