"""A realistic delivery plan, board and funding for each demo area.

Figures follow the real examples in DOMAIN.md where they fit (Derby's early
years and phonics, Blackpool's good-school and GCSE gaps, West Somerset's FSM
GLD, Norwich's employer encounters); dates are anchored on `today` so that the
demo shows a live plan with a mix of statuses. Everything goes through the
plans services, so the demo has history like real use.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from areas.models import Area
from core.models import Role, User
from partners.models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DecisionStatus,
    DeclaredInterest,
    MembershipRole,
    Organisation,
    OrganisationKind,
    PartnershipBoard,
)

from . import comparator_imports, services
from .demo_neighbours import seed_neighbour_groups
from .models import (
    Action,
    ActionStatus,
    ComparatorImport,
    ComparatorSeries,
    ComparatorValue,
    DeliveryPlan,
    FigureStatus,
    Frequency,
    FundingAllocation,
    FundingStream,
    Indicator,
    LifeStage,
    Priority,
    Target,
    TargetBasis,
    Unit,
)

CORNERSTONE_EMPLOYERS = [
    ("EDF Energy", "Energy"),
    ("GCHQ", "Public sector"),
    ("Barclays", "Finance"),
    ("Lloyds Banking Group", "Finance"),
    ("Burberry", "Retail and fashion"),
    ("Rolls-Royce", "Engineering"),
]

PRIORITIES = [
    ("Strengthen early years so every child starts school ready to learn", LifeStage.EARLY_YEARS),
    ("Improve literacy and numeracy in primary schools", LifeStage.PRIMARY),
    ("Raise attainment and attendance in secondary schools", LifeStage.SECONDARY),
    ("Open up careers and routes into work for young people", LifeStage.INTO_WORK),
]

# name, unit, polarity, baseline, final target, relative to England?, priority index
INDICATORS = [
    (
        "Children reaching a good level of development (GLD)",
        Unit.PERCENTAGE,
        "higher",
        "66",
        "0",
        True,
        0,
    ),
    ("Disadvantaged children reaching GLD", Unit.PERCENTAGE, "higher", "35", "60", False, 0),
    (
        "Pupils meeting the phonics screening check standard",
        Unit.PERCENTAGE,
        "higher",
        "64",
        "84",
        False,
        1,
    ),
    (
        "Pupils meeting the expected standard in reading, writing and maths at KS2",
        Unit.PERCENTAGE,
        "higher",
        "55",
        "65",
        False,
        1,
    ),
    (
        "Secondary pupils attending a good or outstanding school",
        Unit.PERCENTAGE,
        "higher",
        "19",
        "60",
        False,
        2,
    ),
    (
        "Pupils achieving grade 4 or above in English and maths",
        Unit.PERCENTAGE,
        "higher",
        "48",
        "60",
        False,
        2,
    ),
    ("Persistent absence in secondary schools", Unit.PERCENTAGE, "lower", "16", "11", False, 2),
    (
        "Employer encounters for young people aged 11 to 18",
        Unit.COUNT,
        "higher",
        "4000",
        "36000",
        False,
        3,
    ),
    (
        "Young people not in education, employment or training at 16 to 17",
        Unit.PERCENTAGE,
        "lower",
        "7.5",
        "4.5",
        False,
        3,
    ),
]

ACTION_TITLES = [
    "Train early years practitioners in speech and language",
    "Home learning environment programme for families",
    "Phonics training for Key Stage 1 teachers",
    "Maths mastery hubs for primary schools",
    "Reading recovery for pupils below the expected standard",
    "Recruit and keep good teachers in hard-to-staff subjects",
    "Leadership development for middle leaders",
    "Attendance officers shared across secondary schools",
    "Transition support from primary to secondary",
    "Cornerstone employer encounters in every secondary school",
    "Careers leaders trained in the Gatsby benchmarks",
    "Work experience placements with local employers",
    "Essential Life Skills clubs after school",
    "Mental health first aid in schools and colleges",
    "Research school evidence programme",
    "Post-16 routes information for Year 11",
    "Enterprise competition with local businesses",
    "Family support workers for persistent absentees",
    "University outreach visits for Year 9 and 10",
    "National Citizen Service promotion in Year 11",
]

ENGLAND_GLD = [("0", "69.3"), ("1", "70.7"), ("2", "71.5"), ("3", "71.8")]


def seed_plans(*, seed: int = 2017, today: date | None = None) -> str:
    today = today or date.today()
    rng = random.Random(seed)
    # The latest annual figures are for the academic year that ended last
    # summer; the demo programme started three years before that.
    last_summer = today.year if today >= date(today.year, 8, 31) else today.year - 1
    anchor = last_summer - 3
    admin = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    england = _england_gld(anchor)
    _comparator_sample(admin)
    cornerstones = [
        Organisation.objects.get_or_create(
            name=name, kind=OrganisationKind.CORNERSTONE_EMPLOYER, defaults={"sector": sector}
        )[0]
        for name, sector in CORNERSTONE_EMPLOYERS
    ]
    groups = seed_neighbour_groups(
        areas=Area.objects.order_by("name"),
        england=england,
        anchor=anchor,
        # Its own generator, so the plans' figures stay as they were.
        rng=random.Random(f"neighbours-{seed}"),
        user=admin,
    )
    created = 0
    for area in Area.objects.order_by("name"):
        lead = User.objects.filter(area=area, role=Role.AREA_LEAD).first() or admin
        organisations = _local_organisations(area, rng)
        _board(area, rng, organisations + cornerstones, anchor)
        _funding(area, rng, anchor)
        if DeliveryPlan.objects.filter(area=area).exists():
            continue
        _plan(area, rng, lead, organisations, england, anchor, today, groups.get(area.pk))
        created += 1
    return f"Plans created: {created}; boards and funding for {Area.objects.count()} areas"


def _england_gld(anchor):
    series, _ = ComparatorSeries.objects.get_or_create(
        name="England: good level of development",
        defaults={"geography": "England", "unit": Unit.PERCENTAGE},
    )
    for offset, value in ENGLAND_GLD:
        ComparatorValue.objects.get_or_create(
            series=series,
            date=date(anchor + int(offset), 8, 31),
            defaults={"value": Decimal(value)},
        )
    return series


# A comparator file in EES shape made by the project (ADR 0018): its values
# are illustrative, as its name and its data guidance say.
COMPARATOR_SAMPLE = Path(__file__).parent / "demo_data" / "ees-gld-illustrative.csv"


def _comparator_sample(admin):
    """The sample file imported as a DfE analyst would: the national series
    for all children and for disadvantaged children, and every area's LA
    series. Once: a second seed finds the import done."""
    if ComparatorImport.objects.filter(file_name=COMPARATOR_SAMPLE.name).exists():
        return
    ees_file = comparator_imports.ees_text_read(
        COMPARATOR_SAMPLE.read_text(encoding="utf-8"),
        COMPARATOR_SAMPLE.with_suffix(".meta.csv").read_text(encoding="utf-8"),
    )
    periods = tuple(ees_file.periods)
    selections = [
        (comparator_imports.NATIONAL, characteristic)
        for characteristic in ("Total", "Disadvantaged")
    ] + [(comparator_imports.LOCAL_AUTHORITY, "Total")]
    for level, characteristic in selections:
        comparator_imports.comparator_import_apply(
            ees_file=ees_file,
            selection=comparator_imports.Selection(
                indicator="gld_percent",
                filters={"characteristic": characteristic},
                level=level,
                locations=tuple(ees_file.levels[level]),
                periods=periods,
                unit=Unit.PERCENTAGE,
            ),
            file_name=COMPARATOR_SAMPLE.name,
            user=admin,
        )


def _local_organisations(area, rng):
    specs = [
        (f"{area.name} Council", OrganisationKind.LOCAL_AUTHORITY, "Local government"),
        (f"{area.name} Learning Trust", OrganisationKind.TRUST, "Education"),
        (f"{area.name} College", OrganisationKind.SCHOOL_OR_COLLEGE, "Further education"),
        (f"{area.name} Chamber of Commerce", OrganisationKind.EMPLOYER, "Business"),
        (f"{area.name} Community Foundation", OrganisationKind.CHARITY, "Voluntary sector"),
        (f"{area.name} Research School", OrganisationKind.RESEARCH_SCHOOL, "Education"),
        (f"{area.name} Engineering Ltd", OrganisationKind.EMPLOYER, "Engineering"),
    ]
    return [
        Organisation.objects.get_or_create(
            name=name, kind=kind, defaults={"sector": sector, "area": area}
        )[0]
        for name, kind, sector in specs
    ]


FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Farid",
    "Grace",
    "Harry",
    "Isla",
    "Jas",
    "Kemi",
    "Liam",
]
LAST_NAMES = [
    "Ahmed",
    "Bailey",
    "Clarke",
    "Dawson",
    "Evans",
    "Fletcher",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
]
SECTORS = [
    "Early years",
    "Primary schools",
    "Secondary schools",
    "Further education",
    "Employers",
    "Local authority",
    "Voluntary sector",
    "Higher education",
]


def _board(area, rng, organisations, anchor):
    board, created = PartnershipBoard.objects.get_or_create(
        area=area, defaults={"name": f"{area.name} Opportunity Area Partnership Board"}
    )
    if not created:
        return
    start = date(anchor, 1, 15)
    members = []
    for index in range(rng.randint(9, 13)):
        members.append(
            BoardMembership.objects.create(
                board=board,
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                organisation=organisations[index % len(organisations)],
                role=MembershipRole.CHAIR
                if index == 0
                else (MembershipRole.OBSERVER if index == 1 else MembershipRole.MEMBER),
                sector_represented="Independent chair"
                if index == 0
                else SECTORS[index % len(SECTORS)],
                start_date=start,
                end_date=date(anchor + 2, 7, 31) if index == 5 else None,
            )
        )
    for member in rng.sample(members, k=3):
        DeclaredInterest.objects.create(
            membership=member,
            description=f"Governor at a school receiving {area.name} Opportunity Area funding",
            declared_on=start,
        )
    for quarter in range(12):
        meeting = BoardMeeting.objects.create(
            board=board, date=start + timedelta(days=91 * quarter + rng.randint(0, 10))
        )
        for number in range(rng.randint(1, 3)):
            Decision.objects.create(
                meeting=meeting,
                decision=rng.choice(
                    [
                        "Approve the early years speech and language programme budget",
                        "Ask the careers working group for a plan to reach every secondary school",
                        "Commission an evaluation of the maths mastery hubs",
                        "Agree the attendance strategy with head teachers",
                        "Publish the annual progress report",
                    ]
                ),
                owner=members[(quarter + number) % len(members)].contact_name,
                due_date=meeting.date + timedelta(days=60),
                status=DecisionStatus.DONE if quarter < 10 else DecisionStatus.OPEN,
            )


def _funding(area, rng, anchor):
    streams = {s.code: s for s in FundingStream.objects.all()}
    amounts = {
        "core": (1_600_000, 2_400_000),
        "els": (500_000, 1_100_000),
        "tlif": (200_000, 900_000),
    }
    for year in range(anchor, anchor + 3):
        for code, (low, high) in amounts.items():
            if code == "els" and year == anchor + 2:
                continue  # ELS ran for two years
            FundingAllocation.objects.get_or_create(
                area=area,
                stream=streams[code],
                financial_year=year,
                defaults={"amount": Decimal(rng.randrange(low, high, 10_000))},
            )


# How a demo indicator's measurements move, as a share of the planned change
# per year: ahead of plan, a little behind, flat, already there, or no data.
TRAJECTORIES = {
    "ahead": [0.2, 0.4, 0.6, 0.75],
    "behind": [0.15, 0.3, 0.45, 0.6],
    "flat": [0.05, 0.02, 0.08, 0.1],
    "achieved": [0.4, 0.7, 0.95, 1.05],
    "lapsed": [0.2, 0.35],
    "none": [],
}


def _plan(area, rng, lead, organisations, england, anchor, today, neighbours=None):
    plan = services.plan_draft_start(area=area, user=lead)
    priorities = []
    count = rng.choice([3, 4])
    chosen = PRIORITIES if count == 4 else [PRIORITIES[0], PRIORITIES[1], PRIORITIES[3]]
    for number, (title, stage) in enumerate(chosen, start=1):
        priorities.append(
            services.plan_content_save(
                obj=Priority(plan=plan),
                user=lead,
                number=number,
                title=title,
                life_stage=stage,
                description=f"What {area.name}'s board will do about this over the programme.",
            )
        )
    stage_to_priority = {p.life_stage: p for p in priorities}
    by_priority = {}
    for spec in INDICATORS:
        stage = PRIORITIES[spec[6]][1]
        if stage in stage_to_priority:
            by_priority.setdefault(stage, []).append(spec)
    # One indicator for every priority, then more up to three to five in all.
    indicators = [rng.choice(specs) for specs in by_priority.values()]
    spare = [spec for specs in by_priority.values() for spec in specs if spec not in indicators]
    indicators += rng.sample(spare, k=min(len(spare), max(0, rng.randint(3, 5) - len(indicators))))
    baseline_date = date(anchor - 1, 8, 31)
    for name, unit, polarity, baseline, final, relative, priority_index in indicators:
        priority = stage_to_priority[PRIORITIES[priority_index][1]]
        indicator = services.plan_content_save(
            obj=Indicator(plan=plan, priority=priority),
            user=lead,
            name=name,
            unit=unit,
            polarity=polarity,
            baseline_value=Decimal(baseline),
            baseline_date=baseline_date,
            frequency_days=Frequency.ANNUALLY,
            source="DfE statistics"
            if unit == Unit.PERCENTAGE
            else "Careers & Enterprise Company returns",
            comparator=england if relative else None,
            comparator_group=neighbours if relative else None,
        )
        baseline_value = Decimal(baseline)
        if relative:
            start_gap = baseline_value - Decimal(ENGLAND_GLD[0][1])
            targets = [
                (date(anchor + 2, 8, 31), start_gap / 2),
                (date(anchor + 5, 8, 31), Decimal(final)),
            ]
        else:
            final_value = Decimal(final)
            targets = [
                (date(anchor + 2, 8, 31), baseline_value + (final_value - baseline_value) / 2),
                (date(anchor + 5, 8, 31), final_value),
            ]
        for when, value in targets:
            services.plan_content_save(
                obj=Target(indicator=indicator),
                user=lead,
                date=when,
                value=value.quantize(Decimal("0.1")),
                basis=TargetBasis.RELATIVE if relative else TargetBasis.ABSOLUTE,
            )
        start_compared = baseline_value - Decimal(ENGLAND_GLD[0][1]) if relative else baseline_value
        planned = targets[-1][1] - start_compared
        shape = rng.choice(["ahead", "ahead", "behind", "flat", "achieved", "lapsed", "none"])
        for year, share in enumerate(TRAJECTORIES[shape]):
            when = date(anchor + year, 8, 31)
            if when > today:
                break
            compared = start_compared + planned * Decimal(str(share))
            value = compared + Decimal(ENGLAND_GLD[min(year, 3)][1]) if relative else compared
            services.measurement_record(
                lineage=indicator.lineage,
                user=lead,
                date=when,
                value=value.quantize(Decimal("0.1")),
                status=FigureStatus.PROVISIONAL if year == 3 else FigureStatus.FINAL,
                source="DfE statistics",
            )
    streams = list(FundingStream.objects.exclude(code="other"))
    for index, title in enumerate(rng.sample(ACTION_TITLES, k=rng.randint(10, 16))):
        priority = priorities[index % len(priorities)]
        start = date(anchor, 1, 1) + timedelta(days=rng.randint(0, 900))
        due = start + timedelta(days=rng.randint(500, 2200))
        action = services.plan_content_save(
            obj=_new_action(plan, priority),
            user=lead,
            title=title,
            description=f"{title} across {area.name}.",
            lead_organisation=rng.choice(organisations),
            owner=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            owner_user=lead if lead.role == Role.AREA_LEAD else None,
            funding_stream=rng.choice(streams),
            budget=Decimal(rng.randrange(20_000, 400_000, 5_000)),
            start_date=start,
            due_date=due,
        )
        _action_updates(action, rng, lead, today)
    services.plan_publish(plan=plan, user=lead)


def _new_action(plan, priority):
    return Action(plan=plan, priority=priority)


def _action_updates(action, rng, author, today):
    statuses = [
        ActionStatus.ON_TRACK,
        ActionStatus.ON_TRACK,
        ActionStatus.AT_RISK,
        ActionStatus.OFF_TRACK,
    ]
    when = action.start_date + timedelta(days=rng.randint(20, 60))
    spend = Decimal(0)
    stop = min(today, action.due_date + timedelta(days=30))
    while when <= stop - timedelta(days=rng.choice([1, 5, 15, 60])):
        finished = when >= action.due_date and rng.random() < 0.8
        status = ActionStatus.COMPLETE if finished else rng.choice(statuses)
        spend = min(
            action.budget, spend + action.budget * Decimal(rng.randint(5, 25)) / 100
        ).quantize(Decimal("1"))
        services.action_update_log(
            lineage=action.lineage,
            user=author,
            date=when,
            status=status,
            narrative=_narrative(status, rng),
            spend_to_date=spend,
        )
        if status == ActionStatus.COMPLETE:
            return
        when += timedelta(days=rng.randint(25, 90))


def _narrative(status, rng):
    return {
        ActionStatus.ON_TRACK: "Delivery is going to plan. Schools report good take-up.",
        ActionStatus.AT_RISK: "Recruiting staff is behind; the partner will catch up next term.",
        ActionStatus.OFF_TRACK: "Delivery has stalled. The board has asked for a recovery plan.",
        ActionStatus.COMPLETE: "Delivered. An evaluation report will follow.",
    }[status] + rng.choice(
        ["", " Numbers are in the attached return.", " Next review at the board meeting."]
    )
