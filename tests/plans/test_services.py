"""Rules that live in plans.services, so that every caller (page, API, CSV
import, demo data, a caller not written yet) keeps them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import Role
from plans.models import Measurement
from plans.services import measurement_record
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

TODAY = date(2020, 6, 1)


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
    return measurement_record(
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
