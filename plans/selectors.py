"""Reads for plans. Pages, exports and reports use these, so scoping and the
progress engine are applied in one place, with a constant number of queries
whatever the size of the plan."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from core import charts, ees
from core.disclosure import NOT_APPLICABLE
from core.models import Role
from core.scoping import visible_to
from partners.models import Organisation

from . import neighbours, progress
from .charts import funding_year_chart, indicator_line_chart
from .models import (
    CLOSED_ACTION_STATUSES,
    GAP_BASES,
    Action,
    ActionPhaseOutcome,
    ActionStatus,
    ActionUpdate,
    AreaPhase,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorImport,
    ComparatorStatusChange,
    ComparatorValue,
    DeliveryPlan,
    FigureStatus,
    FundingAllocation,
    FundingStream,
    Indicator,
    Measurement,
    PhaseOutcome,
    PlanStatus,
    Priority,
    Target,
    TargetBasis,
    Unit,
    unit_mark,
)


def plans_visible(*, user, area=None):
    """The plan versions ``user`` may see: those in scope, and drafts only for
    those who may edit that area's plan (the area lead and administrators).
    Pages and the API both read plans through here."""
    plans = visible_to(DeliveryPlan.objects.all(), user)
    if area is not None:
        plans = plans.filter(area=area)
    if user.role == Role.ADMINISTRATOR:
        return plans
    if user.role == Role.AREA_LEAD:
        return plans.filter(~Q(status=PlanStatus.DRAFT) | Q(area_id=user.area_id))
    return plans.exclude(status=PlanStatus.DRAFT)


def plan_published(*, user, area):
    return plans_visible(user=user, area=area).filter(status=PlanStatus.PUBLISHED).first()


def plan_versions(*, user, area):
    """The area's versions the user may see, newest first (drafts only for
    those who may edit the plan, as plans_visible says)."""
    return plans_visible(user=user, area=area).select_related("published_by").order_by("-version")


def plan_draft(*, user, area):
    """The area's draft, if there is one the user may see."""
    return (
        plans_visible(user=user, area=area)
        .filter(status=PlanStatus.DRAFT)
        .select_related("area")
        .first()
    )


def draft_contents(*, plan):
    """The draft's priorities, each with .indicator_list (targets prefetched)
    and .action_list, in four queries."""
    priorities = list(Priority.objects.filter(plan=plan))
    by_pk = {priority.pk: priority for priority in priorities}
    for priority in priorities:
        priority.indicator_list = []
        priority.action_list = []
    for indicator in (
        Indicator.objects.filter(plan=plan)
        .select_related("comparator", "comparator_group")
        .prefetch_related("targets")
    ):
        by_pk[indicator.priority_id].indicator_list.append(indicator)
    for action in Action.objects.filter(plan=plan).select_related(
        "lead_organisation", "funding_stream", "owner_user"
    ):
        by_pk[action.priority_id].action_list.append(action)
    return priorities


def plan_content_dependents(*, obj) -> list:
    """What belongs to a row of plan content and goes when it goes: a
    priority's targets, indicators and actions; an indicator's targets. In
    the order they are removed, so each removal is recorded."""
    if isinstance(obj, Priority):
        targets = Target.objects.filter(indicator__priority=obj)
        return [*targets, *obj.indicators.all(), *obj.actions.all()]
    if isinstance(obj, Indicator):
        return list(obj.targets.all())
    return []


class IndicatorNotJudgeable(ValueError):
    """The indicator's plan cannot be judged yet (no targets, or targets that
    do not fit its baseline); the message says why."""


def indicator_spec(indicator) -> progress.IndicatorSpec:
    """The progress engine's view of an indicator.

    Expects targets and comparator values prefetched. Raises
    IndicatorNotJudgeable when the plan for it is incomplete."""
    targets = list(indicator.targets.all())
    if not targets:
        raise IndicatorNotJudgeable("No targets have been set.")
    comparator = ()
    if any(t.basis == TargetBasis.GROUP for t in targets):
        comparator = tuple(
            progress.Point(date=figure.date, value=figure.value)
            for figure in indicator_group_figures(indicator)
        )
    elif indicator.comparator_id:
        comparator = tuple(
            progress.Point(date=v.date, value=v.value)
            for v in indicator.comparator.values.all()
            if v.value is not None
        )
    try:
        return _spec(indicator, targets, comparator)
    except ValueError as error:
        raise IndicatorNotJudgeable(str(error)) from error


def _spec(indicator, targets, comparator):
    return progress.IndicatorSpec(
        polarity=progress.Polarity(indicator.polarity),
        baseline=progress.Point(date=indicator.baseline_date, value=indicator.baseline_value),
        targets=tuple(progress.Target(date=t.date, value=t.value) for t in targets),
        tolerance=indicator.tolerance,
        frequency_days=indicator.frequency_days,
        grace_days=settings.INDICATOR_GRACE_DAYS,
        relative=any(t.basis in GAP_BASES for t in targets),
        comparator=comparator,
    )


@dataclass
class IndicatorProgress:
    indicator: Indicator
    measurements: list
    spec: progress.IndicatorSpec | None
    judgement: progress.Judgement
    problem: str = ""
    anchor: str = ""

    @property
    def status(self):
        return self.judgement.status

    @property
    def latest_measurement(self):
        """The measurement the judgement is of (one per date)."""
        latest = self.judgement.latest
        if latest is None:
            return None
        return next((m for m in reversed(self.measurements) if m.date == latest.date), None)

    @property
    def latest_stage(self) -> str:
        """'provisional', 'final' or 'revised': the latest figure's stage."""
        measurement = self.latest_measurement
        return measurement.status if measurement else ""

    @property
    def sparkline(self):
        """The measured values since the baseline, for a table cell."""
        indicator = self.indicator
        points = [(indicator.baseline_date, indicator.baseline_value)] + [
            (m.date, m.value) for m in self.measurements if m.date > indicator.baseline_date
        ]
        return charts.sparkline(
            title=f"Trend in {indicator.name}",
            desc=f"Baseline and {len(points) - 1} measurement(s); the figures are in the row.",
            points=points,
            id=f"trend-{indicator.lineage_id}",
            date_format="month",
        )


@dataclass
class ActionProgress:
    action: Action
    status: str
    status_label: str
    last_update_date: date | None
    spend_to_date: object
    overdue: bool
    update_due: bool
    anchor: str = ""
    overdue_anchor: str = ""


@dataclass
class PriorityProgress:
    priority: Priority
    indicators: list[IndicatorProgress] = field(default_factory=list)
    actions: list[ActionProgress] = field(default_factory=list)
    rollup: progress.RollUp | None = None

    def _figures(self, kind, counts):
        number = self.priority.number
        return [
            (count, label, f"p{number}-{kind}-{status}") for status, label, count in counts if count
        ]

    @property
    def indicator_figures(self):
        """Roll-up counts as (count, label, anchor of the first row behind it)."""
        return self._figures(
            "indicator",
            [(s, s.label.lower(), n) for s, n in self.rollup.indicators.items()],
        )

    @property
    def action_figures(self):
        return self._figures(
            "action",
            [(s, ActionStatus(s).label.lower(), n) for s, n in self.rollup.actions.items()],
        )


def _comparator_values(dated_until=None):
    values = ComparatorValue.objects.order_by("date")
    if dated_until is not None:
        values = values.filter(date__lte=dated_until)
    return Prefetch("comparator__values", queryset=values)


def group_figures_attach(indicators, dated_until=None) -> None:
    """Give each indicator with a comparator group its group's series for the
    indicator's comparator's measure (`group_figures`, ADR 0019), in two
    queries for any number of indicators. Only figures dated on or before
    `dated_until` count, as for the comparator's own values."""
    grouped = [i for i in indicators if i.comparator_group_id and i.comparator_id]
    for indicator in indicators:
        indicator.group_figures = []
    if not grouped:
        return
    members = {}
    for member in ComparatorGroupMember.objects.filter(
        group_id__in={i.comparator_group_id for i in grouped}
    ):
        members.setdefault(member.group_id, set()).add(member.la_code)
    values = ComparatorValue.objects.filter(
        series__measure__in={i.comparator.measure for i in grouped if i.comparator.measure},
        series__la_code__in=set().union(*members.values()) if members else set(),
        value__isnull=False,
    ).values_list("series__measure", "series__la_code", "date", "value", "numerator", "denominator")
    if dated_until is not None:
        values = values.filter(date__lte=dated_until)
    by_measure = {}
    for measure, la_code, day, value, numerator, denominator in values:
        by_measure.setdefault(measure, {}).setdefault(la_code, []).append(
            neighbours.MemberFigure(day, value, numerator, denominator)
        )
    for indicator in grouped:
        codes = members.get(indicator.comparator_group_id, set())
        measured = (
            by_measure.get(indicator.comparator.measure, {}) if indicator.comparator.measure else {}
        )
        indicator.group_figures = neighbours.group_series(
            {code: measured[code] for code in codes if code in measured},
            members=len(codes),
            percentage=indicator.unit == Unit.PERCENTAGE,
        )


def indicator_group_figures(indicator) -> list:
    """The indicator's comparator group's figures, read now if not attached."""
    if not hasattr(indicator, "group_figures"):
        group_figures_attach([indicator])
    return indicator.group_figures


def _indicators_with_targets(plan, dated_until=None, *, indicators=None):
    return (
        (Indicator.objects.filter(plan=plan) if indicators is None else indicators)
        .select_related("comparator", "comparator_group")
        .prefetch_related("targets", _comparator_values(dated_until))
    )


def indicator_progress(indicator, measurements, *, today) -> IndicatorProgress:
    """An indicator judged by the progress engine. One that cannot be judged
    yet counts as 'no data' and says why."""
    try:
        spec = indicator_spec(indicator)
    except IndicatorNotJudgeable as problem:
        judgement = progress.Judgement(
            status=progress.Status.NO_DATA,
            stale=False,
            latest=None,
            compared_value=None,
            expected=None,
            shortfall=None,
            forecast=None,
        )
        return IndicatorProgress(indicator, list(measurements), None, judgement, str(problem))
    points = [progress.Point(date=m.date, value=m.value) for m in measurements]
    return IndicatorProgress(
        indicator, list(measurements), spec, progress.judge(spec, points, today=today)
    )


def _measurements_by_lineage(lineage_ids, dated_until=None):
    grouped = {pk: [] for pk in lineage_ids}
    measurements = Measurement.objects.filter(lineage_id__in=lineage_ids)
    if dated_until is not None:
        measurements = measurements.filter(date__lte=dated_until)
    for measurement in measurements.order_by("date"):
        grouped[measurement.lineage_id].append(measurement)
    return grouped


def actions_with_latest_update(queryset, dated_until=None):
    latest = ActionUpdate.objects.filter(lineage=OuterRef("lineage")).order_by("-date", "-pk")
    if dated_until is not None:
        latest = latest.filter(date__lte=dated_until)
    return queryset.select_related("lead_organisation", "funding_stream").annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_date=Subquery(latest.values("date")[:1]),
        latest_spend=Subquery(latest.values("spend_to_date")[:1]),
    )


def action_progress(action, *, today) -> ActionProgress:
    status = action.latest_status or ActionStatus.NOT_STARTED
    open_action = status not in CLOSED_ACTION_STATUSES
    interval = timedelta(days=settings.ACTION_UPDATE_INTERVAL_DAYS)
    last = action.latest_date
    started = action.start_date <= today
    return ActionProgress(
        action=action,
        status=status,
        status_label=ActionStatus(status).label,
        last_update_date=last,
        spend_to_date=action.latest_spend or 0,
        overdue=open_action and action.due_date < today,
        update_due=open_action and started and (last is None or last + interval < today),
    )


def plan_progress(*, plan, today, dated_until=None, action_lineages=None) -> list[PriorityProgress]:
    """Every priority of a plan version with its indicators judged and its
    actions' latest state, and the roll-up of each priority.

    With ``dated_until`` (a report's period end) only what is dated on or
    before it counts: measurements, comparator values and action updates
    dated later are left out, whenever they were recorded. With
    ``action_lineages`` (a programme phase's, phase_action_lineages) only
    those actions are shown; indicators run on across phases."""
    priorities = {p.pk: PriorityProgress(p) for p in Priority.objects.filter(plan=plan)}
    indicators = list(_indicators_with_targets(plan, dated_until))
    group_figures_attach(indicators, dated_until)
    measurements = _measurements_by_lineage([i.lineage_id for i in indicators], dated_until)
    for indicator in indicators:
        priorities[indicator.priority_id].indicators.append(
            indicator_progress(indicator, measurements[indicator.lineage_id], today=today)
        )
    actions = Action.objects.filter(plan=plan)
    if action_lineages is not None:
        actions = actions.filter(lineage_id__in=action_lineages)
    for action in actions_with_latest_update(actions, dated_until):
        priorities[action.priority_id].actions.append(action_progress(action, today=today))
    for item in priorities.values():
        _anchor_first_of_each_status(item)
        item.rollup = progress.roll_up(
            [i.judgement for i in item.indicators],
            [(a.status, a.overdue) for a in item.actions],
            action_statuses=ActionStatus.values,
        )
    return list(priorities.values())


def indicators_judged_for_priorities(*, priority_ids, today) -> dict[int, list[IndicatorProgress]]:
    """The indicators of several priorities (of any plans), judged, by
    priority id: for summaries across areas such as the what-works library.
    A constant number of queries however many priorities."""
    indicators = list(
        Indicator.objects.filter(priority_id__in=priority_ids)
        .select_related("comparator")
        .prefetch_related("targets", _comparator_values())
    )
    measurements = _measurements_by_lineage([i.lineage_id for i in indicators])
    judged = {pk: [] for pk in priority_ids}
    for indicator in indicators:
        judged[indicator.priority_id].append(
            indicator_progress(indicator, measurements[indicator.lineage_id], today=today)
        )
    return judged


def indicator_in_force(*, lineage_id) -> Indicator:
    """The indicator of a lineage as the plan in force states it (the
    published version, else the latest), whoever asks: for services that
    check a rule after the caller has checked the user may act."""
    return _current_version(Indicator.objects.filter(lineage_id=lineage_id).select_related("plan"))


def _current_version(queryset):
    """The row in the published version, else in the latest version; 404 if none."""
    rows = list(queryset.order_by("-plan__version"))
    row = next(
        (r for r in rows if r.plan.status == PlanStatus.PUBLISHED), rows[0] if rows else None
    )
    if row is None:
        raise Http404("No such row in a plan you can see")
    return row


def _anchor_first_of_each_status(item):
    """Roll-up figures link to the first row of their status."""
    number = item.priority.number
    for kind, rows in (("indicator", item.indicators), ("action", item.actions)):
        seen = set()
        for row in rows:
            if row.status not in seen:
                seen.add(row.status)
                row.anchor = f"p{number}-{kind}-{row.status}"
    first_overdue = next((row for row in item.actions if row.overdue), None)
    if first_overdue:
        first_overdue.overdue_anchor = f"p{number}-action-overdue"


def indicator_detail(*, user, area, lineage_id, today) -> IndicatorProgress:
    indicator = _current_version(
        Indicator.objects.filter(
            plan__in=plans_visible(user=user, area=area), lineage_id=lineage_id
        )
        .select_related("plan", "priority", "comparator", "comparator_group")
        .prefetch_related("targets", _comparator_values())
    )
    group_figures_attach([indicator])
    measurements = Measurement.objects.filter(lineage_id=lineage_id).select_related("entered_by")
    return indicator_progress(indicator, list(measurements.order_by("date")), today=today)


def indicator_measurements_data_set(*, user, area, lineage_id, today) -> ees.DataSet:
    """Open data (EES): the indicator's baseline and measurements, a row per
    month. The baseline and the measurements are separate indicators (each z
    on the other's rows); provisional and revised figures and the sources are
    footnotes, as EES marks them."""
    item = indicator_detail(user=user, area=area, lineage_id=lineage_id, today=today)
    indicator = item.indicator
    unit = indicator.number_unit
    shown_unit = "" if unit else f" ({indicator.get_unit_display().lower()})"
    data_set = ees.DataSet(
        name=f"{area.slug}-indicator-{indicator.lineage_id}",
        title=f"{indicator.name}, {area.name}",
        filters=(),
        indicators=(
            ees.Indicator("baseline_value", f"Baseline{shown_unit}", unit=unit, dp=3),
            ees.Indicator("measured_value", f"Measured value{shown_unit}", unit=unit, dp=3),
        ),
        levels=(ees.OPPORTUNITY_AREA,),
    )
    data_set.add(
        time=ees.month(indicator.baseline_date),
        location=ees.opportunity_area(area),
        baseline_value=_plain(indicator.baseline_value),
        measured_value=NOT_APPLICABLE,
    )
    footnotes = [f"Baseline source: {indicator.source}"] if indicator.source else []
    for measurement in item.measurements:
        data_set.add(
            time=ees.month(measurement.date),
            location=ees.opportunity_area(area),
            baseline_value=NOT_APPLICABLE,
            measured_value=_plain(measurement.value),
        )
        when = f"{measurement.date:%B %Y}"
        if measurement.status != FigureStatus.FINAL:
            footnotes.append(f"{when}: {measurement.get_status_display().lower()} figure.")
        if measurement.source:
            footnotes.append(f"{when}: source {measurement.source}.")
    data_set.footnotes = tuple(footnotes)
    return data_set


def _plain(value: Decimal) -> str:
    """A recorded value without trailing zeros: 66.000 is 66, 12.50 is 12.5."""
    return format(value.normalize(), "f")


def action_detail(*, user, area, lineage_id, today):
    action = _current_version(
        actions_with_latest_update(
            Action.objects.filter(
                plan__in=plans_visible(user=user, area=area), lineage_id=lineage_id
            ).select_related("plan", "priority")
        )
    )
    updates = ActionUpdate.objects.filter(lineage_id=lineage_id).select_related("author")
    return action_progress(action, today=today), list(updates)


def action_update_evidence(*, user, area, lineage_id, update_id, name):
    """The action update whose evidence file is asked for, for someone who
    can see the action it belongs to; 404 otherwise, the same whether the
    update is out of scope or has no such file."""
    visible_lineages = Action.objects.filter(plan__in=plans_visible(user=user, area=area))
    update = (
        visible_to(ActionUpdate.objects.all(), user)
        .filter(
            lineage__area=area,
            lineage_id=lineage_id,
            lineage_id__in=visible_lineages.values("lineage_id"),
            pk=update_id,
        )
        .exclude(evidence_file="")
        .first()
    )
    if update is None or update.evidence_file_name != name:
        raise Http404("No such evidence file")
    return update


def funding_summary(*, user, area, dated_until=None):
    """Allocation against spend for each stream and financial year.

    Spend comes from action updates: an action's spend to date is a running
    total, so the spend in a financial year is the latest total by the end of
    that year minus the latest total by the end of the year before. With
    ``dated_until`` only updates dated on or before it count."""
    allocations = visible_to(FundingAllocation.objects.filter(area=area), user).select_related(
        "stream"
    )
    plans = plans_visible(user=user, area=area)
    actions = Action.objects.filter(plan__in=plans).exclude(funding_stream=None)
    stream_by_lineage = dict(
        actions.order_by("plan__version").values_list("lineage_id", "funding_stream_id")
    )
    updates = ActionUpdate.objects.filter(lineage_id__in=list(stream_by_lineage))
    if dated_until is not None:
        updates = updates.filter(date__lte=dated_until)
    updates = updates.order_by("lineage_id", "date", "pk").values_list(
        "lineage_id", "date", "spend_to_date"
    )
    spend = {}  # (stream id, financial year) -> amount
    running = {}  # lineage id -> (financial year, total at the end of it)
    for lineage_id, when, total in corrected_running_totals(updates):
        year = financial_year_of(when)
        previous_year, previous_total = running.get(lineage_id, (year, 0))
        key = (stream_by_lineage[lineage_id], year)
        spend[key] = spend.get(key, 0) + (total - previous_total)
        running[lineage_id] = (year, total)
    rows = {}
    for allocation in allocations:
        rows[(allocation.stream_id, allocation.financial_year)] = {
            "stream": allocation.stream,
            "year": allocation.financial_year,
            "year_label": allocation.financial_year_label,
            "allocated": allocation.amount,
            "spent": 0,
        }
    streams = {s.pk: s for s in FundingStream.objects.filter(pk__in={k[0] for k in spend})}
    for (stream_id, year), amount in spend.items():
        row = rows.setdefault(
            (stream_id, year),
            {
                "stream": streams[stream_id],
                "year": year,
                "year_label": f"{year}-{(year + 1) % 100:02d}",
                "allocated": 0,
                "spent": 0,
            },
        )
        row["spent"] += amount
    ordered = sorted(rows.values(), key=lambda r: (r["year"], r["stream"].pk))
    for row in ordered:
        row["remaining"] = max(row["allocated"] - row["spent"], 0)
        row["overspent"] = max(row["spent"] - row["allocated"], 0)
    return {
        "funding_rows": ordered,
        "allocated_total": sum(r["allocated"] for r in ordered),
        "spent_total": sum(r["spent"] for r in ordered),
    }


FUNDING_CSV_HEADER = (
    "financial_year",
    "funding_stream",
    "allocated_pounds",
    "spent_pounds",
    "remaining_pounds",
    "overspent_pounds",
)


def funding_csv_rows(summary) -> list[tuple]:
    """funding_summary's rows as the funding page's CSV writes them, in
    pounds and pence."""
    measures = ("allocated", "spent", "remaining", "overspent")
    return [
        (
            row["year_label"],
            row["stream"].name,
            *(Decimal(row[m]).quantize(Decimal("0.01")) for m in measures),
        )
        for row in summary["funding_rows"]
    ]


def funding_chart(summary) -> charts.BarChart | None:
    """The funding page's chart, from funding_summary's rows."""
    by_year = {}  # year label -> [allocated, spent]
    for row in summary["funding_rows"]:
        totals = by_year.setdefault(row["year_label"], [0, 0])
        totals[0] += row["allocated"]
        totals[1] += row["spent"]
    return funding_year_chart(by_year, table_where="beside it")


def corrected_running_totals(updates):
    """(lineage id, date, spend to date) rows in date order, with each total
    lowered to the lowest total logged after it for the same action.

    A lower spend to date is a correction: the earlier figures were too
    high. Reading them as corrected keeps each action's running total from
    ever falling, so no period's spend (a difference of totals) is negative,
    and the periods add up to the latest figure."""
    rows = list(updates)
    lowest = {}  # lineage id -> lowest total from here to the last update
    corrected = []
    for lineage_id, when, total in reversed(rows):
        low = min(total, lowest.get(lineage_id, total))
        lowest[lineage_id] = low
        corrected.append((lineage_id, when, low))
    corrected.reverse()
    return corrected


def financial_year_of(day: date) -> int:
    """The year a UK financial year starts (1 April): 2018 for 15 March 2019."""
    return day.year if day.month >= 4 else day.year - 1


def indicator_chart(item: IndicatorProgress) -> charts.LineChart:
    """The indicator page's chart: measured values against the expected path
    and the forecast."""
    indicator, spec = item.indicator, item.spec
    baseline = progress.Point(date=indicator.baseline_date, value=indicator.baseline_value)
    measured = [progress.Point(date=m.date, value=m.value) for m in item.measurements]
    measured = [p for p in measured if p.date > indicator.baseline_date]
    relative = spec is not None and spec.relative

    def shown(point):
        return progress.compared_value(spec, point) if relative else point.value

    forecast = item.judgement.forecast
    return indicator_line_chart(
        lineage_id=indicator.lineage_id,
        name=indicator.name,
        baseline_date=indicator.baseline_date,
        measured=[(p.date, shown(p)) for p in [baseline, *measured]],
        trajectory=(
            [(p.date, p.value) for p in progress.trajectory(spec)]
            if spec is not None and not spec.missing_comparator
            else []
        ),
        forecast=None
        if forecast is None
        else {
            "final_date": forecast.final_date,
            "projected": forecast.projected,
            "slope_per_year": forecast.slope_per_year,
        },
        relative=relative,
        comparator_name=indicator.comparator.name if indicator.comparator_id else "",
        unit=indicator.unit,
        unit_label=indicator.get_unit_display(),
    )


# Programme phases and legacy (ADR 0024).

LEGACY_YEARS = (3, 5)


def area_phases(*, user, area):
    """The area's programme phases, in date order, for a user who sees the area."""
    return (
        visible_to(AreaPhase.objects.filter(area=area), user)
        .select_related("phase")
        .prefetch_related("phase__funding_streams")
        .order_by("start_date")
    )


def area_phase_detail(*, user, area, pk) -> AreaPhase:
    phase = area_phases(user=user, area=area).filter(pk=pk).first()
    if phase is None:
        raise Http404("No such phase")
    return phase


def area_phase_next(area_phase):
    """The area's phase after this one, if there is one."""
    return (
        AreaPhase.objects.filter(area_id=area_phase.area_id, start_date__gt=area_phase.start_date)
        .order_by("start_date")
        .first()
    )


def _area_phase_previous(area_phase):
    return (
        AreaPhase.objects.filter(area_id=area_phase.area_id, start_date__lt=area_phase.start_date)
        .order_by("-start_date")
        .first()
    )


def actions_in_force(*, area):
    """Each action of the area once, as its latest published (or superseded)
    version states it: an action dropped from a later version still counts
    for the phase it ran in."""
    return (
        Action.objects.filter(plan__area=area)
        .exclude(plan__status=PlanStatus.DRAFT)
        .order_by("lineage_id", "-plan__version")
        .distinct("lineage_id")
    )


def phase_action_lineages(*, area_phase):
    """The lineage ids of the actions that belong to a phase: those that
    started during it, and those carried on into it from the phase before."""
    actions = actions_in_force(area=area_phase.area)
    started = actions.filter(start_date__gte=area_phase.start_date)
    if area_phase.end_date is not None:
        started = started.filter(start_date__lte=area_phase.end_date)
    lineages = set(started.values_list("lineage_id", flat=True))
    previous = _area_phase_previous(area_phase)
    if previous is not None:
        lineages |= set(
            previous.action_outcomes.filter(outcome=PhaseOutcome.CARRIED_ON).values_list(
                "lineage_id", flat=True
            )
        )
    return lineages


def _phase_actions(area_phase, dated_until):
    """The phase's actions with their latest update dated on or before
    ``dated_until``."""
    lineages = phase_action_lineages(area_phase=area_phase)
    return actions_with_latest_update(
        actions_in_force(area=area_phase.area).filter(lineage_id__in=lineages), dated_until
    )


@dataclass
class PhaseEndRow:
    action: Action
    status_at_end: str
    outcome: ActionPhaseOutcome | None

    @property
    def status_at_end_label(self):
        return ActionStatus(self.status_at_end).label


def phase_open_actions(*, area_phase) -> list[PhaseEndRow]:
    """The phase's actions still open at its end (by their latest update
    dated on or before the end), each with what was recorded of it."""
    if area_phase.end_date is None:
        return []
    outcomes = {
        o.lineage_id: o
        for o in area_phase.action_outcomes.select_related("organisation", "recorded_by")
    }
    rows = []
    for action in _phase_actions(area_phase, area_phase.end_date):
        status = action.latest_status or ActionStatus.NOT_STARTED
        if status in CLOSED_ACTION_STATUSES:
            continue
        rows.append(PhaseEndRow(action, status, outcomes.get(action.lineage_id)))
    return sorted(rows, key=lambda row: (row.action.due_date, row.action.title))


def phase_open_action_row(*, area_phase, lineage_id) -> PhaseEndRow:
    """One action open at the phase's end; 404 for any other."""
    row = next(
        (r for r in phase_open_actions(area_phase=area_phase) if r.action.lineage_id == lineage_id),
        None,
    )
    if row is None:
        raise Http404("No such open action at the end of this phase")
    return row


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class LegacyAction:
    action: Action
    outcome: ActionPhaseOutcome | None
    latest_update: ActionUpdate | None

    @property
    def still_running(self) -> bool:
        """Carried on or mainstreamed, and not closed by its latest update."""
        if self.outcome is None or self.outcome.outcome == PhaseOutcome.STOPPED:
            return False
        return self.latest_update is None or self.latest_update.status not in (
            CLOSED_ACTION_STATUSES
        )


@dataclass
class LegacyIndicator:
    indicator: Indicator
    at_end: Measurement | None
    latest: Measurement | None
    status_at_end: progress.Status
    status_now: progress.Status

    @property
    def change(self):
        if self.at_end is None or self.latest is None:
            return None
        return self.latest.value - self.at_end.value


@dataclass
class PhaseLegacy:
    area_phase: AreaPhase
    years: int
    due: date
    as_of: date
    actions: list[LegacyAction]
    indicators: list[LegacyIndicator]

    @property
    def reached(self) -> bool:
        return self.as_of == self.due

    @property
    def still_running(self) -> list[LegacyAction]:
        return [a for a in self.actions if a.still_running]


def phase_legacy(*, area_phase, years, today) -> PhaseLegacy:
    """What is left of a phase ``years`` after its end (or today, if that day
    has not come): its funded actions (those on one of the phase's funding
    streams) with what became of them and their latest update, and every
    indicator's value at the phase's end against its latest, each judged by
    the progress engine on that day. Everything is read from the recorded
    rows, none from a summary."""
    if area_phase.end_date is None or years not in LEGACY_YEARS:
        raise Http404("No legacy for a phase that has not ended")
    end = area_phase.end_date
    due = _years_after(end, years)
    as_of = min(due, today)
    outcomes = {o.lineage_id: o for o in area_phase.action_outcomes.select_related("organisation")}
    streams = area_phase.phase.funding_streams.all()
    funded = list(
        _phase_actions(area_phase, end)
        .filter(funding_stream__in=streams)
        .select_related("funding_stream", "priority")
    )
    latest_updates = {}
    for update in ActionUpdate.objects.filter(
        lineage_id__in=[a.lineage_id for a in funded], date__lte=as_of
    ).order_by("lineage_id", "date", "pk"):
        latest_updates[update.lineage_id] = update
    actions = [
        LegacyAction(a, outcomes.get(a.lineage_id), latest_updates.get(a.lineage_id))
        for a in sorted(funded, key=lambda a: (a.priority.number, a.title))
    ]
    indicators = list(
        Indicator.objects.filter(
            pk__in=Indicator.objects.filter(plan__area=area_phase.area)
            .exclude(plan__status=PlanStatus.DRAFT)
            .order_by("lineage_id", "-plan__version")
            .distinct("lineage_id")
            .values("pk")
        )
        .select_related("comparator", "priority")
        .prefetch_related("targets", _comparator_values(as_of))
        .order_by("priority__number", "name")
    )
    measurements = _measurements_by_lineage([i.lineage_id for i in indicators], as_of)
    rows = []
    for indicator in indicators:
        measured = measurements[indicator.lineage_id]
        until_end = [m for m in measured if m.date <= end]
        rows.append(
            LegacyIndicator(
                indicator=indicator,
                at_end=until_end[-1] if until_end else None,
                latest=measured[-1] if measured else None,
                status_at_end=indicator_progress(indicator, until_end, today=end).status,
                status_now=indicator_progress(indicator, measured, today=as_of).status,
            )
        )
    return PhaseLegacy(area_phase, years, due, as_of, actions, rows)


def phase_outcome_organisations(*, area):
    """The organisations an area lead may name as continuing an action: the
    area's own and the national ones (organisations are shared reference data)."""
    return Organisation.objects.filter(Q(area=area) | Q(area=None)).order_by("name")


def area_phases_covering(*, user, area, start: date, end: date) -> list[AreaPhase]:
    """The area's phases that overlap a period, for a report to say which
    phase (or phases) it covers."""
    return list(
        visible_to(AreaPhase.objects.filter(area=area, start_date__lte=end), user)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("phase")
        .order_by("start_date")
    )


@dataclass(frozen=True)
class ComparisonRow:
    date: date
    area: Decimal | None
    national: Decimal | None
    group: Decimal | None
    members_with_data: int | None
    members: int
    rule: str


@dataclass(frozen=True)
class NeighbourComparison:
    """The area against its comparator and its comparator group, by date."""

    group_name: str
    comparator_name: str
    rows: tuple[ComparisonRow, ...]
    chart: charts.LineChart

    CSV_HEADER = (
        "date",
        "area_value",
        "comparator_value",
        "group_value",
        "group_members_with_data",
        "group_members",
        "group_rule",
    )

    def csv_rows(self):
        def shown(value):
            return "" if value is None else _plain(value)

        for row in self.rows:
            yield (
                row.date.isoformat(),
                shown(row.area),
                shown(row.national),
                shown(row.group),
                "" if row.members_with_data is None else row.members_with_data,
                row.members,
                row.rule,
            )


def indicator_neighbour_comparison(item: IndicatorProgress, *, area) -> NeighbourComparison | None:
    """For an indicator with a comparator and a comparator group: its own
    figures (baseline and measurements), the comparator's and the group's,
    as three lines with the table behind them. None for any other."""
    indicator = item.indicator
    if not (indicator.comparator_id and indicator.comparator_group_id):
        return None
    own = {indicator.baseline_date: indicator.baseline_value}
    own.update({m.date: m.value for m in item.measurements if m.date > indicator.baseline_date})
    national = {v.date: v.value for v in indicator.comparator.values.all() if v.value is not None}
    group = {figure.date: figure for figure in indicator_group_figures(indicator)}
    members = indicator.comparator_group.members.count()
    rows = tuple(
        ComparisonRow(
            date=day,
            area=own.get(day),
            national=national.get(day),
            group=group[day].value.quantize(Decimal("0.001")) if day in group else None,
            members_with_data=group[day].members_with_data if day in group else None,
            members=members,
            rule=group[day].rule.label if day in group else "",
        )
        for day in sorted({*own, *national, *group})
    )
    group_name = indicator.comparator_group.name
    chart = charts.line_chart(
        title=f"{indicator.name}: {area.name}, {indicator.comparator.name} and {group_name}",
        desc=(
            f"Line chart of {indicator.name} for {area.name}, {indicator.comparator.name} "
            f"and {group_name}; the table below gives every figure."
        ),
        series=[
            charts.Series(area.name, [(r.date, r.area) for r in rows if r.area is not None]),
            charts.Series(
                indicator.comparator.name,
                [(r.date, r.national) for r in rows if r.national is not None],
                style="dashed",
            ),
            charts.Series(
                group_name,
                [(r.date, r.group) for r in rows if r.group is not None],
                style="dotted",
            ),
        ],
        y_label=indicator.get_unit_display(),
        y_suffix=unit_mark(indicator.unit),
        id=f"neighbours-{indicator.lineage_id}",
        date_format="month",
    )
    return NeighbourComparison(group_name, indicator.comparator.name, rows, chart)


def comparator_groups():
    """Every comparator group with its members (shared reference data)."""
    return ComparatorGroup.objects.prefetch_related("members")


def statuses_against_series(*, series_ids, today) -> dict:
    """{lineage id: status} for every indicator of a published plan compared
    with one of the series, whoever asks: for the comparator import, which
    records the statuses its revisions change (plans.comparator_imports)."""
    indicators = list(
        _indicators_with_targets(
            None,
            indicators=Indicator.objects.filter(
                plan__status=PlanStatus.PUBLISHED, comparator_id__in=list(series_ids)
            ),
        ).select_related("plan")
    )
    measurements = _measurements_by_lineage([i.lineage_id for i in indicators])
    return {
        indicator.lineage_id: (
            indicator_progress(indicator, measurements[indicator.lineage_id], today=today).status,
            indicator.comparator_id,
        )
        for indicator in indicators
    }


def comparator_import_detail(*, pk):
    """A comparator import (reference data every signed-in user may read)."""
    return ComparatorImport.objects.filter(pk=pk).first()


def comparator_status_changes(
    *, user, lineage_id=None, area=None, since=None, until=None, comparator_import=None
):
    """The status changes comparator revisions made that the user may see,
    newest first: an indicator's (lineage_id) or an area's, optionally only
    those recorded after `since`."""
    changes = visible_to(ComparatorStatusChange.objects.all(), user).select_related(
        "comparator_import", "series"
    )
    if lineage_id is not None:
        changes = changes.filter(lineage_id=lineage_id)
    if area is not None:
        changes = changes.filter(lineage__area=area)
    if since is not None:
        changes = changes.filter(comparator_import__created_at__gt=since)
    if until is not None:
        changes = changes.filter(comparator_import__created_at__lte=until)
    if comparator_import is not None:
        changes = changes.filter(comparator_import=comparator_import)
    return changes.select_related("lineage")


def indicator_names(*, lineage_ids) -> dict:
    """{lineage id: the indicator's name in the plan in force}."""
    names = {}
    for indicator in (
        Indicator.objects.filter(lineage_id__in=list(lineage_ids))
        .order_by("plan__version")
        .select_related("plan")
    ):
        if indicator.lineage_id not in names or indicator.plan.status == PlanStatus.PUBLISHED:
            names[indicator.lineage_id] = indicator.name
    return names
