import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from core.models import Role
from encounters.academic_years import AcademicYear
from plans import services
from plans.models import FundingAllocation, FundingStream
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory, UserFactory
from tests.plans.factories import ActionUpdateFactory, MeasurementFactory, draft_plan_with


def this_year():
    return AcademicYear.current()


def school_with_coverage(area, *, pupils=12, encounters=4, year_groups=(7, 9, 11), **school):
    """A school whose pupils (a third disadvantaged) attend `encounters`
    employer talks this year and last; the first pupil of each year group
    attends none."""
    school = SchoolFactory(area=area, **school)
    year = this_year()
    for year_group in year_groups:
        cohort = [
            PupilFactory(school=school, year_group=year_group, disadvantaged=n % 3 == 0)
            for n in range(pupils)
        ]
        for k in range(encounters):
            for start_year in (year.start_year, year.start_year - 1):
                day = min(
                    AcademicYear(start_year).start + datetime.timedelta(days=20 + k),
                    datetime.date.today(),
                )
                encounter = EncounterFactory(school=school, date=day)
                attend(encounter, cohort[1:])
    return school


def plan_with_funding(area, *, spend=Decimal("5000")):
    """A published plan whose actions draw on the core stream, with an
    allocation and a spend logged on each action."""
    plan = draft_plan_with(area, priorities=2, indicators_per_priority=2, actions_per_priority=2)
    stream, _ = FundingStream.objects.get_or_create(
        code="core", defaults={"name": "Core programme"}
    )
    FundingAllocation.objects.create(
        area=area, stream=stream, financial_year=2018, amount=Decimal("100000")
    )
    for indicator in plan.indicators.all():
        MeasurementFactory(
            lineage=indicator.lineage,
            date=datetime.date(2018, 7, 31),
            value=indicator.baseline_value + 2,
        )
    for action in plan.actions.all():
        action.funding_stream = stream
        action.save()
        ActionUpdateFactory(
            lineage=action.lineage, date=datetime.date(2019, 3, 1), spend_to_date=spend
        )
    admin = UserFactory(role=Role.ADMINISTRATOR)
    return services.plan_publish(plan=plan, user=admin)


@pytest.fixture(autouse=True)
def encounter_types(db):
    """Transactional tests elsewhere flush the database: put the seeded
    encounter types back (idempotently) from the data migration."""
    migration = importlib.import_module("encounters.migrations.0002_encounter_types")
    migration.create_encounter_types(apps, None)


@pytest.fixture
def year():
    return this_year()
