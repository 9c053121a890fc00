"""Factories for delivery plans and what hangs off them.

Plan content (priorities, indicators, targets, actions) can only be written
while its version is a draft (PlanContent.save refuses otherwise), so build
content on a draft and publish it afterwards: `published_plan_with` does both
and is the quick way to a realistic published plan.

    plan = published_plan_with(area, priorities=4, indicators_per_priority=3)
"""

from datetime import date, timedelta
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from partners.models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DeclaredInterest,
    Organisation,
    OrganisationKind,
    PartnershipBoard,
)
from plans import services
from plans.models import (
    Action,
    ActionLineage,
    ActionStatus,
    ActionUpdate,
    DeliveryPlan,
    FigureStatus,
    Frequency,
    Indicator,
    IndicatorLineage,
    LifeStage,
    Measurement,
    PlanStatus,
    Polarity,
    Priority,
    PriorityLineage,
    Target,
    TargetBasis,
    Unit,
)
from tests.factories import UserFactory

# Priorities and measures in the style of real Opportunity Area plans (DOMAIN.md).
PRIORITY_TITLES = [
    ("Strengthen early years outcomes", LifeStage.EARLY_YEARS),
    ("Improve literacy and numeracy in primary schools", LifeStage.PRIMARY),
    ("Raise attainment and progress in secondary schools", LifeStage.SECONDARY),
    ("Improve access to careers advice and the world of work", LifeStage.INTO_WORK),
]
INDICATOR_NAMES = [
    "Children reaching a good level of development",
    "Year 1 pupils meeting the phonics standard",
    "Pupils reaching the expected standard in KS2 reading, writing and maths",
    "Pupils achieving grade 4 or above in English and maths",
    "Secondary pupils attending a good or outstanding school",
    "Young people with four or more employer encounters",
]
ACTION_TITLES = [
    "Train early years practitioners in speech and language",
    "Fund a phonics programme with the research school",
    "Place specialist maths leads in primary schools",
    "Run a teacher recruitment and retention programme",
    "Broker cornerstone employer encounters for every secondary school",
    "Set up a careers hub with the Careers & Enterprise Company",
]

BASELINE_DATE = date(2017, 7, 31)


def _cycle(items):
    return factory.Sequence(lambda n: items[n % len(items)])


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    kind = OrganisationKind.CHARITY
    area = None


class DeliveryPlanFactory(DjangoModelFactory):
    """A draft version of an area's plan, numbered after the area's latest."""

    class Meta:
        model = DeliveryPlan

    area = None
    status = PlanStatus.DRAFT
    title = factory.LazyAttribute(lambda o: f"{o.area.name} Opportunity Area delivery plan")
    summary = "Our plan to improve social mobility through education."
    version = factory.LazyAttribute(
        lambda o: (
            DeliveryPlan.objects.filter(area=o.area).order_by("-version").first().version + 1
            if DeliveryPlan.objects.filter(area=o.area).exists()
            else 1
        )
    )


class PriorityLineageFactory(DjangoModelFactory):
    class Meta:
        model = PriorityLineage

    area = None


class IndicatorLineageFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorLineage

    area = None


class ActionLineageFactory(DjangoModelFactory):
    class Meta:
        model = ActionLineage

    area = None


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(DeliveryPlanFactory)
    number = factory.LazyAttribute(lambda o: o.plan.priorities.count() + 1)
    title = factory.LazyAttribute(lambda o: PRIORITY_TITLES[(o.number - 1) % 4][0])
    life_stage = factory.LazyAttribute(lambda o: PRIORITY_TITLES[(o.number - 1) % 4][1])
    description = "What the board will change, and for whom."
    lineage = factory.SubFactory(PriorityLineageFactory, area=factory.SelfAttribute("..plan.area"))


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    priority = factory.SubFactory(PriorityFactory)
    plan = factory.SelfAttribute("priority.plan")
    lineage = factory.SubFactory(
        IndicatorLineageFactory, area=factory.SelfAttribute("..priority.plan.area")
    )
    name = _cycle(INDICATOR_NAMES)
    unit = Unit.PERCENTAGE
    polarity = Polarity.HIGHER
    baseline_value = Decimal("55")
    baseline_date = BASELINE_DATE
    frequency_days = Frequency.ANNUALLY
    tolerance = Decimal("0.25")
    source = "DfE statistics"


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    date = factory.LazyAttribute(lambda o: date(o.indicator.baseline_date.year + 3, 7, 31))
    value = factory.LazyAttribute(lambda o: o.indicator.baseline_value + 10)
    basis = TargetBasis.ABSOLUTE


class MeasurementFactory(DjangoModelFactory):
    """A measurement of an indicator's lineage. Pass lineage=indicator.lineage."""

    class Meta:
        model = Measurement

    lineage = factory.SubFactory(IndicatorLineageFactory)
    date = date(2018, 7, 31)
    value = Decimal("58")
    status = FigureStatus.FINAL


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    priority = factory.SubFactory(PriorityFactory)
    plan = factory.SelfAttribute("priority.plan")
    lineage = factory.SubFactory(
        ActionLineageFactory, area=factory.SelfAttribute("..priority.plan.area")
    )
    title = _cycle(ACTION_TITLES)
    description = "Who does what, by when."
    owner = factory.Faker("name", locale="en_GB")
    budget = Decimal("25000")
    start_date = date(2017, 9, 1)
    due_date = date(2019, 7, 31)


class ActionUpdateFactory(DjangoModelFactory):
    """An entry in an action's log. Pass lineage=action.lineage."""

    class Meta:
        model = ActionUpdate

    lineage = factory.SubFactory(ActionLineageFactory)
    date = date(2018, 3, 31)
    author = factory.SubFactory(UserFactory, role="administrator", area=None)
    status = ActionStatus.ON_TRACK
    narrative = "Sessions delivered as planned; next term's cohort is recruited."
    spend_to_date = Decimal("5000")


def draft_plan_with(
    area,
    *,
    priorities=3,
    indicators_per_priority=2,
    targets_per_indicator=2,
    actions_per_priority=2,
    **plan_fields,
):
    """A draft version of `area`'s plan filled with content."""
    plan = DeliveryPlanFactory(area=area, **plan_fields)
    for _ in range(priorities):
        priority = PriorityFactory(plan=plan)
        for _ in range(indicators_per_priority):
            indicator = IndicatorFactory(priority=priority)
            for n in range(targets_per_indicator):
                TargetFactory(
                    indicator=indicator,
                    date=date(BASELINE_DATE.year + 2 * (n + 1), 7, 31),
                    value=indicator.baseline_value + 5 * (n + 1),
                )
        for _ in range(actions_per_priority):
            ActionFactory(priority=priority)
    return plan


def published_plan_with(
    area,
    *,
    priorities=3,
    indicators_per_priority=2,
    targets_per_indicator=2,
    actions_per_priority=2,
    measurements_per_indicator=1,
    updates_per_action=1,
    user=None,
    **plan_fields,
):
    """A published version of `area`'s plan with content, measurements and
    action updates, published through plans.services.plan_publish (so an
    earlier published version becomes superseded)."""
    plan = draft_plan_with(
        area,
        priorities=priorities,
        indicators_per_priority=indicators_per_priority,
        targets_per_indicator=targets_per_indicator,
        actions_per_priority=actions_per_priority,
        **plan_fields,
    )
    for indicator in plan.indicators.all():
        for n in range(measurements_per_indicator):
            MeasurementFactory(
                lineage=indicator.lineage,
                date=BASELINE_DATE + timedelta(days=365 * (n + 1)),
                value=indicator.baseline_value + 2 * (n + 1),
            )
    for action in plan.actions.all():
        for n in range(updates_per_action):
            ActionUpdateFactory(
                lineage=action.lineage,
                date=action.start_date + timedelta(days=90 * (n + 1)),
                **({"author": user} if user is not None else {}),
            )
    return services.plan_publish(plan=plan, user=user)


def board_with_a_meeting(area, organisation):
    """A partnership board with a chair who has declared an interest, and a
    meeting with a decision."""
    board = PartnershipBoard.objects.create(area=area, name=f"{area.name} partnership board")
    chair = BoardMembership.objects.create(
        board=board,
        contact_name="Grace Hughes",
        organisation=organisation,
        role="chair",
        sector_represented="Independent chair",
        start_date=date(2017, 1, 1),
    )
    DeclaredInterest.objects.create(
        membership=chair, description="Governor at a local school", declared_on=date(2017, 1, 1)
    )
    meeting = BoardMeeting.objects.create(board=board, date=date(2018, 3, 1))
    Decision.objects.create(meeting=meeting, decision="Approve the plan", owner="Grace Hughes")
