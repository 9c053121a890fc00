"""Writes for delivery plans: versions, plan content, measurements, updates.

Every function is keyword-only and atomic, checks that the plan version is a
draft where content changes, and records history in the same transaction.
"""

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.history import change_record, snapshot
from core.models import ChangeAction
from dashboard.services import summary_refresh_on_commit

from . import selectors
from .models import (
    Action,
    ActionLineage,
    ActionPhaseOutcome,
    ActionUpdate,
    AreaPhase,
    DeliveryPlan,
    Indicator,
    IndicatorLineage,
    Measurement,
    PhaseOutcome,
    PlanStatus,
    Priority,
    PriorityLineage,
    PublishedPlanError,
    ReminderSent,
)


def _record(obj, user, action, before=None, area=None):
    after = snapshot(obj) if action != ChangeAction.DELETED else None
    return change_record(obj=obj, user=user, action=action, before=before, after=after, area=area)


@transaction.atomic
def plan_draft_start(*, area, user) -> DeliveryPlan:
    """The area's draft, starting one copied from the published version if
    there is none. Copies keep their lineage, so logs carry over."""
    existing = (
        DeliveryPlan.objects.select_for_update().filter(area=area, status=PlanStatus.DRAFT).first()
    )
    if existing:
        return existing
    published = DeliveryPlan.objects.filter(area=area, status=PlanStatus.PUBLISHED).first()
    latest_version = (
        DeliveryPlan.objects.filter(area=area)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    draft = DeliveryPlan.objects.create(
        area=area,
        version=(latest_version or 0) + 1,
        status=PlanStatus.DRAFT,
        title=published.title if published else f"{area.name} Opportunity Area delivery plan",
        summary=published.summary if published else "",
        based_on=published,
    )
    if published:
        _plan_content_copy(source=published, target=draft)
    _record(draft, user, ChangeAction.CREATED, area=area)
    summary_refresh_on_commit(area_id=area.pk)
    return draft


def _plan_content_copy(*, source, target):
    priorities = {}
    for priority in source.priorities.all():
        old_pk = priority.pk
        priority.pk = None
        priority.plan = target
        priority.save()
        priorities[old_pk] = priority
    for indicator in source.indicators.prefetch_related("targets"):
        targets = list(indicator.targets.all())
        indicator.pk = None
        indicator.plan = target
        indicator.priority = priorities[indicator.priority_id]
        indicator.save()
        for item in targets:
            item.pk = None
            item.indicator = indicator
            item.save()
    for action in source.actions.all():
        action.pk = None
        action.plan = target
        action.priority = priorities[action.priority_id]
        action.save()


@transaction.atomic
def plan_publish(*, plan, user) -> DeliveryPlan:
    """Publish a draft; the version it replaces becomes superseded."""
    plan = DeliveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise PublishedPlanError()
    if not plan.priorities.exists():
        raise ValidationError("Add at least one priority before publishing the plan.")
    for previous in DeliveryPlan.objects.select_for_update().filter(
        area=plan.area, status=PlanStatus.PUBLISHED
    ):
        before = snapshot(previous)
        previous.status = PlanStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        _record(previous, user, ChangeAction.UPDATED, before=before, area=plan.area)
    before = snapshot(plan)
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan.published_by = user
    # The status check in save() reads the stored row, which is still a draft.
    plan.save()
    _record(plan, user, ChangeAction.UPDATED, before=before, area=plan.area)
    summary_refresh_on_commit(area_id=plan.area_id)
    return plan


@transaction.atomic
def plan_content_save(*, obj, user, **values):
    """Create or change a priority, indicator, target or action in a draft.

    New priorities, indicators and actions get a new lineage."""
    creating = obj.pk is None
    before = None if creating else snapshot(type(obj).objects.get(pk=obj.pk))
    for name, value in values.items():
        setattr(obj, name, value)
    area = obj._plan().area
    if creating and isinstance(obj, Priority | Indicator | Action) and not obj.lineage_id:
        lineage_model = {
            Priority: PriorityLineage,
            Indicator: IndicatorLineage,
            Action: ActionLineage,
        }[type(obj)]
        obj.lineage = lineage_model.objects.create(area=area)
    obj.full_clean()
    obj.save()
    _record(
        obj,
        user,
        ChangeAction.CREATED if creating else ChangeAction.UPDATED,
        before=before,
        area=area,
    )
    summary_refresh_on_commit(area_id=area.pk)
    return obj


@transaction.atomic
def plan_content_delete(*, obj, user):
    area = obj._plan().area
    before = snapshot(obj)
    pk = obj.pk
    obj.delete()
    obj.pk = pk  # the record names the row that was deleted
    change_record(obj=obj, user=user, action=ChangeAction.DELETED, before=before, area=area)
    summary_refresh_on_commit(area_id=area.pk)


@transaction.atomic
def plan_content_remove(*, obj, user):
    """Remove a row of a draft and what belongs to it (its dependents first),
    each removal recorded; all or nothing."""
    for item in selectors.plan_content_dependents(obj=obj):
        plan_content_delete(obj=item, user=user)
    plan_content_delete(obj=obj, user=user)


def measurement_date_check(*, lineage, date, baseline=None) -> None:
    """A measurement is dated today or earlier, and after the baseline of its
    indicator (as the plan in force states it: the published version, else
    the latest; a caller that has read it already passes it as ``baseline``).
    Raises ValidationError against "date"; every caller (page, API, CSV
    import, demo) shows it in its own way."""
    if date > timezone.localdate():
        raise ValidationError({"date": "Date must be today or in the past"}, code="invalid")
    if baseline is None:
        baseline = selectors.indicator_in_force(lineage_id=lineage.pk).baseline_date
    if date <= baseline:
        raise ValidationError(
            {"date": f"Date must be after the baseline date, {baseline:%-d %B %Y}"},
            code="invalid",
        )


@transaction.atomic
def measurement_record(*, lineage, user, date, value, status, source="", note="") -> Measurement:
    """Record a measurement, or change the one already held for that date.
    Refused (ValidationError) for a date measurement_date_check refuses."""
    measurement_date_check(lineage=lineage, date=date)
    measurement = Measurement.objects.select_for_update().filter(lineage=lineage, date=date).first()
    before = snapshot(measurement) if measurement else None
    if measurement is None:
        measurement = Measurement(lineage=lineage, date=date)
    measurement.value = value
    measurement.status = status
    measurement.source = source
    measurement.note = note
    if before is None or snapshot(measurement) != before:
        measurement.entered_by = user
        measurement.full_clean()
        measurement.save()
        _record(
            measurement,
            user,
            ChangeAction.CREATED if before is None else ChangeAction.UPDATED,
            before=before,
            area=lineage.area,
        )
        summary_refresh_on_commit(area_id=lineage.area_id)
    return measurement


@transaction.atomic
def action_update_log(
    *,
    lineage,
    user,
    date,
    status,
    narrative,
    spend_to_date,
    evidence_url="",
    evidence_file=None,
    correction_reason="",
) -> ActionUpdate:
    """Log an update. Spend to date is a running total: one lower than the
    last update's (by date) is a correction, and needs a reason; a reason on
    a figure that is not lower is refused rather than dropped."""
    update = ActionUpdate(
        lineage=lineage,
        author=user,
        date=date,
        status=status,
        narrative=narrative,
        spend_to_date=spend_to_date,
        evidence_url=evidence_url,
        correction_reason=(correction_reason or "").strip(),
    )
    if evidence_file is not None:
        update.evidence_file = evidence_file
        update.evidence_original_name = PurePosixPath(evidence_file.name).name[:255]
        update.evidence_size = evidence_file.size
    update.full_clean()
    last = (
        ActionUpdate.objects.filter(lineage=lineage, date__lte=date)
        .order_by("-date", "-pk")
        .values_list("spend_to_date", flat=True)
        .first()
    )
    if last is not None and spend_to_date is not None and spend_to_date < last:
        if not update.correction_reason:
            raise ValidationError(
                {
                    "correction_reason": f"Spend to date is lower than the last update's "
                    f"(£{last:,.2f}): say why the earlier figure was wrong"
                }
            )
    elif update.correction_reason:
        raise ValidationError(
            {
                "correction_reason": "Only give a correction reason when the spend to date "
                "is lower than the last update's"
            }
        )
    update.save()
    _record(update, user, ChangeAction.CREATED, area=lineage.area)
    summary_refresh_on_commit(area_id=lineage.area_id)
    return update


def reminder_claim(*, user, day, item_count=0) -> bool:
    """Claim the one reminder email `user` may get on `day`: True if this
    caller may send it. The unique (user, date) row is the claim, so two
    workers, a restart or a flushed cache cannot send a second (ADR 0020)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=user, date=day, item_count=item_count)
    except IntegrityError:
        return False
    return True


def reminder_release(*, user, day) -> None:
    """Give a claim back when the email could not be sent, so that a retry or
    the next run sends it."""
    ReminderSent.objects.filter(user=user, date=day).delete()


@transaction.atomic
def action_phase_outcome_record(
    *, area_phase, lineage, user, outcome, organisation=None, reason=""
) -> ActionPhaseOutcome:
    """Record, or change, what became of an action open at the end of an
    area's phase: carried on into the next phase, mainstreamed by a named
    organisation, or stopped with a reason. Refused (ValidationError) for a
    phase that has not ended, an action that was not open at its end, and
    carrying on when the area has no next phase."""
    area_phase = AreaPhase.objects.select_for_update().get(pk=area_phase.pk)
    if area_phase.end_date is None:
        raise ValidationError("This phase has not ended: record what became of actions at its end.")
    if lineage.pk not in {
        row.action.lineage_id for row in selectors.phase_open_actions(area_phase=area_phase)
    }:
        raise ValidationError("This action was not open at the end of the phase.")
    if outcome == PhaseOutcome.CARRIED_ON and selectors.area_phase_next(area_phase) is None:
        raise ValidationError(
            {"outcome": f"{area_phase.area} has no phase after this one to carry the action into"}
        )
    record = (
        ActionPhaseOutcome.objects.select_for_update()
        .filter(area_phase=area_phase, lineage=lineage)
        .first()
    )
    before = snapshot(record) if record else None
    if record is None:
        record = ActionPhaseOutcome(area_phase=area_phase, lineage=lineage)
    record.outcome = outcome
    record.organisation = organisation
    record.reason = reason if outcome == PhaseOutcome.STOPPED else ""
    record.recorded_by = user
    record.full_clean()
    record.save()
    _record(
        record,
        user,
        ChangeAction.CREATED if before is None else ChangeAction.UPDATED,
        before=before,
        area=area_phase.area,
    )
    return record
