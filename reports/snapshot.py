"""The data snapshot behind a progress report.

``report_snapshot`` reads the area through the same selectors as the pages
(the plan judged by the progress engine, encounter coverage with disclosure
control, spend against allocation) and returns a plain, JSON-able dict. The
HTML, PDF and CSV are drawn from this dict alone, so the three always agree
with each other and with the JSON file stored beside them.

Conventions in the dict:

- dates are ISO strings; amounts and measured values are Decimal strings
  exactly as the engine produced them (rounding is for display);
- published figures (encounter coverage) are strings as a tidy CSV writes
  them: a number, or a symbol (``c`` suppressed, ``x`` not available, ``z``
  not applicable, ``low``);
- everything is as at the end of the reporting period: the indicators are
  judged on that day from the measurements, comparator values and action
  updates dated on or before it (as recorded when the report is generated),
  spend counts the updates dated by then, and encounter coverage is the roll
  on that day with the encounters dated on or before it.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from core import ees
from core.disclosure import SYMBOLS, Cell
from core.models import Role, User
from core.replica import reads_from_replica
from plans import progress
from plans import selectors as plan_selectors

from .periods import period_label

SCHEMA_VERSION = 2


@reads_from_replica
def report_snapshot(
    *, area, period_start: date, period_end: date, generated_at: datetime, disclosure_pattern=None
) -> dict:
    """``disclosure_pattern``: the series a release publishes the report in
    (core.disclosure.SeriesPattern, ADR 0011); None for a report run."""
    reader = report_reader()
    plan = plan_selectors.plan_published(user=reader, area=area)
    priorities = (
        plan_selectors.plan_progress(plan=plan, today=period_end, dated_until=period_end)
        if plan
        else []
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "report": {
            "title": f"{area.name} Opportunity Area progress report",
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "period_label": period_label(period_start, period_end),
            "as_at": period_end.isoformat(),
            "generated_at": generated_at.isoformat(),
            "phases": [
                area_phase.label
                for area_phase in plan_selectors.area_phases_covering(
                    user=reader, area=area, start=period_start, end=period_end
                )
            ],
        },
        "area": {
            "name": area.name,
            "code": area.code,
            "wave": area.wave,
            "country_code": ees.COUNTRY_CODE,
            "country_name": ees.COUNTRY_NAME,
        },
        "plan": _plan(plan),
        "priorities": [_priority(item) for item in priorities],
        "encounters": _encounter_coverage(
            area=area, period_end=period_end, reader=reader, pattern=disclosure_pattern
        ),
        "funding": _funding(area=area, reader=reader, period_end=period_end),
        "comparator_revisions": _comparator_revisions(
            area=area, reader=reader, period_start=period_start, generated_at=generated_at
        ),
    }


def _comparator_revisions(*, area, reader, period_start, generated_at) -> list[dict]:
    """Indicator statuses changed by comparator revisions imported since the
    period began, up to the report's generation (ADR 0018), so the next
    report after a revision says what it changed."""
    names = {}
    changes = list(
        plan_selectors.comparator_status_changes(
            user=reader,
            area=area,
            since=timezone.make_aware(datetime.combine(period_start, time.min)),
            until=generated_at,
        )
    )
    if changes:
        names = plan_selectors.indicator_names(lineage_ids={c.lineage_id for c in changes})
    return [
        {
            "lineage_id": change.lineage_id,
            "indicator": names.get(change.lineage_id, ""),
            "old_status_label": change.old_label,
            "new_status_label": change.new_label,
            "series": change.series.name,
            "file_name": change.comparator_import.file_name,
            "imported_at": _iso(change.comparator_import.created_at),
        }
        for change in changes
    ]


def report_reader() -> User:
    """The reader a report is built for.

    Reports are read by the area's board and area lead, DfE staff and
    administrators: all of them see the whole of the area's plan and its
    aggregates, and none of them pupil-level rows. A DfE staff user is the
    narrowest role that sees exactly that, so the snapshot is read through
    scoping as one; the user is never saved.
    """
    return User(role=Role.DFE_STAFF, email="progress-reports@oatracker.invalid")


# --- Plan and priorities ----------------------------------------------------


def _plan(plan):
    if plan is None:
        return None
    return {
        "title": plan.title,
        "version": plan.version,
        "published_at": _iso(plan.published_at),
    }


def _priority(item) -> dict:
    priority, rollup = item.priority, item.rollup
    return {
        "number": priority.number,
        "title": priority.title,
        "life_stage": priority.get_life_stage_display(),
        "description": priority.description,
        "rollup": {
            "indicators": {str(status): n for status, n in rollup.indicators.items()},
            "stale": rollup.stale,
            "actions": dict(rollup.actions),
            "overdue": rollup.overdue,
            "total_indicators": rollup.total_indicators,
            "total_actions": rollup.total_actions,
        },
        "indicators": [_indicator(row) for row in item.indicators],
        "actions": [_action(row) for row in item.actions],
    }


def _indicator(item) -> dict:
    indicator, spec, judgement = item.indicator, item.spec, item.judgement
    relative = spec is not None and spec.relative
    measured = [m for m in item.measurements if m.date > indicator.baseline_date]

    def compared(when, value):
        if not relative:
            return None
        return _decimal(progress.compared_value(spec, progress.Point(date=when, value=value)))

    trajectory = []
    if spec is not None and not spec.missing_comparator:
        trajectory = [_point(p.date, p.value) for p in progress.trajectory(spec)]
    return {
        "lineage_id": indicator.lineage_id,
        "name": indicator.name,
        "unit": indicator.unit,
        "unit_label": indicator.get_unit_display(),
        "polarity": indicator.polarity,
        "source": indicator.source,
        "relative": relative,
        "comparator": indicator.comparator.name if indicator.comparator_id else None,
        "baseline": {
            **_point(indicator.baseline_date, indicator.baseline_value),
            "compared_value": compared(indicator.baseline_date, indicator.baseline_value),
        },
        "targets": [{**_point(t.date, t.value), "basis": t.basis} for t in indicator.targets.all()],
        "measurements": [
            {
                **_point(m.date, m.value),
                "figure_status": m.status,
                "compared_value": compared(m.date, m.value),
            }
            for m in measured
        ],
        "status": str(judgement.status),
        "status_label": judgement.status.label,
        "stale": judgement.stale,
        "latest": {
            **_point(judgement.latest.date, judgement.latest.value),
            "figure_status": item.latest_stage,
        }
        if judgement.latest
        else None,
        "compared_value": _decimal(judgement.compared_value),
        "expected": _decimal(judgement.expected),
        "shortfall": _decimal(judgement.shortfall),
        "forecast": _forecast(judgement.forecast),
        "trajectory": trajectory,
        "problem": item.problem,
    }


def _forecast(forecast):
    if forecast is None:
        return None
    return {
        "final_date": forecast.final_date.isoformat(),
        "projected": _decimal(forecast.projected),
        "target": _decimal(forecast.target),
        "meets_target": forecast.meets_target,
        "slope_per_year": _decimal(forecast.slope_per_year),
    }


def _action(item) -> dict:
    action = item.action
    return {
        "lineage_id": action.lineage_id,
        "title": action.title,
        "owner": action.owner,
        "lead_organisation": action.lead_organisation.name if action.lead_organisation else None,
        "funding_stream": action.funding_stream.name if action.funding_stream else None,
        "budget": _decimal(action.budget),
        "start_date": action.start_date.isoformat(),
        "due_date": action.due_date.isoformat(),
        "status": str(item.status),
        "status_label": item.status_label,
        "last_update_date": _iso(item.last_update_date),
        "spend_to_date": _decimal(Decimal(item.spend_to_date)),
        "overdue": item.overdue,
        "update_due": item.update_due,
    }


# --- Encounter coverage -----------------------------------------------------

COVERAGE_MEASURES = ("on_roll", "with_one", "with_four")


def _encounter_coverage(*, area, period_end, reader, pattern=None) -> dict:
    """Coverage of the area's secondary pupils in the academic year the
    period ends in, as published outside a school (disclosure control
    applied by encounters.publication, the same figures as the area's
    encounters page and its CSV), read from the summary tables rather than
    by scanning attendance."""
    from dashboard.coverage import area_school_coverage
    from encounters.academic_years import AcademicYear
    from encounters.publication import area_coverage

    year = AcademicYear.of(period_end)
    schools = area_school_coverage(user=reader, area=area, year=year, as_at=period_end)
    published = area_coverage(user=reader, area=area, year=year, schools=schools, pattern=pattern)
    section = {
        "academic_year": year.label,
        "time_period": year.time_period,
        "provisional": year.is_provisional_on(period_end),
        "year_groups": [],
        "total": None,
        "schools": [],
        "disadvantage": [],
    }
    tables = published["by_measure"]
    if not tables:
        return section

    def figures(pick):
        row = {}
        for measure in COVERAGE_MEASURES:
            cell = pick(tables[measure])
            row[measure] = cell.count.csv_value
            if measure != "on_roll":
                row[f"{measure}_rate"] = cell.rate.csv_value
        return row

    for j, (year_group, label) in enumerate(published["year_groups"]):
        section["year_groups"].append(
            {"year_group": year_group, "label": label, **figures(lambda t, j=j: t["totals"][j])}
        )
    section["total"] = {
        "year_group": None,
        "label": "All secondary year groups",
        **figures(lambda t: t["grand_total"]),
    }
    for i, row in enumerate(tables["on_roll"]["rows"]):
        school = row["school"]
        section["schools"].append(
            {
                "urn": school.urn,
                "laestab": school.laestab,
                "la_code": school.la_code,
                "new_la_code": school.new_la_code,
                "la_name": school.la_name,
                "name": school.name,
                **figures(lambda t, i=i: t["rows"][i]["total"]),
            }
        )
    for row in published["disadvantage"]:
        section["disadvantage"].append(
            {
                "label": row["label"],
                "disadvantaged_on_roll": row["disadvantaged_on_roll"].csv_value,
                "disadvantaged_with_four": row["disadvantaged"].count.csv_value,
                "disadvantaged_with_four_rate": row["disadvantaged"].rate.csv_value,
                "others_on_roll": row["others_on_roll"].csv_value,
                "others_with_four": row["others"].count.csv_value,
                "others_with_four_rate": row["others"].rate.csv_value,
                "gap": row["gap"].csv_value,
            }
        )
    return section


# --- Spend against allocation ----------------------------------------------


def _funding(*, area, reader, period_end) -> dict:
    summary = plan_selectors.funding_summary(user=reader, area=area, dated_until=period_end)
    return {
        "rows": [
            {
                "stream": row["stream"].name,
                "stream_code": row["stream"].code,
                "financial_year": row["year"],
                "financial_year_label": row["year_label"],
                "allocated": _money(row["allocated"]),
                "spent": _money(row["spent"]),
                "remaining": _money(row["remaining"]),
                "overspent": _money(row["overspent"]),
            }
            for row in summary["funding_rows"]
        ],
        "allocated_total": _money(summary["allocated_total"]),
        "spent_total": _money(summary["spent_total"]),
    }


# --- Plain values -------------------------------------------------------------


def _point(when: date, value: Decimal) -> dict:
    return {"date": when.isoformat(), "value": _decimal(value)}


def _decimal(value) -> str | None:
    if value is None:
        return None
    return str(value)


def _money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def cell(text: str) -> Cell:
    """A published figure from the snapshot back as a core.disclosure Cell."""
    if text in SYMBOLS:
        return Cell(None, text)
    if "." in text:
        return Cell(Decimal(text))
    return Cell(int(text))
