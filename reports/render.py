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

from django.conf import settings
from django.template.loader import render_to_string

from core import charts
from core.csv_export import EES_LEADING_COLUMNS, csv_text
from plans.charts import indicator_line_chart
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
    csv = ("\ufeff" + report_csv(data)).encode()
    snapshot = json.dumps(data, indent=2, ensure_ascii=False).encode()
    on_progress(95)
    return {
        "html_file": RenderedFile(f"{stem}.html", html.encode()),
        "pdf_file": RenderedFile(f"{stem}.pdf", pdf),
        "csv_file": RenderedFile(f"{stem}.csv", csv),
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
    if not by_year:
        return None
    return charts.bar_chart(
        title="Allocation and spend by financial year",
        desc=(
            "Bar chart of the area's allocation and spend in each financial year, all funding "
            "streams together; the table below gives every figure."
        ),
        categories=list(by_year),
        series=[
            ("Allocated", [totals[0] for totals in by_year.values()]),
            ("Spent", [totals[1] for totals in by_year.values()]),
        ],
        y_label="Pounds",
        id="funding-by-year",
        category_header="Financial year",
    )


def _as_recorded(value: Decimal) -> Decimal:
    """Without the trailing zeros of the stored form: 58.000 -> 58, 62.500 -> 62.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _date(text: str) -> date:
    return date.fromisoformat(text)


# --- CSV: Explore Education Statistics tidy data ----------------------------

CSV_HEADER = [
    *EES_LEADING_COLUMNS,
    "school_urn",
    "school_name",
    "report_section",
    "priority",
    "measure",
    "breakdown",
    "pupil_group",
    "status",
    "unit",
    "value",
]
TOTAL = "Total"


def report_csv(data: dict) -> str:
    """Every figure of the report as a tidy row: time and geography first
    (school rows for coverage by school), then filters (section, priority,
    measure, breakdown, pupil group, status), then the unit and the value.
    Filters that do not apply are "Total", as in EES files; a figure
    withheld is its symbol (c, x, z, low).

    Time: plan figures are for the reporting month ("2026", "October"),
    coverage for the academic year, spend for the financial year.
    """
    area = data["area"]
    rows = []

    def add(
        *,
        time,
        section,
        measure,
        unit,
        value,
        school=None,
        priority=TOTAL,
        breakdown=TOTAL,
        group=TOTAL,
        status=TOTAL,
    ):
        geography = [
            "School" if school else "Opportunity area",
            area["country_code"],
            area["country_name"],
            area["code"],
            area["name"],
            school["urn"] if school else "",
            school["name"] if school else "",
        ]
        rows.append(
            [*time, *geography, section, priority, measure, breakdown, group, status, unit, value]
        )

    end = _date(data["report"]["period_end"])
    month = [str(end.year), charts.MONTHS[end.month - 1]]
    for priority in data["priorities"]:
        name = f"Priority {priority['number']}: {priority['title']}"
        for indicator in priority["indicators"]:
            for breakdown, value, unit in _indicator_figures(indicator):
                add(
                    time=month,
                    section="Indicator progress",
                    priority=name,
                    measure=indicator["name"],
                    breakdown=breakdown,
                    status=indicator["status_label"],
                    unit=unit,
                    value=_csv_number(value),
                )
        rollup = priority["rollup"]
        counts = [
            *(("Indicators", Status(s).label, n) for s, n in rollup["indicators"].items()),
            ("Indicators", "Stale", rollup["stale"]),
            *(("Actions", ActionStatus(s).label, n) for s, n in rollup["actions"].items()),
            ("Actions", "Overdue", rollup["overdue"]),
        ]
        for measure, breakdown, count in counts:
            add(
                time=month,
                section="Priority summary",
                priority=name,
                measure=measure,
                breakdown=breakdown,
                unit="count",
                value=count,
            )

    encounters = data["encounters"]
    academic = [encounters["time_period"], "Academic year"]
    coverage = [(row, None, row["label"]) for row in encounters["year_groups"]]
    if encounters["total"]:
        coverage.append((encounters["total"], None, TOTAL))
    coverage += [(row, row, TOTAL) for row in encounters["schools"]]
    for figures, school, breakdown in coverage:
        for measure, label, unit in COVERAGE_CSV_MEASURES:
            add(
                time=academic,
                section="Encounter coverage",
                school=school,
                measure=label,
                breakdown=breakdown,
                group="All pupils",
                unit=unit,
                value=_csv_published(figures[measure]),
            )
    for figures in encounters["disadvantage"]:
        for group, group_label in (
            ("disadvantaged", "Disadvantaged"),
            ("others", "Not disadvantaged"),
        ):
            for measure, label, unit in COVERAGE_CSV_MEASURES:
                if measure.startswith("with_one"):
                    continue
                add(
                    time=academic,
                    section="Encounter coverage",
                    measure=label,
                    breakdown=figures["label"],
                    group=group_label,
                    unit=unit,
                    value=_csv_published(figures[f"{group}_{measure}"]),
                )
        add(
            time=academic,
            section="Encounter coverage",
            measure="Gap in pupils with at least four encounters since Year 7",
            breakdown=figures["label"],
            group="Not disadvantaged minus disadvantaged",
            unit="percentage points",
            value=_csv_published(figures["gap"]),
        )

    for figures in data["funding"]["rows"]:
        year = figures["financial_year"]
        financial = [f"{year}{(year + 1) % 100:02d}", "Financial year"]
        for measure in ("allocated", "spent", "remaining", "overspent"):
            add(
                time=financial,
                section="Spend against allocation",
                measure=measure.capitalize(),
                breakdown=figures["stream"],
                unit="pounds",
                value=Decimal(figures[measure]),
            )
    return csv_text(CSV_HEADER, rows)


COVERAGE_CSV_MEASURES = (
    ("on_roll", "Pupils on roll", "pupils"),
    ("with_one", "Pupils with at least one encounter this year", "pupils"),
    ("with_one_rate", "Pupils with at least one encounter this year", "percent"),
    ("with_four", "Pupils with at least four encounters since Year 7", "pupils"),
    ("with_four_rate", "Pupils with at least four encounters since Year 7", "percent"),
)


def _indicator_figures(indicator):
    """(breakdown, value, unit) for an indicator's rows. Targets, expected
    values and forecasts of a relative indicator are gaps to its comparator."""
    unit = indicator["unit"]
    planned = f"gap to {indicator['comparator']}, points" if indicator["relative"] else unit
    final_target = indicator["targets"][-1]["value"] if indicator["targets"] else None
    return [
        ("Baseline", indicator["baseline"]["value"], unit),
        ("Latest measurement", (indicator["latest"] or {}).get("value"), unit),
        ("Expected at the latest measurement's date", indicator["expected"], planned),
        ("Final target", final_target, planned),
        (
            "Forecast at the final target date",
            (indicator["forecast"] or {}).get("projected"),
            planned,
        ),
    ]


def _csv_number(value):
    """A plan figure to three decimal places at most, without trailing zeros."""
    if value is None:
        return "x"
    return _as_recorded(Decimal(value).quantize(Decimal("0.001")))


def _csv_published(text: str):
    published = cell(text)
    return published.csv_value if published.symbol else published.value
