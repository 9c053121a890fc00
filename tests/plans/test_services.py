"""Rules that live in plans.services, so that every caller (page, API, CSV
import, demo data, a caller not written yet) keeps them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import Role
from plans import services
from plans.models import Action, Indicator, Measurement, Priority, Target
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

TODAY = date(2020, 6, 1)
_CONTENT = [(Priority, "plan"), (Indicator, "plan"), (Action, "plan"), (Target, "indicator__plan")]


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def indicator(area, users):
    return published_plan_with(area, user=users[Role.AREA_LEAD]).indicators.first()


def _held(indicator):
    return set(Measurement.objects.filter(lineage=indicator.lineage).values_list("date", "value"))


def _record(indicator, user, day):
    return services.measurement_record(
        lineage=indicator.lineage, user=user, date=day, value=Decimal("70"), status="final"
    )


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (timedelta(0), "Date must be after the baseline date, {baseline:%-d %B %Y}"),
        (timedelta(days=-1), "Date must be after the baseline date, {baseline:%-d %B %Y}"),
    ],
    ids=["on the baseline", "before the baseline"],
)
def test_a_measurement_not_after_the_baseline_is_refused(indicator, users, offset, message):
    baseline = indicator.baseline_date
    before = _held(indicator)
    with pytest.raises(ValidationError) as refused:
        _record(indicator, users[Role.BOARD_MEMBER], baseline + offset)
    assert refused.value.message_dict == {"date": [message.format(baseline=baseline)]}
    assert _held(indicator) == before


def test_a_measurement_in_the_future_is_refused(indicator, users):
    before = _held(indicator)
    with pytest.raises(ValidationError) as refused:
        _record(indicator, users[Role.BOARD_MEMBER], TODAY + timedelta(days=1))
    assert refused.value.message_dict == {"date": ["Date must be today or in the past"]}
    assert _held(indicator) == before


def test_the_day_after_the_baseline_and_today_are_recorded(indicator, users):
    day_after = indicator.baseline_date + timedelta(days=1)
    before = _held(indicator)
    for day in (day_after, TODAY):
        _record(indicator, users[Role.BOARD_MEMBER], day)
    assert _held(indicator) == before | {(day_after, Decimal("70")), (TODAY, Decimal("70"))}


def test_removing_a_priority_is_all_or_nothing(area, users, monkeypatch):
    lead = users[Role.AREA_LEAD]
    published_plan_with(area, priorities=2, indicators_per_priority=1, actions_per_priority=1)
    draft = services.plan_draft_start(area=area, user=lead)
    priority = draft.priorities.get(number=1)
    counts = {m: m.objects.filter(**{f: draft}).count() for m, f in _CONTENT}

    real_delete = services.plan_content_delete
    calls = []

    def failing_on_the_last(*, obj, user):
        calls.append(obj)
        if isinstance(obj, Priority):
            raise RuntimeError("the database went away")
        real_delete(obj=obj, user=user)

    monkeypatch.setattr(services, "plan_content_delete", failing_on_the_last)
    with pytest.raises(RuntimeError):
        services.plan_content_remove(obj=priority, user=lead)
    assert len(calls) > 1  # the dependents were removed before the failure
    assert {m: m.objects.filter(**{f: draft}).count() for m, f in _CONTENT} == counts

    monkeypatch.setattr(services, "plan_content_delete", real_delete)
    services.plan_content_remove(obj=priority, user=lead)
    assert not Priority.objects.filter(pk=priority.pk).exists()
    assert Indicator.objects.filter(plan=draft).count() == counts[Indicator] - 1
    assert Action.objects.filter(plan=draft).count() == counts[Action] - 1
    assert Target.objects.filter(indicator__plan=draft).count() < counts[Target]
