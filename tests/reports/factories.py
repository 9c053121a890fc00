"""An area with everything a progress report reads: a published plan with an
absolute, a relative (gap to a comparator) and a lower-is-better indicator,
one never measured and one without targets; actions on funding streams with
spend across financial years; allocations; and pupils with encounters at two
of the area's schools (every published count is 5 or more, so nothing is
suppressed).

Build it with the clock at REPORT_DAY (the test freezes it there)."""

import datetime
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from areas.models import Area
from dashboard.services import summaries_rebuild
from encounters.models import EncounterType
from plans import services as plan_services
from plans.models import (
    ActionStatus,
    ComparatorSeries,
    ComparatorValue,
    FundingAllocation,
    FundingStream,
    Polarity,
    TargetBasis,
    Unit,
)
from reports.models import ReportRun, ReportTrigger
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory
from tests.plans.factories import (
    ActionFactory,
    ActionUpdateFactory,
    IndicatorFactory,
    MeasurementFactory,
    TargetFactory,
    draft_plan_with,
)

REPORT_DAY = datetime.datetime(2019, 10, 15, 12, 0)
STREAMS = [("core", "Core programme"), ("els", "Essential Life Skills")]

# (year group, disadvantaged, pupils, with one encounter this year, with four since Year 7)
COHORTS = {
    "Coastal Academy": [
        (9, True, 12, 8, 6),
        (9, False, 15, 12, 10),
        (10, True, 10, 5, 5),
        (10, False, 20, 15, 14),
    ],
    "Northshore High School": [
        (9, True, 9, 6, 5),
        (9, False, 11, 7, 9),
        (10, True, 6, 5, 5),
        (10, False, 8, 8, 6),
    ],
}


def reporting_area(area: Area, lead) -> dict:
    streams = {
        code: FundingStream.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in STREAMS
    }
    plan = draft_plan_with(
        area,
        priorities=2,
        indicators_per_priority=1,
        targets_per_indicator=2,
        actions_per_priority=1,
    )
    first, second = plan.priorities.order_by("number")

    national, _ = ComparatorSeries.objects.get_or_create(
        name="England: good level of development",
        defaults={"geography": "England", "unit": Unit.PERCENTAGE},
    )
    for day, value in (
        (date(2017, 7, 31), "69.3"),
        (date(2018, 7, 31), "70.1"),
        (date(2019, 7, 31), "71.0"),
    ):
        ComparatorValue.objects.update_or_create(
            series=national, date=day, defaults={"value": Decimal(value)}
        )
    relative = IndicatorFactory(
        priority=first,
        name="Children reaching a good level of development (gap to England)",
        baseline_value=Decimal("66"),
        comparator=national,
    )
    TargetFactory(
        indicator=relative, date=date(2021, 7, 31), value=Decimal("0"), basis=TargetBasis.RELATIVE
    )
    absence = IndicatorFactory(
        priority=second,
        name="Persistent absence rate",
        polarity=Polarity.LOWER,
        baseline_value=Decimal("15"),
    )
    TargetFactory(indicator=absence, date=date(2020, 7, 31), value=Decimal("11"))
    never_measured = IndicatorFactory(priority=second, name="Pupils in good schools")
    TargetFactory(indicator=never_measured, date=date(2021, 7, 31), value=Decimal("70"))
    IndicatorFactory(priority=first, name="Speech and language screening", unit=Unit.COUNT)

    overdue = ActionFactory(
        priority=second,
        title="Attendance officers in every secondary school",
        funding_stream=streams["els"],
        budget=Decimal("30000"),
        due_date=date(2019, 7, 31),
    )
    for action in plan.actions.exclude(pk=overdue.pk):
        action.funding_stream = streams["core"]
        action.save()
    plan_action = {a.title: a for a in plan.actions.all()}

    plan = plan_services.plan_publish(plan=plan, user=lead)

    for indicator in plan.indicators.all():
        if indicator.name in ("Pupils in good schools", "Speech and language screening"):
            continue
        if indicator.pk == relative.pk:
            values = [("2018-07-31", "68"), ("2019-07-31", "70.5")]
        elif indicator.pk == absence.pk:
            values = [("2018-07-31", "14"), ("2019-07-31", "13.8")]
        else:
            values = [
                ("2018-07-31", str(indicator.baseline_value + 1)),
                ("2019-07-31", str(indicator.baseline_value + 3)),
            ]
        for day, value in values:
            MeasurementFactory(
                lineage=indicator.lineage, date=date.fromisoformat(day), value=Decimal(value)
            )

    updates = {
        "core": [
            (date(2018, 3, 31), "5000", ActionStatus.ON_TRACK),
            (date(2018, 9, 30), "12000", ActionStatus.ON_TRACK),
            (date(2019, 6, 30), "20000", ActionStatus.COMPLETE),
        ],
        "els": [(date(2019, 5, 1), "3000", ActionStatus.AT_RISK)],
    }
    for action in plan_action.values():
        code = "els" if action.pk == overdue.pk else "core"
        for day, spend, status in updates[code]:
            ActionUpdateFactory(
                lineage=action.lineage,
                date=day,
                spend_to_date=Decimal(spend),
                status=status,
                author=lead,
            )
    for code, year, amount in (
        ("core", 2017, "100000"),
        ("core", 2018, "120000"),
        ("core", 2019, "150000"),
        ("els", 2019, "30000"),
    ):
        FundingAllocation.objects.create(
            area=area, stream=streams[code], financial_year=year, amount=Decimal(amount)
        )

    schools = {name: SchoolFactory(area=area, name=name) for name in COHORTS}
    _encounters(schools)
    # The services keep the summary tables current; factories write rows
    # directly, so the summaries that reports read are rebuilt here.
    summaries_rebuild()
    return {"plan": plan, "schools": schools, "streams": streams}


def _encounters(schools):
    meaningful = EncounterType.objects.get(code="employer-talk")
    not_meaningful = EncounterType.objects.get(code="fe-he-visit")
    today = REPORT_DAY.date()
    for name, cohorts in COHORTS.items():
        school = schools[name]
        this_year = EncounterFactory(
            school=school, date=date(2019, 10, 1), encounter_type=meaningful
        )
        last_year = [
            EncounterFactory(school=school, date=date(2019, 3, day), encounter_type=meaningful)
            for day in (1, 2, 3, 4)
        ]
        university = EncounterFactory(
            school=school, date=date(2019, 10, 2), encounter_type=not_meaningful
        )
        for year_group, disadvantaged, n, with_one, with_four in cohorts:
            pupils = PupilFactory.create_batch(
                n,
                school=school,
                year_group=year_group,
                year_group_on=today,
                disadvantaged=disadvantaged,
            )
            attend(this_year, pupils[:with_one])
            for encounter in last_year:
                attend(encounter, pupils[:with_four])
            attend(university, pupils)
        # Left before the report's census date: not counted.
        PupilFactory(
            school=school, year_group=9, year_group_on=today, on_roll_until=date(2019, 9, 30)
        )


def report_run(
    area,
    *,
    status="pending",
    requested_by=None,
    period=(date(2019, 10, 1), date(2019, 10, 15)),
    **fields,
):
    """A run in any state without generating it; a succeeded one gets four
    small files in storage."""
    values = {
        "area": area,
        "period_start": period[0],
        "period_end": period[1],
        "trigger": ReportTrigger.ON_DEMAND if requested_by else ReportTrigger.SCHEDULED,
        "requested_by": requested_by,
        "status": status,
        **fields,
    }
    if status == "succeeded":
        values.update(progress=100, started_at=timezone.now(), finished_at=timezone.now())
        stem = ReportRun(area=area, period_start=period[0], period_end=period[1]).file_stem
        for field, name, content in (
            ("html_file", "report.html", b"<!DOCTYPE html><title>Report</title>"),
            ("pdf_file", "report.pdf", b"%PDF-1.7 fake"),
            ("csv_file", "report-data.zip", _open_data(area, period[1], stem)),
            ("snapshot_file", "report.json", b"{}"),
        ):
            values[field] = default_storage.save(f"reports/test/{name}", ContentFile(content))
    return ReportRun.objects.create(**values)


def _open_data(area, period_end, stem) -> bytes:
    """A real zip of EES data sets, drawn from a snapshot with spend only."""
    from core import ees
    from reports.render import report_data_sets

    rows = [
        {
            "stream": stream,
            "financial_year": 2019,
            "allocated": "1000.00",
            "spent": spent,
            "remaining": f"{1000 - int(spent.split('.')[0])}.00",
            "overspent": "0.00",
        }
        for stream, spent in (("Core programme", "250.00"), ("Essential Life Skills", "400.00"))
    ]
    snapshot = {
        "report": {
            "title": f"{area.name} Opportunity Area progress report",
            "period_end": period_end.isoformat(),
            "generated_at": timezone.now().isoformat(),
        },
        "area": {"code": area.code, "name": area.name},
        "priorities": [],
        "encounters": {
            "academic_year": "2019/20",
            "time_period": "201920",
            "year_groups": [],
            "total": None,
            "schools": [],
            "disadvantage": [],
        },
        "funding": {"rows": rows},
    }
    return ees.zip_bytes(ees.data_set_files(report_data_sets(snapshot, stem=stem)))
