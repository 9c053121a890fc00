"""Updates that are due: measurements of indicators and updates on actions.

An indicator's next measurement is due its reporting frequency after its
latest measurement (or its baseline, before the first one). An action's
update is due as plans.selectors.action_progress says (open, started, and no
update for settings.ACTION_UPDATE_INTERVAL_DAYS): from its start date when it
has no update yet, else that interval after the latest one.

Both are read from the area's published plan only: a draft is not yet
anyone's commitment. Board decisions that are open past their due date are
due too. Each item names one person to remind: the indicator's, action's or
decision's owner account when it is an active user of the area, otherwise
the area lead. The lead is copied into an item only when it is overdue by
more than settings.REMINDER_LEAD_COPY_AFTER_DAYS (ADR 0020).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import Role, User
from core.roles import AREA_ROLES
from partners.models import Decision, DecisionStatus

from .models import Action, DeliveryPlan, Indicator, Measurement, PlanStatus
from .selectors import action_progress, actions_with_latest_update


class DueKind(StrEnum):
    MEASUREMENT = "measurement"
    ACTION_UPDATE = "action_update"
    DECISION = "decision"


@dataclass(frozen=True)
class DueUpdate:
    """One thing someone should record. `object` is an Indicator (kind
    "measurement") or an Action (kind "action_update") of the published plan,
    or a board Decision (kind "decision")."""

    object: Indicator | Action | Decision
    kind: str
    due_date: date
    days_overdue: int
    owner: User | None
    area: object

    @property
    def is_overdue(self):
        return self.days_overdue > 0

    @property
    def description(self):
        if self.kind == DueKind.MEASUREMENT:
            return f"Record a measurement of '{self.object.name}'"
        if self.kind == DueKind.DECISION:
            return f"Carry out the board's decision '{self.object}'"
        return f"Log an update on '{self.object.title}'"

    @property
    def lineage_id(self):
        return self.object.lineage_id

    @property
    def path(self) -> str:
        """The page where it is recorded (an indicator's or action's page is
        addressed by its lineage, so the link outlives a new plan version)."""
        slug = self.area.slug
        if self.kind == DueKind.MEASUREMENT:
            return reverse("plans:indicator", kwargs={"slug": slug, "pk": self.lineage_id})
        if self.kind == DueKind.ACTION_UPDATE:
            return reverse("plans:action", kwargs={"slug": slug, "pk": self.lineage_id})
        return reverse("partners:board", kwargs={"slug": slug}) + f"#decision-{self.object.pk}"

    @property
    def url(self) -> str:
        return settings.SERVICE_URL + self.path

    @property
    def lead_is_copied(self) -> bool:
        return self.days_overdue > settings.REMINDER_LEAD_COPY_AFTER_DAYS


def area_lead(area) -> User | None:
    """The person reminded of what has no other owner: the area's lead (the
    longest-standing one, if there are several)."""
    return (
        User.objects.filter(role=Role.AREA_LEAD, area=area, is_active=True).order_by("pk").first()
    )


def updates_due(*, area, today, lead=None) -> list[DueUpdate]:
    """Measurements and action updates due on or before `today` in `area`'s
    published plan, most overdue first. `lead` saves a query when known."""
    plan = DeliveryPlan.objects.filter(area=area, status=PlanStatus.PUBLISHED).first()
    if plan is None:
        return []
    lead = lead or area_lead(area)
    due = [
        *_measurements_due(plan, area, today, lead),
        *_action_updates_due(plan, area, today, lead),
    ]
    return sorted(due, key=lambda item: (-item.days_overdue, item.kind, str(item.object)))


def _measurements_due(plan, area, today, lead):
    latest = Measurement.objects.filter(lineage=OuterRef("lineage")).order_by("-date")
    indicators = (
        Indicator.objects.filter(plan=plan)
        .select_related("owner_user")
        .annotate(latest_date=Subquery(latest.values("date")[:1]))
    )
    for indicator in indicators:
        last = indicator.latest_date or indicator.baseline_date
        due_date = last + timedelta(days=indicator.frequency_days)
        if due_date <= today:
            yield DueUpdate(
                indicator,
                DueKind.MEASUREMENT,
                due_date,
                (today - due_date).days,
                _owner_or_lead(indicator.owner_user, area, lead),
                area,
            )


def _action_updates_due(plan, area, today, lead):
    actions = actions_with_latest_update(Action.objects.filter(plan=plan)).select_related(
        "owner_user"
    )
    interval = timedelta(days=settings.ACTION_UPDATE_INTERVAL_DAYS)
    for action in actions:
        state = action_progress(action, today=today)
        if not state.update_due:
            continue
        last = state.last_update_date
        due_date = action.start_date if last is None else last + interval
        yield DueUpdate(
            action,
            DueKind.ACTION_UPDATE,
            due_date,
            (today - due_date).days,
            _owner_or_lead(action.owner_user, area, lead),
            area,
        )


def decisions_due(*, area, today, lead=None) -> list[DueUpdate]:
    """The area board's open decisions due on or before `today`."""
    decisions = Decision.objects.filter(
        meeting__board__area=area, status=DecisionStatus.OPEN, due_date__lte=today
    ).select_related("owner_user")
    lead = lead or area_lead(area)
    return [
        DueUpdate(
            decision,
            DueKind.DECISION,
            decision.due_date,
            (today - decision.due_date).days,
            _owner_or_lead(decision.owner_user, area, lead),
            area,
        )
        for decision in decisions
    ]


def _owner_or_lead(owner, area, lead):
    if (
        owner is not None
        and owner.is_active
        and owner.role in AREA_ROLES
        and owner.area_id == area.pk
    ):
        return owner
    return lead


@dataclass(frozen=True)
class ReminderDigest:
    """Everything one person should record, across the areas they own items
    in; for an area lead also `copied`: others' items overdue past the
    threshold."""

    person: User
    items: tuple[DueUpdate, ...]
    copied: tuple[DueUpdate, ...] = ()

    @property
    def overdue(self):
        return [item for item in self.items if item.is_overdue]

    @property
    def due_today(self):
        return [item for item in self.items if not item.is_overdue]


def reminder_digests(*, areas, today) -> list[ReminderDigest]:
    """One digest per person with anything due or overdue in `areas`: the
    items they own, and for each area's lead the others' items overdue by
    more than settings.REMINDER_LEAD_COPY_AFTER_DAYS."""
    by_person = {}

    def entry(person):
        return by_person.setdefault(person.pk, (person, [], []))

    for area in areas:
        lead = area_lead(area)
        due = [
            *updates_due(area=area, today=today, lead=lead),
            *decisions_due(area=area, today=today, lead=lead),
        ]
        for item in due:
            if item.owner is None:
                continue
            entry(item.owner)[1].append(item)
            if lead is not None and item.owner != lead and item.lead_is_copied:
                entry(lead)[2].append(item)
    return [
        ReminderDigest(person, tuple(items), tuple(copied))
        for person, items, copied in sorted(by_person.values(), key=lambda e: e[0].email)
    ]


def reminder_email(digest: ReminderDigest, *, today) -> dict:
    """Subject and plain-text body of a digest email."""
    count = len(digest.items)
    if count:
        subject = (
            f"{count} {'update is' if count == 1 else 'updates are'} due "
            f"in the {settings.SERVICE_NAME}"
        )
    else:
        copied = len(digest.copied)
        subject = (
            f"{copied} {'update is' if copied == 1 else 'updates are'} overdue "
            f"in your area in the {settings.SERVICE_NAME}"
        )
    body = render_to_string(
        "plans/edit/reminder_email.txt",
        {
            "digest": digest,
            "today": today,
            "service_name": settings.SERVICE_NAME,
            "service_url": settings.SERVICE_URL,
            "copy_after_days": settings.REMINDER_LEAD_COPY_AFTER_DAYS,
        },
    )
    return {"subject": subject, "body": body, "to": [digest.person.email]}
