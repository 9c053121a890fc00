"""Reminders reach owners (issue 14 item 2): the owner of an indicator,
action or board decision gets the email, with a link to the exact page; the
lead is copied only into items overdue past the threshold; at most one email
a person a day, recorded in the database so that a restart or a flushed
cache cannot send a second."""

from datetime import date
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from core.models import Role
from partners.models import BoardMeeting, Decision, PartnershipBoard
from plans import services, tasks
from plans.models import ReminderSent
from tests.factories import UserFactory
from tests.plans.factories import (
    ActionFactory,
    ActionUpdateFactory,
    DeliveryPlanFactory,
    IndicatorFactory,
    PriorityFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

SERVICE_URL = "https://oa-tracker.example.gov.uk"


@pytest.fixture
def lead(users):
    return users[Role.AREA_LEAD]


@pytest.fixture
def owner(area):
    return UserFactory(role=Role.BOARD_MEMBER, area=area, first_name="Priya", last_name="Shah")


@pytest.fixture
def plan(area, lead, owner):
    """An indicator owned by `owner`, measured 31 July 2018 and due yearly:
    due 31 July 2019. An action owned by `owner`, last updated 1 July 2019:
    due 1 August 2019 with a 31-day interval."""
    draft = DeliveryPlanFactory(area=area)
    priority = PriorityFactory(plan=draft)
    indicator = IndicatorFactory(
        priority=priority,
        name="Owned indicator",
        baseline_date=date(2018, 7, 31),
        owner="Priya Shah",
        owner_user=owner,
    )
    TargetFactory(indicator=indicator)
    action = ActionFactory(
        priority=priority, title="Owned action", owner="Priya Shah", owner_user=owner
    )
    published = services.plan_publish(plan=draft, user=lead)
    ActionUpdateFactory(lineage=action.lineage, date=date(2019, 7, 1))
    return published


def _send_on(day):
    with time_machine.travel(day, tick=False):
        return tasks.reminders_send_daily.apply().get()


def _to(mailoutbox, user):
    return [message for message in mailoutbox if message.to == [user.email]]


@override_settings(SERVICE_URL=SERVICE_URL, ACTION_UPDATE_INTERVAL_DAYS=31)
def test_the_owner_gets_the_email_with_links_that_open_the_pages(
    plan, area, owner, lead, client, mailoutbox
):
    _send_on(date(2019, 8, 5))
    (email,) = _to(mailoutbox, owner)
    assert "Record a measurement of 'Owned indicator' (Blackpool)" in email.body
    assert "Log an update on 'Owned action' (Blackpool)" in email.body
    indicator = plan.indicators.get()
    action = plan.actions.get()
    links = [line.strip() for line in email.body.splitlines() if line.strip().startswith("http")]
    assert links == [
        f"{SERVICE_URL}/areas/{area.slug}/indicators/{indicator.lineage_id}/",
        f"{SERVICE_URL}/areas/{area.slug}/actions/{action.lineage_id}/",
    ]
    client.force_login(owner)
    pages = [client.get(urlsplit(link).path) for link in links]
    assert [page.status_code for page in pages] == [200, 200]
    assert "Owned indicator" in pages[0].content.decode()
    assert "Owned action" in pages[1].content.decode()
    # Nothing the lead owns is due and nothing is overdue past the threshold.
    assert _to(mailoutbox, lead) == []


@override_settings(
    SERVICE_URL=SERVICE_URL, ACTION_UPDATE_INTERVAL_DAYS=31, REMINDER_LEAD_COPY_AFTER_DAYS=14
)
@pytest.mark.parametrize(
    ("day", "lead_copied"),
    [
        # The indicator was due 31 July: 14 days overdue on 14 August is not past 14.
        (date(2019, 8, 14), False),
        (date(2019, 8, 15), True),
    ],
    ids=["overdue 14 days", "overdue 15 days"],
)
def test_the_lead_is_copied_only_past_the_threshold(
    plan, owner, lead, mailoutbox, day, lead_copied
):
    _send_on(day)
    assert len(_to(mailoutbox, owner)) == 1
    to_lead = _to(mailoutbox, lead)
    if not lead_copied:
        assert to_lead == []
        return
    (email,) = to_lead
    copied = email.body.split("copied to you as the area lead:")[1]
    assert "'Owned indicator' (Blackpool), owned by Priya Shah: due 31 July 2019, 15 days" in copied
    # The action was due 1 August: 14 days overdue on the 15th, not yet copied.
    assert "Owned action" not in email.body
    assert email.subject == "1 update is overdue in your area in the Opportunity Area Tracker"


@override_settings(REMINDER_LEAD_COPY_AFTER_DAYS=30)
def test_the_lead_copy_follows_the_setting(plan, lead, mailoutbox):
    _send_on(date(2019, 8, 15))
    assert _to(mailoutbox, lead) == []
    _send_on(date(2019, 8, 31))
    assert len(_to(mailoutbox, lead)) == 1


def test_one_email_a_person_a_day_across_a_restart(plan, owner, mailoutbox):
    assert _send_on(date(2019, 8, 5)) == 1
    assert ReminderSent.objects.filter(user=owner, date=date(2019, 8, 5)).count() == 1
    # A restart loses whatever the process and the cache held; the database keeps the claim.
    cache.clear()
    assert _send_on(date(2019, 8, 5)) == 0
    assert len(_to(mailoutbox, owner)) == 1
    assert _send_on(date(2019, 8, 6)) == 1
    assert len(_to(mailoutbox, owner)) == 2


def test_a_claim_is_given_back_when_the_email_fails(plan, owner, mailoutbox, monkeypatch):
    def broken_send_mail(*args, **kwargs):
        raise ConnectionError("SMTP server unavailable")

    monkeypatch.setattr(tasks, "send_mail", broken_send_mail)
    with pytest.raises(ConnectionError):
        _send_on(date(2019, 8, 5))
    assert not ReminderSent.objects.filter(user=owner).exists()
    monkeypatch.undo()
    assert _send_on(date(2019, 8, 5)) == 1


def test_a_claim_is_taken_once():
    user = UserFactory(role=Role.DFE_STAFF)
    day = date(2019, 8, 5)
    assert services.reminder_claim(user=user, day=day) is True
    assert services.reminder_claim(user=user, day=day) is False


@override_settings(SERVICE_URL=SERVICE_URL, REMINDER_LEAD_COPY_AFTER_DAYS=14)
def test_an_overdue_board_decision_reminds_its_owner(area, owner, lead, client, mailoutbox):
    board = PartnershipBoard.objects.create(area=area, name="Blackpool board")
    meeting = BoardMeeting.objects.create(board=board, date=date(2019, 6, 1))
    decision = Decision.objects.create(
        meeting=meeting,
        decision="Commission a careers audit",
        owner="Priya Shah",
        owner_user=owner,
        due_date=date(2019, 7, 31),
    )
    _send_on(date(2019, 8, 5))
    (email,) = _to(mailoutbox, owner)
    assert "Carry out the board's decision 'Commission a careers audit' (Blackpool)" in email.body
    assert "5 days overdue" in email.body
    link = f"{SERVICE_URL}/areas/{area.slug}/board/#decision-{decision.pk}"
    assert link in email.body
    client.force_login(owner)
    page = client.get(urlsplit(link).path)
    assert f'id="decision-{decision.pk}"' in page.content.decode()
    assert _to(mailoutbox, lead) == []
