"""Two programme phases of one area and a plan whose actions meet each
outcome at the first phase's end (tests of ADR 0024)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from plans import services
from plans.models import (
    AreaPhase,
    DeliveryPlan,
    FundingStream,
    Indicator,
    ProgrammePhase,
)
from tests.plans.factories import (
    ActionFactory,
    ActionUpdateFactory,
    DeliveryPlanFactory,
    IndicatorFactory,
    MeasurementFactory,
    PriorityFactory,
    TargetFactory,
)

PHASE_ONE_END = date(2019, 8, 31)


@dataclass
class PhaseScenario:
    plan: DeliveryPlan
    one: AreaPhase
    two: AreaPhase | None
    actions: dict
    indicator: Indicator


def phase_scenario(area, *, user, with_next_phase=True) -> PhaseScenario:
    """Phase one, 1 September 2017 to 31 August 2019, paid by the core
    stream; phase two from 1 September 2019 (unless ``with_next_phase`` is
    false). Actions, by their updates on or before 31 August 2019:
    carried, mainstreamed and stopped (open, the first two funded, the
    third unfunded); done (complete); closed_later (open at the end,
    complete after it, funded); later (starts in phase two)."""
    AreaPhase.objects.filter(area=area).delete()
    core, _ = FundingStream.objects.get_or_create(code="core", defaults={"name": "Core programme"})
    first, _ = ProgrammePhase.objects.get_or_create(code="test-one", defaults={"name": "First"})
    first.funding_streams.set([core])
    second, _ = ProgrammePhase.objects.get_or_create(code="test-two", defaults={"name": "Second"})
    one = AreaPhase.objects.create(
        area=area, phase=first, start_date=date(2017, 9, 1), end_date=PHASE_ONE_END
    )
    two = (
        AreaPhase.objects.create(area=area, phase=second, start_date=date(2019, 9, 1))
        if with_next_phase
        else None
    )
    plan = DeliveryPlanFactory(area=area)
    priority = PriorityFactory(plan=plan)
    indicator = IndicatorFactory(
        priority=priority,
        name="Pupils reaching the expected standard",
        baseline_value=Decimal("50"),
        baseline_date=date(2016, 7, 31),
    )
    TargetFactory(indicator=indicator, date=date(2021, 7, 31), value=Decimal("60"))
    actions = {
        "carried": ActionFactory(priority=priority, title="Carried", funding_stream=core),
        "mainstreamed": ActionFactory(priority=priority, title="Mainstreamed", funding_stream=core),
        "stopped": ActionFactory(priority=priority, title="Stopped"),
        "done": ActionFactory(priority=priority, title="Done", funding_stream=core),
        "closed_later": ActionFactory(priority=priority, title="Closed later", funding_stream=core),
        "later": ActionFactory(
            priority=priority,
            title="Later",
            funding_stream=core,
            start_date=date(2020, 1, 1),
            due_date=date(2022, 7, 31),
        ),
    }
    for key, day, status in [
        ("carried", date(2019, 6, 30), "on_track"),
        ("carried", date(2021, 3, 31), "on_track"),
        ("carried", date(2022, 10, 1), "cancelled"),
        ("mainstreamed", date(2019, 6, 30), "at_risk"),
        ("mainstreamed", date(2020, 6, 30), "complete"),
        ("done", date(2019, 5, 31), "complete"),
        ("closed_later", date(2019, 6, 30), "on_track"),
        ("closed_later", date(2019, 10, 1), "complete"),
        ("later", date(2020, 3, 31), "on_track"),
    ]:
        ActionUpdateFactory(lineage=actions[key].lineage, date=day, status=status, author=user)
    for day, value in [
        (date(2018, 7, 31), "53"),
        (date(2019, 7, 31), "54"),
        (date(2021, 7, 31), "61"),
        (date(2022, 12, 31), "62"),
    ]:
        MeasurementFactory(lineage=indicator.lineage, date=day, value=Decimal(value))
    plan = services.plan_publish(plan=plan, user=user)
    return PhaseScenario(plan, one, two, actions, indicator)
