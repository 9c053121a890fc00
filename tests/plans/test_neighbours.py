"""Comparator groups (statistical neighbours, ADR 0019): the group series
rule, and targets against a group judged exactly as against a national
series."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from plans import selectors
from plans.models import (
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorSeries,
    ComparatorValue,
    TargetBasis,
    Unit,
)
from plans.neighbours import GroupRule, MemberFigure, group_series
from plans.progress import Status
from tests.plans.factories import IndicatorFactory, TargetFactory

D2017, D2018, D2019 = date(2017, 8, 31), date(2018, 8, 31), date(2019, 8, 31)
# 1,460 days after 31 August 2017: 31 August 2019 (730 days) is exactly halfway.
HALFWAY_AT_2019 = date(2021, 8, 30)


# --- The rule, by hand ---------------------------------------------------------


def test_counts_from_every_member_with_data_are_pooled():
    figures = group_series(
        {
            831: [MemberFigure(D2018, Decimal(68), Decimal(340), Decimal(500))],
            856: [MemberFigure(D2018, Decimal(62), Decimal(124), Decimal(200))],
            892: [],
        },
        members=3,
        percentage=True,
    )
    # (340 + 124) / (500 + 200) = 464 / 700 = 66.2857...%, not the mean 65.
    assert len(figures) == 1
    assert figures[0].value.quantize(Decimal("0.0001")) == Decimal("66.2857")
    assert (figures[0].members_with_data, figures[0].members) == (2, 3)
    assert figures[0].rule is GroupRule.POOLED


def test_one_member_without_counts_makes_the_figure_a_mean():
    figures = group_series(
        {
            831: [MemberFigure(D2019, Decimal(70), Decimal(350), Decimal(500))],
            856: [MemberFigure(D2019, Decimal(60), Decimal(120), Decimal(200))],
            892: [MemberFigure(D2019, Decimal(65))],
        },
        members=3,
        percentage=True,
    )
    assert [(f.value, f.members_with_data, f.rule) for f in figures] == [
        (Decimal(65), 3, GroupRule.MEAN)  # (70 + 60 + 65) / 3
    ]


def test_a_count_ratio_is_not_scaled_to_a_percentage():
    figures = group_series(
        {1: [MemberFigure(D2019, Decimal("0.5"), Decimal(1), Decimal(4))]},
        members=1,
        percentage=False,
    )
    assert figures[0].value == Decimal("0.25")


def test_dates_with_no_member_figure_have_no_group_figure_and_come_in_order():
    figures = group_series(
        {
            1: [MemberFigure(D2019, Decimal(10)), MemberFigure(D2017, Decimal(20))],
            2: [MemberFigure(D2019, Decimal(30))],
        },
        members=2,
        percentage=True,
    )
    assert [(f.date, f.value, f.members_with_data) for f in figures] == [
        (D2017, Decimal(20), 1),
        (D2019, Decimal(20), 2),
    ]


# --- Judged as a national series ------------------------------------------------


def _series(name, values, *, measure="", la_code=None, counts=None):
    series = ComparatorSeries.objects.create(
        name=name, geography=name, unit=Unit.PERCENTAGE, measure=measure, la_code=la_code
    )
    for (day, value), count in zip(values, counts or [None] * len(values), strict=True):
        ComparatorValue.objects.create(
            series=series,
            date=day,
            value=value,
            numerator=None if count is None else count[0],
            denominator=None if count is None else count[1],
        )
    return series


def neighbour_group(name="Derby and its statistical neighbours"):
    """A group of two LAs whose GLD figures average 60 (2017) and 64 (2019),
    and England's GLD series with the same measure at 70 and 72."""
    group = ComparatorGroup.objects.create(name=name)
    ComparatorGroupMember.objects.create(group=group, la_code=831, la_name="Derby")
    ComparatorGroupMember.objects.create(group=group, la_code=856, la_name="Leicester")
    england = _series("England GLD", [(D2017, Decimal(70)), (D2019, Decimal(72))], measure="GLD")
    _series("Derby GLD", [(D2017, Decimal(58)), (D2019, Decimal(63))], measure="GLD", la_code=831)
    _series(
        "Leicester GLD", [(D2017, Decimal(62)), (D2019, Decimal(65))], measure="GLD", la_code=856
    )
    # Another measure's series of a member must not count.
    _series("Derby KS2", [(D2017, Decimal(10))], measure="KS2", la_code=831)
    return group, england


def _judged(indicator, measured, today):
    from tests.plans.factories import MeasurementFactory

    for day, value in measured:
        MeasurementFactory(lineage=indicator.lineage, date=day, value=value)
    loaded = selectors._indicators_with_targets(indicator.plan).get(pk=indicator.pk)
    selectors.group_figures_attach([loaded])
    return selectors.indicator_progress(
        loaded, list(indicator.lineage.measurements.order_by("date")), today=today
    )


@pytest.mark.django_db
def test_a_group_target_is_judged_exactly_as_a_national_target_with_the_same_numbers(area):
    group, england = neighbour_group()
    # A national series with the group's own figures: 60 in 2017, 64 in 2019.
    same_numbers = _series("Same numbers", [(D2017, Decimal(60)), (D2019, Decimal(64))])
    against_group = IndicatorFactory(
        priority__plan__area=area,
        baseline_value=Decimal(55),
        baseline_date=D2017,
        comparator=england,
        comparator_group=group,
    )
    against_national = IndicatorFactory(
        priority=against_group.priority,
        baseline_value=Decimal(55),
        baseline_date=D2017,
        comparator=same_numbers,
    )
    TargetFactory(indicator=against_group, date=HALFWAY_AT_2019, value=0, basis=TargetBasis.GROUP)
    TargetFactory(
        indicator=against_national, date=HALFWAY_AT_2019, value=0, basis=TargetBasis.RELATIVE
    )
    measured = [(D2019, Decimal(61))]
    by_group = _judged(against_group, measured, D2019)
    by_national = _judged(against_national, measured, D2019)

    assert by_group.judgement == by_national.judgement
    # By hand: the baseline gap is 55 - 60 = -5, planned to close to 0 over four
    # years, so -2.5 is expected in 2019; the gap is 61 - 64 = -3, short by 0.5,
    # within 25% of the planned change of 5 (1.25): at risk.
    assert by_group.judgement.compared_value == Decimal(-3)
    assert by_group.judgement.expected == Decimal("-2.5")
    assert by_group.status == Status.AT_RISK


@pytest.mark.django_db
def test_the_group_is_read_only_up_to_a_reports_period_end(area):
    group, england = neighbour_group()
    indicator = IndicatorFactory(
        priority__plan__area=area, baseline_date=D2017, comparator=england, comparator_group=group
    )
    selectors.group_figures_attach([indicator], dated_until=D2018)
    assert [(f.date, f.value) for f in indicator.group_figures] == [(D2017, Decimal(60))]


@pytest.mark.django_db
def test_a_group_target_needs_a_group_and_a_comparator(area):
    indicator = IndicatorFactory(priority__plan__area=area)
    target = TargetFactory.build(indicator=indicator, basis=TargetBasis.GROUP, value=0)
    with pytest.raises(ValidationError) as raised:
        target.clean()
    assert "comparator group" in raised.value.message_dict["basis"][0]
