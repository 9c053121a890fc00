"""Summary tables: what they hold, that writes refresh them on commit, and
that the incremental refresh and the full rebuild agree."""

import datetime

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from core.models import Role
from dashboard import services
from dashboard.coverage import area_school_coverage
from dashboard.models import (
    AreaSummary,
    SchoolCoverageSummary,
    SchoolEmployerSummary,
    SchoolEncounterTypeSummary,
    SummaryRefresh,
    SummaryRefreshStatus,
)
from encounters import selectors as encounter_selectors
from encounters.academic_years import AcademicYear
from encounters.models import EncounterType
from encounters.services import encounter_record
from plans.models import ActionStatus, FigureStatus
from plans.selectors import funding_summary, plan_progress
from plans.services import action_update_log, measurement_record
from tests.encounters.factories import (
    EmployerFactory,
    EncounterFactory,
    PupilFactory,
    attend,
    make_upn,
)
from tests.encounters.raw_figures import raw_area_school_coverage
from tests.factories import SchoolFactory, UserFactory

from .conftest import plan_with_funding, school_with_coverage

pytestmark = pytest.mark.django_db


def test_area_summary_counts_what_the_progress_engine_and_funding_summary_say(area):
    plan = plan_with_funding(area)
    summary = services.summary_area_refresh(area_id=area.pk)

    today = datetime.date.today()
    priorities = plan_progress(plan=plan, today=today)
    statuses = [i.status.value for p in priorities for i in p.indicators]
    assert summary.indicators_total == len(statuses) == 4
    for status in set(statuses):
        assert getattr(summary, f"indicators_{status}") == statuses.count(status)
    assert summary.indicators_stale == sum(
        i.judgement.stale for p in priorities for i in p.indicators
    )
    actions = [a for p in priorities for a in p.actions]
    assert summary.actions_total == 4
    assert summary.actions_on_track == sum(a.status == ActionStatus.ON_TRACK for a in actions)
    assert summary.actions_overdue == sum(a.overdue for a in actions) == 4
    assert summary.updates_due == sum(a.update_due for a in actions)
    funding = funding_summary(user=UserFactory(role=Role.DFE_STAFF), area=area)
    assert summary.allocated_total == funding["allocated_total"] == 100000
    assert summary.spent_total == funding["spent_total"] == 20000
    by_stage = {p.priority.life_stage for p in priorities}
    assert set(summary.by_life_stage) == by_stage
    assert sum(s["indicators_total"] for s in summary.by_life_stage.values()) == 4


def test_an_area_without_a_plan_has_a_summary_of_zeros(area):
    summary = services.summary_area_refresh(area_id=area.pk)
    assert summary.indicators_total == summary.actions_total == 0
    assert summary.by_life_stage == {}


def _coverage_rows(school, year):
    return {
        row.year_group: row
        for row in SchoolCoverageSummary.objects.filter(
            school=school, academic_year=year.start_year
        )
    }


@pytest.mark.parametrize("years_back", [0, 1])
def test_school_coverage_summary_matches_the_school_coverage_page(area, users, years_back):
    school = school_with_coverage(area, pupils=9, encounters=4)
    year = AcademicYear(AcademicYear.current().start_year - years_back)
    services.summary_school_refresh(school_id=school.pk, academic_year=year.start_year)

    staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    page = encounter_selectors.school_coverage(user=staff, school=school, year=year)
    stored = _coverage_rows(school, year)
    assert set(stored) == {row.year_group for row in page["rows"]}
    for row in page["rows"]:
        summary = stored[row.year_group]
        for group, prefix in (
            ("all", ""),
            ("disadvantaged", "disadvantaged_"),
            ("others", "others_"),
        ):
            counts = getattr(row, group)
            assert (
                getattr(summary, f"{prefix}on_roll"),
                getattr(summary, f"{prefix}with_one"),
                getattr(summary, f"{prefix}with_four"),
            ) == (counts.on_roll, counts.with_one, counts.with_four), (row.year_group, group)


def test_four_since_year_7_follows_a_pupil_who_moved_school(area, year):
    old_school, new_school = SchoolFactory(area=area), SchoolFactory(area=area)
    upn = make_upn(4242)
    before = PupilFactory(school=old_school, year_group=10, upn=upn)
    after = PupilFactory(school=new_school, year_group=10, upn=upn)
    for k in range(3):
        attend(
            EncounterFactory(
                school=old_school,
                date=AcademicYear(year.start_year - 1).start + datetime.timedelta(days=k),
            ),
            [before],
        )
    attend(EncounterFactory(school=new_school, date=year.start), [after])
    services.summary_school_refresh(school_id=new_school.pk, academic_year=year.start_year)
    row = _coverage_rows(new_school, year)[10]
    assert (row.on_roll, row.with_one, row.with_four) == (1, 1, 1)
    assert services.schools_sharing_pupils(old_school.pk) == [new_school.pk]


def test_writes_queue_a_refresh_that_runs_once_they_commit(
    area, django_capture_on_commit_callbacks
):
    # The set-up's writes record refreshes, run as if their transaction
    # committed (no transaction commits in this test).
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_with_funding(area)
    services.summaries_rebuild()
    SummaryRefresh.objects.all().delete()
    indicator = plan.indicators.first()
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        measurement_record(
            lineage=indicator.lineage,
            user=lead,
            date=datetime.date.today(),
            value=indicator.baseline_value + 100,
            status=FigureStatus.FINAL,
        )
    assert len(callbacks) == 1
    [refresh] = SummaryRefresh.objects.all()
    assert (refresh.area_id, refresh.status) == (area.pk, SummaryRefreshStatus.PENDING)
    assert AreaSummary.objects.get(area=area).indicators_achieved == 0
    callbacks[0]()
    assert AreaSummary.objects.get(area=area).indicators_achieved == 1
    assert not SummaryRefresh.objects.exists()


def test_refreshes_still_waiting_take_in_later_ones_reaching_back_to_the_earliest_year(school):
    services.summary_refresh_on_commit(school_id=school.pk, since_year=2020)
    services.summary_refresh_on_commit(school_id=school.pk, since_year=2022)
    services.summary_refresh_on_commit(school_id=school.pk, since_year=2018)
    services.summary_refresh_on_commit(area_id=school.area_id)
    refreshes = SummaryRefresh.objects.order_by("pk")
    assert [(r.area_id, r.school_id, r.since_year) for r in refreshes] == [
        (None, school.pk, 2018),
        (school.area_id, None, None),
    ]
    services.summary_refresh_on_commit(school_id=school.pk)
    assert refreshes.get(school_id=school.pk).since_year is None


def _snapshot():
    areas = sorted(
        (model_to_dict(s, exclude=["id", "refreshed_at"]) for s in AreaSummary.objects.all()),
        key=lambda s: s["area"],
    )
    coverage, type_rows, employer_rows = (
        sorted(
            tuple(model_to_dict(s, exclude=["id", "refreshed_at"]).items())
            for s in model.objects.all()
        )
        for model in (SchoolCoverageSummary, SchoolEncounterTypeSummary, SchoolEmployerSummary)
    )
    return areas, coverage, type_rows, employer_rows


def test_incremental_refreshes_and_a_full_rebuild_agree(
    reference_areas, django_capture_on_commit_callbacks
):
    blackpool, hastings = reference_areas["blackpool"], reference_areas["hastings"]
    services.summaries_rebuild()
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_with_funding(blackpool)
        school = school_with_coverage(hastings, pupils=7, encounters=3)
    # Factories write around the services: bring the summaries up to date
    # once, then change everything through the services only.
    services.summaries_rebuild()
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        action = plan.actions.first()
        action_update_log(
            lineage=action.lineage,
            user=lead,
            date=datetime.date.today(),
            status=ActionStatus.COMPLETE,
            narrative="Done.",
            spend_to_date=7000,
        )
        indicator = plan.indicators.first()
        measurement_record(
            lineage=indicator.lineage,
            user=lead,
            date=datetime.date.today(),
            value=indicator.baseline_value - 20,
            status=FigureStatus.FINAL,
        )
        staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
        pupils = list(school.pupils.filter(reception_year=AcademicYear.current().start_year - 9))
        for k in range(2):
            encounter_record(
                school=school,
                user=staff,
                date=datetime.date.today() - datetime.timedelta(days=k),
                encounter_type=EncounterType.objects.get(code="employer-talk"),
                title=f"Talk {k}",
                delivered_through="school",
                pupils=pupils[:1],
                employers=[EmployerFactory()],
            )
    incremental = _snapshot()
    services.summaries_rebuild()
    assert _snapshot() == incremental
    assert incremental != before


def test_area_coverage_from_summaries_matches_the_area_coverage_read_from_attendance(area, year):
    school_with_coverage(area, pupils=9, encounters=4)
    school_with_coverage(area, pupils=6, encounters=2, year_groups=(8, 12))
    services.summaries_rebuild()
    dfe = UserFactory(role=Role.DFE_STAFF)

    def flat(coverage):
        return [
            (
                entry["school"].pk,
                [(r.year_group, r.all, r.disadvantaged, r.others) for r in entry["rows"]],
                (entry["total"].all, entry["total"].disadvantaged, entry["total"].others),
            )
            for entry in coverage
        ]

    from_summaries = area_school_coverage(user=dfe, area=area, year=year)
    from_attendance = raw_area_school_coverage(user=dfe, area=area, year=year)
    assert flat(from_summaries) == flat(from_attendance)
    assert len(from_summaries) == 2


def test_the_scheduled_refresh_queues_only_areas_judged_before_today(
    reference_areas, django_capture_on_commit_callbacks
):
    today = datetime.date.today()
    services.summaries_rebuild(today=today)
    SummaryRefresh.objects.all().delete()
    judged_yesterday, never_judged = reference_areas["blackpool"], reference_areas["derby"]
    AreaSummary.objects.filter(area=judged_yesterday).update(
        as_of=today - datetime.timedelta(days=1)
    )
    AreaSummary.objects.filter(area=never_judged).delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = services.summaries_refresh_stale(today=today)
    assert sorted(queued) == sorted([judged_yesterday.pk, never_judged.pk])
    assert sorted(SummaryRefresh.objects.values_list("area_id", flat=True)) == sorted(queued)
    assert len(callbacks) == 2


def _talk(school, staff, pupils, day):
    return encounter_record(
        school=school,
        user=staff,
        date=day,
        encounter_type=EncounterType.objects.get(code="employer-talk"),
        title=f"Talk on {day}",
        delivered_through="school",
        pupils=pupils,
    )


def test_many_writes_in_one_transaction_queue_one_refresh_per_school_and_area(
    area, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    school = school_with_coverage(area, pupils=3, encounters=1)
    second = school_with_coverage(area, pupils=3, encounters=1)
    staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school, second])
    queued = []
    monkeypatch.setattr(services, "summary_refresh_enqueue", lambda *args: queued.append(args))
    today = datetime.date.today()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(6):
            for each in (school, second):
                _talk(each, staff, list(each.pupils.all()[:2]), today)
        services.summary_refresh_on_commit(area_id=area.pk)
        # A later write the refreshes cover costs no query at all.
        with django_assert_num_queries(0):
            for _ in range(10):
                services.summary_refresh_on_commit(school_id=school.pk, since_year=2030)
                services.summary_refresh_on_commit(area_id=area.pk)
    refreshed = [(r.area_id, r.school_id) for r in SummaryRefresh.objects.all()]
    assert len(refreshed) == 3
    assert set(refreshed) == {(None, school.pk), (None, second.pk), (area.pk, None)}
    assert len(queued) == 3
    assert sorted(task_id for _, task_id in queued) == sorted(
        SummaryRefresh.objects.values_list("task_id", flat=True)
    )


def test_a_refresh_rolled_back_with_its_savepoint_is_recorded_again(
    school, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "summary_refresh_enqueue", lambda *args: queued.append(args))

    def failed_write():
        with transaction.atomic():
            services.summary_refresh_on_commit(school_id=school.pk, since_year=2019)
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError):
            failed_write()
        assert not SummaryRefresh.objects.exists()
        services.summary_refresh_on_commit(school_id=school.pk, since_year=2020)
        # Reaching further back than the refresh recorded: recorded again.
        services.summary_refresh_on_commit(school_id=school.pk, since_year=2018)
    [refresh] = SummaryRefresh.objects.all()
    assert (refresh.school_id, refresh.since_year) == (school.pk, 2018)
    assert [refresh_id for refresh_id, _ in queued] == [refresh.pk]


def test_writes_while_refreshes_are_deferred_record_none(area, django_capture_on_commit_callbacks):
    school = school_with_coverage(area, pupils=3, encounters=1)
    services.summaries_rebuild()
    before = _snapshot()
    staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    with services.summary_refreshes_deferred(), django_capture_on_commit_callbacks(execute=True):
        _talk(school, staff, list(school.pupils.all()), datetime.date.today())
        services.summary_refresh_run(school_id=school.pk)
    assert not SummaryRefresh.objects.exists()
    assert _snapshot() == before
    services.summaries_rebuild()
    assert _snapshot() != before


def test_the_rebuild_replaces_one_area_at_a_time_leaving_the_others_readable(
    reference_areas, monkeypatch
):
    blackpool, hastings = reference_areas["blackpool"], reference_areas["hastings"]
    first = school_with_coverage(blackpool, pupils=4, encounters=4)
    second = school_with_coverage(hastings, pupils=4, encounters=4)
    nowhere = school_with_coverage(None, pupils=2, encounters=4)
    services.summaries_rebuild()
    expected = _snapshot()
    # Stale rows: one school's wrong, another's missing, a summary lost.
    SchoolCoverageSummary.objects.filter(school=first).update(with_four=0)
    SchoolEncounterTypeSummary.objects.filter(school=second).delete()
    AreaSummary.objects.filter(area=hastings).delete()
    seen = {}
    rebuild_area = services._area_rebuild

    def watched(area_id, years, today):
        # While one area is being rebuilt, every other school keeps its rows.
        seen[area_id] = {
            school.pk: SchoolCoverageSummary.objects.filter(school=school).exists()
            for school in (first, second, nowhere)
            if school.area_id != area_id
        }
        return rebuild_area(area_id, years, today)

    monkeypatch.setattr(services, "_area_rebuild", watched)
    services.summaries_rebuild()
    assert _snapshot() == expected
    assert seen[blackpool.pk] == {second.pk: True, nowhere.pk: True}
    assert seen[None] == {first.pk: True, second.pk: True}
