"""Every figure in a generated report's JSON snapshot, recomputed here from
the raw rows (measurements, targets, comparator values, action updates,
allocations, pupils and attendances) with the rules written out afresh, not
through the progress engine or the selectors."""

import csv
import io
import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.conf import settings
from django.utils import timezone

from core.ees import unzipped
from dashboard.services import summaries_rebuild
from encounters.models import Attendance, Pupil
from plans.models import (
    Action,
    ActionUpdate,
    DeliveryPlan,
    FundingAllocation,
    FundingStream,
    Indicator,
    PlanStatus,
)
from reports import services
from reports.models import ReportStatus
from reports.snapshot import report_snapshot
from tests.encounters.factories import PupilFactory
from tests.factories import SchoolFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

DAYS_PER_YEAR = Fraction("365.25")
CLOSED = {"complete", "cancelled"}


@pytest.fixture
def report(area, area_data, lead, report_day, django_capture_on_commit_callbacks):
    """A report generated through the service and the (eager) task; its
    snapshot as stored in the JSON file."""
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_run_request(area=area, user=lead)
    run.refresh_from_db()
    assert run.status == ReportStatus.SUCCEEDED, run.error_message
    with run.snapshot_file.open("rb") as stored:
        return json.load(stored)


def test_every_figure_in_the_snapshot_recomputes_from_raw_rows(area, report, report_day):
    as_at = report_day
    assert report["report"]["period_start"] == "2019-10-01"
    assert report["report"]["as_at"] == as_at.isoformat()

    plan = DeliveryPlan.objects.get(area=area, status=PlanStatus.PUBLISHED)
    assert report["plan"]["title"] == plan.title
    assert report["plan"]["version"] == plan.version

    priorities = list(plan.priorities.order_by("number"))
    assert [p["number"] for p in report["priorities"]] == [p.number for p in priorities]
    for priority, section in zip(priorities, report["priorities"], strict=True):
        assert section["title"] == priority.title
        indicators = {i.lineage_id: i for i in Indicator.objects.filter(priority=priority)}
        assert {i["lineage_id"] for i in section["indicators"]} == set(indicators)
        statuses, stale = defaultdict(int), 0
        for shown in section["indicators"]:
            expected = _judge(indicators[shown["lineage_id"]], as_at)
            _assert_indicator(shown, expected)
            statuses[expected["status"]] += 1
            stale += expected["stale"]

        actions = {a.lineage_id: a for a in Action.objects.filter(priority=priority)}
        assert {a["lineage_id"] for a in section["actions"]} == set(actions)
        action_statuses, overdue = defaultdict(int), 0
        for shown in section["actions"]:
            expected = _action(actions[shown["lineage_id"]], as_at)
            for key, value in expected.items():
                assert shown[key] == value, (shown["title"], key)
            action_statuses[expected["status"]] += 1
            overdue += expected["overdue"]

        rollup = section["rollup"]
        assert {k: v for k, v in rollup["indicators"].items() if v} == dict(statuses)
        assert rollup["stale"] == stale
        assert rollup["total_indicators"] == len(indicators)
        assert {k: v for k, v in rollup["actions"].items() if v} == dict(action_statuses)
        assert rollup["overdue"] == overdue
        assert rollup["total_actions"] == len(actions)

    assert report["funding"] == _funding(area)
    assert report["encounters"] == _encounters(area, as_at)


def test_the_fixture_exercises_every_rule(report):
    """The recomputation above is only as good as the data: it covers each
    status, a relative indicator, a forecast, staleness, an overdue action and
    spend in several financial years."""
    indicators = [i for p in report["priorities"] for i in p["indicators"]]
    assert {i["status"] for i in indicators} >= {"on_track", "at_risk", "off_track", "no_data"}
    assert any(i["relative"] and i["forecast"] for i in indicators)
    assert any(i["stale"] for i in indicators)
    assert any(i["problem"] for i in indicators)
    assert any(a["overdue"] for p in report["priorities"] for a in p["actions"])
    assert len({row["financial_year"] for row in report["funding"]["rows"]}) == 3
    assert report["encounters"]["disadvantage"]


def test_small_cohorts_are_suppressed_in_the_snapshot(
    area, area_data, lead, report_day, django_capture_on_commit_callbacks
):
    tiny = SchoolFactory(area=area, name="Tiny Studio School")
    PupilFactory.create_batch(3, school=tiny, year_group=9, year_group_on=report_day)
    summaries_rebuild()  # factories bypass the services that keep summaries current
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_run_request(area=area, user=lead)
    run.refresh_from_db()
    with run.snapshot_file.open("rb") as stored:
        encounters = json.load(stored)["encounters"]
    row = next(s for s in encounters["schools"] if s["name"] == "Tiny Studio School")
    assert row["on_roll"] == "c"
    # Secondary suppression: the tiny school's 3 cannot be worked out from
    # the Year 9 total and the other schools.
    assert encounters["year_groups"][0]["on_roll"] == "c" or any(
        s["on_roll"] == "c" for s in encounters["schools"] if s["name"] != "Tiny Studio School"
    )
    with run.csv_file.open("rb") as stored:
        files = unzipped(stored.read())
    coverage = next(content for name, content in files.items() if name.endswith("-coverage.csv"))
    rows = csv.DictReader(io.StringIO(coverage.decode("utf-8-sig")))
    assert any(
        r["school_name"] == "Tiny Studio School" and r["pupils_on_roll"] == "c" for r in rows
    )


# --- The rules, written out again -----------------------------------------------


def _interpolate(points, on):
    """Linear in days between (date, value) points; flat beyond the ends."""
    if on <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if on <= d1:
            return v0 + (v1 - v0) * Fraction((on - d0).days, (d1 - d0).days)
    return points[-1][1]


def _judge(indicator, as_at):
    targets = sorted(indicator.targets.all(), key=lambda t: t.date)
    baseline = (indicator.baseline_date, Fraction(indicator.baseline_value))
    measured = sorted(
        (m for m in indicator.lineage.measurements.all() if m.date > indicator.baseline_date),
        key=lambda m: m.date,
    )
    measurements = [(m.date, Fraction(m.value)) for m in measured]
    result = {
        "baseline": baseline,
        "measurements": measurements,
        "latest": measurements[-1] if measurements else None,
        "latest_status": measured[-1].status if measured else None,
        "relative": any(t.basis == "relative" for t in targets),
    }
    if not targets:
        # Cannot be judged yet: "no data", and not stale.
        return {
            **result,
            "latest": None,
            "status": "no_data",
            "stale": False,
            "expected": None,
            "forecast": None,
            "trajectory": [],
            "gap": lambda d, v: None,
        }
    comparator = sorted(
        (c.date, Fraction(c.value))
        for c in (indicator.comparator.values.all() if indicator.comparator_id else [])
    )

    def gap(on, value):
        return value - _interpolate(comparator, on) if result["relative"] else value

    trajectory = [(baseline[0], gap(*baseline))] + [(t.date, Fraction(t.value)) for t in targets]
    last = result["latest"][0] if measurements else baseline[0]
    stale = (as_at - last).days > indicator.frequency_days + settings.INDICATOR_GRACE_DAYS
    result.update(trajectory=trajectory, stale=stale, gap=gap)
    if not measurements:
        return {**result, "status": "no_data", "expected": None, "forecast": None}

    higher = indicator.polarity == "higher"

    def meets(value, benchmark):
        return value >= benchmark if higher else value <= benchmark

    when, value = result["latest"]
    compared = gap(when, value)
    expected = _interpolate(trajectory, when)
    shortfall = max(expected - compared if higher else compared - expected, 0)
    final = trajectory[-1][1]
    if meets(compared, final):
        status = "achieved"
    elif shortfall == 0:
        status = "on_track"
    else:
        next_target = next((v for d, v in trajectory[1:] if d > when), final)
        planned = abs(next_target - trajectory[0][1])
        status = "at_risk" if shortfall <= Fraction(indicator.tolerance) * planned else "off_track"

    forecast = None
    if len(measurements) >= 2:
        xs = [Fraction((d - baseline[0]).days) for d, _ in [baseline, *measurements]]
        ys = [gap(d, v) for d, v in [baseline, *measurements]]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        final_x = (targets[-1].date - baseline[0]).days
        projected = mean_y + slope * (final_x - mean_x)
        forecast = {
            "final_date": targets[-1].date.isoformat(),
            "projected": projected,
            "target": final,
            "meets_target": meets(projected, final),
            "slope_per_year": slope * DAYS_PER_YEAR,
        }
    return {
        **result,
        "status": status,
        "expected": expected,
        "compared": compared,
        "shortfall": shortfall,
        "forecast": forecast,
    }


def _close(shown, expected):
    if expected is None:
        return shown is None
    return abs(Fraction(Decimal(shown)) - expected) < Fraction(1, 10**12)


def _assert_indicator(shown, expected):
    name = shown["name"]
    assert shown["status"] == expected["status"], name
    assert shown["stale"] == expected["stale"], name
    assert shown["relative"] == expected["relative"], name
    assert Fraction(Decimal(shown["baseline"]["value"])) == expected["baseline"][1], name
    assert [(m["date"], Fraction(Decimal(m["value"]))) for m in shown["measurements"]] == [
        (d.isoformat(), v) for d, v in expected["measurements"]
    ], name
    if expected["relative"]:
        for m, (d, v) in zip(shown["measurements"], expected["measurements"], strict=True):
            assert _close(m["compared_value"], expected["gap"](d, v)), name
    assert len(shown["trajectory"]) == len(expected["trajectory"]), name
    for point, (d, v) in zip(shown["trajectory"], expected["trajectory"], strict=True):
        assert point["date"] == d.isoformat(), name
        assert _close(point["value"], v), name
    if expected["latest"] is None:
        assert shown["latest"] is None, name
    else:
        assert shown["latest"]["date"] == expected["latest"][0].isoformat(), name
        assert shown["latest"]["figure_status"] == expected["latest_status"], name
    assert _close(shown["expected"], expected["expected"]), name
    if expected["expected"] is not None:
        assert _close(shown["compared_value"], expected["compared"]), name
        assert _close(shown["shortfall"], expected["shortfall"]), name
    if expected["forecast"] is None:
        assert shown["forecast"] is None, name
    else:
        forecast, wanted = shown["forecast"], expected["forecast"]
        assert forecast["final_date"] == wanted["final_date"], name
        assert forecast["meets_target"] == wanted["meets_target"], name
        for key in ("projected", "target", "slope_per_year"):
            assert _close(forecast[key], wanted[key]), (name, key)


def _action(action, as_at):
    updates = sorted(
        ActionUpdate.objects.filter(lineage=action.lineage), key=lambda u: (u.date, u.pk)
    )
    latest = updates[-1] if updates else None
    status = latest.status if latest else "not_started"
    still_open = status not in CLOSED
    interval = timedelta(days=settings.ACTION_UPDATE_INTERVAL_DAYS)
    return {
        "status": status,
        "spend_to_date": str(latest.spend_to_date if latest else Decimal("0")),
        "last_update_date": latest.date.isoformat() if latest else None,
        "overdue": still_open and action.due_date < as_at,
        "update_due": still_open
        and action.start_date <= as_at
        and (latest is None or latest.date + interval < as_at),
        "budget": str(action.budget),
        "due_date": action.due_date.isoformat(),
    }


def _funding(area):
    """Spend in a financial year is the running total at its end minus the
    running total at the end of the year before, per action."""
    lineage_stream = {
        a.lineage_id: a.funding_stream
        for a in Action.objects.filter(plan__area=area).exclude(funding_stream=None)
    }

    def total_by(lineage_id, day):
        dated = [u for u in ActionUpdate.objects.filter(lineage_id=lineage_id) if u.date <= day]
        return max(dated, key=lambda u: (u.date, u.pk)).spend_to_date if dated else Decimal(0)

    allocations = {
        (a.stream, a.financial_year): a.amount for a in FundingAllocation.objects.filter(area=area)
    }
    years = {y for _, y in allocations} | {
        u.date.year if u.date.month >= 4 else u.date.year - 1
        for u in ActionUpdate.objects.filter(lineage_id__in=list(lineage_stream))
    }
    spent = defaultdict(Decimal)
    for lineage_id, stream in lineage_stream.items():
        for year in years:
            amount = total_by(lineage_id, date(year + 1, 3, 31)) - total_by(
                lineage_id, date(year, 3, 31)
            )
            if amount:
                spent[(stream, year)] += amount
    keys = sorted(set(allocations) | set(spent), key=lambda k: (k[1], k[0].pk))
    money = lambda value: str(Decimal(value).quantize(Decimal("0.01")))  # noqa: E731
    rows = []
    for stream, year in keys:
        allocated, spend = allocations.get((stream, year), 0), spent.get((stream, year), 0)
        rows.append(
            {
                "stream": stream.name,
                "stream_code": stream.code,
                "financial_year": year,
                "financial_year_label": f"{year}-{(year + 1) % 100:02d}",
                "allocated": money(allocated),
                "spent": money(spend),
                "remaining": money(max(allocated - spend, 0)),
                "overspent": money(max(spend - allocated, 0)),
            }
        )
    return {
        "rows": rows,
        "allocated_total": money(sum(allocations.values())),
        "spent_total": money(sum(spent.values())),
    }


def _rate(numerator, denominator):
    if numerator < 5 or denominator < 5:
        return "c"
    return str((Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _encounters(area, as_at):
    start_year = as_at.year if as_at.month >= 9 else as_at.year - 1
    by_upn = defaultdict(list)
    for attendance in Attendance.objects.select_related("pupil", "encounter__encounter_type"):
        if attendance.encounter.encounter_type.is_meaningful_employer_encounter:
            by_upn[attendance.pupil.upn_hash].append(attendance.encounter.academic_year)
    cells = defaultdict(lambda: [0, 0, 0])  # key -> on roll, one this year, four since Year 7
    for pupil in Pupil.objects.filter(school__area=area).select_related("school"):
        if pupil.on_roll_from > as_at or (pupil.on_roll_until and pupil.on_roll_until < as_at):
            continue
        year_group = start_year - pupil.reception_year
        if year_group < 7:
            continue
        years = [y for y in by_upn[pupil.upn_hash] if y <= start_year]
        counts = (
            1,
            int(sum(1 for y in years if y == start_year) >= 1),
            int(sum(1 for y in years if y >= pupil.reception_year + 7) >= 4),
        )
        for key in (
            ("year", year_group),
            ("school", pupil.school),
            ("all",),
            ("group", year_group, pupil.disadvantaged),
        ):
            cells[key] = [a + b for a, b in zip(cells[key], counts, strict=True)]

    def figures(on_roll, one, four):
        return {
            "on_roll": str(on_roll),
            "with_one": str(one),
            "with_one_rate": _rate(one, on_roll),
            "with_four": str(four),
            "with_four_rate": _rate(four, on_roll),
        }

    year_groups = sorted(k[1] for k in cells if k[0] == "year")
    schools = sorted((k[1] for k in cells if k[0] == "school"), key=lambda s: s.name)
    disadvantage = []
    for y in year_groups:
        d_roll, _, d_four = cells[("group", y, True)]
        o_roll, _, o_four = cells[("group", y, False)]
        d_rate, o_rate = _rate(d_four, d_roll), _rate(o_four, o_roll)
        disadvantage.append(
            {
                "label": f"Year {y}",
                "disadvantaged_on_roll": str(d_roll),
                "disadvantaged_with_four": str(d_four),
                "disadvantaged_with_four_rate": d_rate,
                "others_on_roll": str(o_roll),
                "others_with_four": str(o_four),
                "others_with_four_rate": o_rate,
                "gap": str(Decimal(o_rate) - Decimal(d_rate)),
            }
        )
    return {
        "academic_year": f"{start_year}/{(start_year + 1) % 100:02d}",
        "time_period": f"{start_year}{(start_year + 1) % 100:02d}",
        # In-year figures are provisional until the year ends on 31 August.
        "provisional": as_at <= date(start_year + 1, 8, 31),
        "year_groups": [
            {"year_group": y, "label": f"Year {y}", **figures(*cells[("year", y)])}
            for y in year_groups
        ],
        "total": {
            "year_group": None,
            "label": "All secondary year groups",
            **figures(*cells[("all",)]),
        },
        "schools": [
            {
                "urn": s.urn,
                "laestab": s.laestab,
                "la_code": s.la_code,
                "new_la_code": s.new_la_code,
                "la_name": s.la_name,
                "name": s.name,
                **figures(*cells[("school", s)]),
            }
            for s in schools
        ],
        "disadvantage": disadvantage,
    }


@pytest.mark.parametrize("big", [False, True], ids=["one of each", "many"])
def test_the_snapshot_query_budget(area, lead, report_day, big, django_assert_max_num_queries):
    """A national-scale area (about 90 schools, dozens of indicators and
    actions) costs the snapshot no more queries than a tiny one."""
    many = 6 if big else 1
    plan = published_plan_with(
        area,
        priorities=many,
        indicators_per_priority=many,
        targets_per_indicator=3,
        actions_per_priority=many,
        measurements_per_indicator=many,
        updates_per_action=many,
        user=lead,
    )
    stream = FundingStream.objects.get_or_create(code="core", defaults={"name": "Core"})[0]
    plan.actions.update(funding_stream=stream)
    for year in range(2017, 2017 + many):
        FundingAllocation.objects.create(
            area=area, stream=stream, financial_year=year, amount=Decimal(100000)
        )
    for school in SchoolFactory.create_batch(many * 5, area=area):
        PupilFactory.create_batch(2, school=school, year_group=9, year_group_on=report_day)
    summaries_rebuild()

    # 12, one for the programme phases the period covers and one for the
    # statuses comparator revisions changed (ADR 0018).
    with django_assert_max_num_queries(14):
        data = report_snapshot(
            area=area,
            period_start=report_day.replace(day=1),
            period_end=report_day,
            generated_at=timezone.now(),
        )
    assert len(data["priorities"]) == many
    assert len(data["encounters"]["schools"]) == many * 5
