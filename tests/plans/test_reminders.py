"""Reminders: which measurements and action updates are due, to whom, and a
daily digest email, at most one per person per day."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from core.models import Role
from plans import services, tasks
from plans.models import ActionStatus, Frequency
from plans.reminders import DueKind, updates_due
from tests.factories import UserFactory
from tests.plans.factories import (
    ActionFactory,
    ActionUpdateFactory,
    DeliveryPlanFactory,
    IndicatorFactory,
    MeasurementFactory,
    PriorityFactory,
    TargetFactory,
    published_plan_with,
)

pytestmark = pytest.mark.django_db

TODAY = date(2019, 8, 10)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def lead(users):
    return users[Role.AREA_LEAD]


@pytest.fixture
def board_member(users):
    return users[Role.BOARD_MEMBER]


@pytest.fixture
def plan(area, lead, board_member):
    """A published plan whose rows are due at known dates (see each name)."""
    draft = DeliveryPlanFactory(area=area)
    priority = PriorityFactory(plan=draft)
    measured = IndicatorFactory(
        priority=priority, name="GLD, measured 31 July 2018", baseline_date=date(2017, 7, 31)
    )
    unmeasured = IndicatorFactory(
        priority=priority, name="Phonics, never measured", baseline_date=date(2017, 7, 31)
    )
    termly = IndicatorFactory(
        priority=priority,
        name="Attendance, termly, measured 30 June 2019",
        baseline_date=date(2017, 7, 31),
        frequency_days=Frequency.TERMLY,
    )
    for indicator in (measured, unmeasured, termly):
        TargetFactory(indicator=indicator)
    actions = {
        "updated_9_july": ActionFactory(
            priority=priority, title="Updated 9 July", owner_user=board_member
        ),
        "updated_5_august": ActionFactory(priority=priority, title="Updated 5 August"),
        "never_updated": ActionFactory(
            priority=priority, title="Never updated", start_date=date(2019, 6, 1)
        ),
        "complete": ActionFactory(priority=priority, title="Complete"),
        "not_started": ActionFactory(
            priority=priority,
            title="Not started",
            start_date=date(2019, 9, 1),
            due_date=date(2020, 7, 31),
        ),
    }
    published = services.plan_publish(plan=draft, user=lead)
    MeasurementFactory(lineage=measured.lineage, date=date(2018, 7, 31))
    MeasurementFactory(lineage=termly.lineage, date=date(2019, 6, 30))
    ActionUpdateFactory(lineage=actions["updated_9_july"].lineage, date=date(2019, 7, 9))
    ActionUpdateFactory(lineage=actions["updated_5_august"].lineage, date=date(2019, 8, 5))
    ActionUpdateFactory(
        lineage=actions["complete"].lineage, date=date(2019, 1, 1), status=ActionStatus.COMPLETE
    )
    return published


def _due(area, today):
    return {str(item.object): item for item in updates_due(area=area, today=today)}


@override_settings(ACTION_UPDATE_INTERVAL_DAYS=31)
def test_what_is_due_and_how_overdue(area, plan, lead, board_member):
    due = _due(area, TODAY)
    assert set(due) == {
        "GLD, measured 31 July 2018",
        "Phonics, never measured",
        "Updated 9 July",
        "Never updated",
    }
    gld = due["GLD, measured 31 July 2018"]
    assert (gld.kind, gld.due_date, gld.days_overdue) == (
        DueKind.MEASUREMENT,
        date(2019, 7, 31),
        10,
    )
    assert gld.owner == lead
    phonics = due["Phonics, never measured"]
    assert (phonics.due_date, phonics.days_overdue) == (date(2018, 7, 31), 375)
    updated = due["Updated 9 July"]
    assert (updated.kind, updated.due_date, updated.days_overdue) == (
        DueKind.ACTION_UPDATE,
        date(2019, 8, 9),
        1,
    )
    assert updated.owner == board_member
    never = due["Never updated"]
    assert (never.due_date, never.days_overdue, never.owner) == (date(2019, 6, 1), 70, lead)
    assert [str(item.object) for item in updates_due(area=area, today=TODAY)][0] == (
        "Phonics, never measured"
    )


def test_a_measurement_is_due_on_the_day(area, plan):
    assert "GLD, measured 31 July 2018" not in _due(area, date(2019, 7, 30))
    on_the_day = _due(area, date(2019, 7, 31))["GLD, measured 31 July 2018"]
    assert on_the_day.days_overdue == 0
    assert not on_the_day.is_overdue


def test_termly_indicators_fall_due_after_a_term(area, plan):
    assert "Attendance, termly, measured 30 June 2019" not in _due(area, date(2019, 10, 29))
    item = _due(area, date(2019, 10, 30))["Attendance, termly, measured 30 June 2019"]
    assert item.due_date == date(2019, 10, 30)


@override_settings(ACTION_UPDATE_INTERVAL_DAYS=31)
def test_an_action_update_is_due_after_the_interval(area, plan):
    # action_progress: due once the last update is more than the interval ago.
    assert "Updated 9 July" not in _due(area, date(2019, 8, 9))
    assert "Updated 9 July" in _due(area, date(2019, 8, 10))


@pytest.mark.parametrize(
    "owner_kind", ["other area", "inactive", "dfe"], ids=["other area", "inactive", "dfe staff"]
)
def test_reminders_of_actions_owned_by_someone_unsuitable_go_to_the_lead(
    area, other_area, plan, lead, owner_kind
):
    owner = {
        "other area": lambda: UserFactory(role=Role.BOARD_MEMBER, area=other_area),
        "inactive": lambda: UserFactory(role=Role.BOARD_MEMBER, area=area, is_active=False),
        "dfe": lambda: UserFactory(role=Role.DFE_STAFF),
    }[owner_kind]()
    draft = services.plan_draft_start(area=area, user=lead)
    action = draft.actions.get(title="Never updated")
    services.plan_content_save(obj=action, user=lead, owner_user=owner)
    services.plan_publish(plan=draft, user=lead)
    assert _due(area, TODAY)["Never updated"].owner == lead


def test_only_the_published_version_counts(area, plan, lead):
    draft = services.plan_draft_start(area=area, user=lead)
    ActionFactory(priority=draft.priorities.get(), title="Draft only", start_date=date(2019, 1, 1))
    assert "Draft only" not in _due(area, TODAY)


def test_no_published_plan_means_nothing_due(area, other_area):
    assert updates_due(area=other_area, today=TODAY) == []


@pytest.mark.parametrize("priorities", [1, 8])
def test_updates_due_query_budget(area, priorities, django_assert_max_num_queries):
    published_plan_with(
        area, priorities=priorities, indicators_per_priority=3, actions_per_priority=4
    )
    with django_assert_max_num_queries(4):
        items = updates_due(area=area, today=date(2025, 1, 1))
    assert len(items) == priorities * 7


# --- The daily digest ------------------------------------------------------------------


def test_the_task_is_registered_under_its_beat_name():
    assert tasks.reminders_send_daily.name == "plans.tasks.reminders_send_daily"


@override_settings(ACTION_UPDATE_INTERVAL_DAYS=31)
def test_one_digest_per_person_listing_their_items(plan, lead, board_member, mailoutbox):
    with time_machine.travel(date(2019, 8, 10), tick=False):
        assert tasks.reminders_send_daily.apply().get() == 2
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {lead.email, board_member.email}

    to_lead = by_recipient[lead.email]
    assert to_lead.subject == "3 updates are due in the Opportunity Area Tracker"
    assert "Record a measurement of 'GLD, measured 31 July 2018' (Blackpool): " in to_lead.body
    assert "due 31 July 2019, 10 days overdue" in to_lead.body
    assert "Record a measurement of 'Phonics, never measured'" in to_lead.body
    assert "Log an update on 'Never updated' (Blackpool): due 1 June 2019, 70 days" in (
        to_lead.body
    )
    assert "Updated 9 July" not in to_lead.body
    assert "&#x27;" not in to_lead.body

    to_member = by_recipient[board_member.email]
    assert to_member.subject == "1 update is due in the Opportunity Area Tracker"
    assert "Log an update on 'Updated 9 July' (Blackpool): due 9 August 2019, 1 day overdue" in (
        to_member.body
    )


def test_items_due_today_are_listed_apart(plan, lead, mailoutbox):
    with time_machine.travel(date(2019, 7, 31), tick=False):
        tasks.reminders_send_daily.apply().get()
    body = next(m.body for m in mailoutbox if m.to == [lead.email])
    due_today = body.split("Due today:")[1]
    assert "GLD, measured 31 July 2018" in due_today


def test_at_most_one_email_per_person_per_day(plan, lead, mailoutbox):
    with time_machine.travel(date(2019, 8, 10), tick=False):
        first = tasks.reminders_send_daily.apply().get()
        assert tasks.reminders_send_daily.apply().get() == 0
    assert len(mailoutbox) == first
    with time_machine.travel(date(2019, 8, 11), tick=False):
        assert tasks.reminders_send_daily.apply().get() == first
    assert len(mailoutbox) == 2 * first


def test_a_failed_send_is_retried_by_the_next_run(plan, lead, mailoutbox, monkeypatch):
    def broken_send_mail(*args, **kwargs):
        raise ConnectionError("SMTP server unavailable")

    with time_machine.travel(date(2019, 8, 10), tick=False):
        monkeypatch.setattr(tasks, "send_mail", broken_send_mail)
        with pytest.raises(ConnectionError):
            tasks.reminders_send_daily.apply().get()
        monkeypatch.undo()
        assert tasks.reminders_send_daily.apply().get() == 2
    assert len(mailoutbox) == 2


def test_nobody_is_emailed_when_nothing_is_due(area, mailoutbox):
    published_plan_with(area, priorities=1)
    with time_machine.travel(date(2017, 8, 1), tick=False):
        assert tasks.reminders_send_daily.apply().get() == 0
    assert mailoutbox == []


def test_names_reach_the_email_as_written(area, lead, mailoutbox):
    """Names with & and quotes reach the email as written, not HTML-escaped."""
    draft = DeliveryPlanFactory(area=area)
    IndicatorFactory(
        priority=PriorityFactory(plan=draft),
        name="Pupils' reading & writing",
        baseline_value=Decimal("50"),
    )
    services.plan_publish(plan=draft, user=lead)
    with time_machine.travel(date(2019, 8, 10), tick=False):
        tasks.reminders_send_daily.apply().get()
    assert "'Pupils' reading & writing'" in mailoutbox[0].body
