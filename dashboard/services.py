"""Writes for the summary tables: refresh one area, one school's coverage, or
everything from scratch.

Incremental refreshes recompute the summary rows of the area or school that
changed (a handful of queries over that area's plan or that school's pupils),
queued by ``summary_refresh_on_commit`` from the plans and encounters
services, so a page never scans attendance; each is recorded as a
``SummaryRefresh`` in the write's transaction, so none is lost with a crashed
worker. ``summaries_rebuild`` computes the same rows for every area and
school with set-based SQL; a test checks that both agree.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from areas.models import Area, School
from core.background import ClaimedWork, LostClaim
from encounters.academic_years import AcademicYear
from encounters.models import (
    FIRST_SECONDARY_YEAR,
    PLEDGE_ENCOUNTERS,
    Attendance,
    Encounter,
    EncounterType,
    Pupil,
)
from plans.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    DeliveryPlan,
    FundingAllocation,
    PlanStatus,
)
from plans.progress import Status
from plans.selectors import plan_progress

from .models import (
    AreaSummary,
    SchoolCoverageSummary,
    SchoolEmployerSummary,
    SchoolEncounterTypeSummary,
    SummaryRefresh,
    SummaryRefreshStatus,
)

# Coverage is kept for the current academic year and the four before it: a
# Year 11 pupil's "four since Year 7" reaches back that far.
COVERAGE_YEARS = 5

INDICATOR_FIELDS = {status: f"indicators_{status.value}" for status in Status}
ACTION_FIELDS = {status: f"actions_{status}" for status in ActionStatus.values}
COUNT_FIELDS = (
    "indicators_total",
    *INDICATOR_FIELDS.values(),
    "indicators_stale",
    "actions_total",
    *ACTION_FIELDS.values(),
    "actions_overdue",
    "updates_due",
)


def coverage_years(today=None) -> list[AcademicYear]:
    current = AcademicYear.of(today or timezone.localdate())
    return [AcademicYear(current.start_year - k) for k in range(COVERAGE_YEARS - 1, -1, -1)]


# --- Areas -----------------------------------------------------------------


def _shown_plan(area_id):
    """The published version, else the latest (ADR 0004)."""
    plans = DeliveryPlan.objects.filter(area_id=area_id).order_by("-version")
    return plans.filter(status=PlanStatus.PUBLISHED).first() or plans.first()


def _plan_counts(area_id, today):
    """{life stage or "": {count field: n}}; "" is the whole plan."""
    counts = {"": dict.fromkeys(COUNT_FIELDS, 0)}
    plan = _shown_plan(area_id)
    if plan is None:
        return counts
    for item in plan_progress(plan=plan, today=today):
        for key in ("", item.priority.life_stage):
            row = counts.setdefault(key, dict.fromkeys(COUNT_FIELDS, 0))
            for indicator in item.indicators:
                row["indicators_total"] += 1
                row[INDICATOR_FIELDS[indicator.status]] += 1
                row["indicators_stale"] += int(indicator.judgement.stale)
            for action in item.actions:
                row["actions_total"] += 1
                row[ACTION_FIELDS[action.status]] += 1
                row["actions_overdue"] += int(action.overdue)
                row["updates_due"] += int(action.update_due)
    return counts


def _funding_totals(area_id):
    """Allocated and spent to date, as plans.selectors.funding_summary totals
    them: an action's spend to date is a running total, so what it has spent
    is its latest update's figure."""
    allocated = FundingAllocation.objects.filter(area_id=area_id).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    funded = (
        Action.objects.filter(plan__area_id=area_id)
        .exclude(funding_stream=None)
        .values("lineage_id")
        .distinct()
    )
    latest = ActionUpdate.objects.filter(lineage=OuterRef("lineage")).order_by("-date", "-pk")
    spent = (
        ActionUpdate.objects.filter(lineage__in=funded)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .aggregate(total=Sum("spend_to_date"))["total"]
    ) or Decimal(0)
    return allocated, spent


@transaction.atomic
def summary_area_refresh(*, area_id: int, today=None) -> AreaSummary | None:
    """Recompute one area's summary row from its plan, log and funding."""
    today = today or timezone.localdate()
    if not Area.objects.select_for_update().filter(pk=area_id).exists():
        return None
    counts = _plan_counts(area_id, today)
    allocated, spent = _funding_totals(area_id)
    whole = counts.pop("")
    summary, _ = AreaSummary.objects.update_or_create(
        area_id=area_id,
        defaults={
            **whole,
            "as_of": today,
            "allocated_total": allocated,
            "spent_total": spent,
            "by_life_stage": counts,
            "refreshed_at": timezone.now(),
        },
    )
    return summary


def _area_summary_ensure(school_id):
    """After a school's coverage changed: its area has a summary row."""
    area_id = School.objects.filter(pk=school_id).values_list("area_id", flat=True).first()
    if area_id is not None and not AreaSummary.objects.filter(area_id=area_id).exists():
        summary_area_refresh(area_id=area_id)


# --- School coverage -------------------------------------------------------

# Pupils on roll on each year's census date, with their meaningful employer
# encounters counted that year and since Year 7, following each pupil across
# schools by UPN hash (as encounters.selectors.with_encounter_counts does).
# Several years at once read each pupil's encounter history once.
_COVERAGE_SQL = """
WITH years (year, census) AS (VALUES {years}),
roll AS (
    SELECT years.year, p.id, p.school_id, p.upn_hash, p.reception_year, p.disadvantaged
    FROM years JOIN {pupil} AS p
      ON p.on_roll_from <= years.census
     AND (p.on_roll_until IS NULL OR p.on_roll_until >= years.census)
    WHERE {school_filter}
),
hashes AS (SELECT DISTINCT upn_hash FROM roll),
history AS MATERIALIZED (
    SELECT p.upn_hash, e.academic_year, count(*) AS n
    FROM hashes
    JOIN {pupil} AS p ON p.upn_hash = hashes.upn_hash
    JOIN {attendance} AS a ON a.pupil_id = p.id
    JOIN {encounter} AS e ON e.id = a.encounter_id
    JOIN {encounter_type} AS t ON t.id = e.encounter_type_id
    WHERE t.is_meaningful_employer_encounter
      AND e.academic_year <= (SELECT max(year) FROM years){dated_until}
    GROUP BY p.upn_hash, e.academic_year
),
per_pupil AS (
    SELECT roll.year, roll.school_id, roll.reception_year, roll.disadvantaged,
           coalesce(sum(h.n) FILTER (WHERE h.academic_year = roll.year), 0) AS this_year,
           coalesce(sum(h.n) FILTER (
               WHERE h.academic_year >= roll.reception_year + {first_secondary}
                 AND h.academic_year <= roll.year
           ), 0) AS since_year_7
    FROM roll LEFT JOIN history AS h ON h.upn_hash = roll.upn_hash
    GROUP BY roll.year, roll.id, roll.school_id, roll.reception_year, roll.disadvantaged
)
SELECT year, school_id, year - reception_year AS year_group, disadvantaged,
       count(*), count(*) FILTER (WHERE this_year >= 1),
       count(*) FILTER (WHERE since_year_7 >= {pledge})
FROM per_pupil
GROUP BY 1, 2, 3, 4
"""


_SCHOOL_FILTERS = {
    "all": "1 = 1",
    "school": "p.school_id = %(school)s",
    "area": "p.school_id IN (SELECT s.id FROM {school} AS s WHERE s.area_id = %(area)s)",
    "no_area": "p.school_id IN (SELECT s.id FROM {school} AS s WHERE s.area_id IS NULL)",
}


def coverage_sql(*, scope: str, years: int, dated_until: bool = False) -> str:
    """The coverage query for that many years over all schools, one school or
    one area's schools (``scope``); with ``dated_until`` only encounters dated
    on or before %(until)s count. Parameters from `coverage_params`. Portable
    SQL: `make run` uses it on SQLite."""
    return _COVERAGE_SQL.format(
        years=", ".join(f"(%(year_{n})s, %(census_{n})s)" for n in range(years)),
        pupil=Pupil._meta.db_table,
        attendance=Attendance._meta.db_table,
        encounter=Encounter._meta.db_table,
        encounter_type=EncounterType._meta.db_table,
        first_secondary=FIRST_SECONDARY_YEAR,
        pledge=PLEDGE_ENCOUNTERS,
        school_filter=_SCHOOL_FILTERS[scope].format(school=School._meta.db_table),
        dated_until="\n      AND e.date <= %(until)s" if dated_until else "",
    )


def coverage_params(years: list[AcademicYear], school_id=None, today=None) -> dict:
    params = {"school": school_id}
    for n, year in enumerate(years):
        params[f"year_{n}"] = year.start_year
        params[f"census_{n}"] = year.census_date(today)
    return params


def coverage_as_at(*, area_id: int, day) -> list[SchoolCoverageSummary]:
    """An area's coverage (unsaved summary rows) as it stood on ``day``: the
    roll on that day and the encounters dated on or before it, for reports on
    a past period. The summary tables hold each year as at its census date."""
    year = AcademicYear.of(day)
    params = {**coverage_params([year], today=day), "area": area_id, "until": day}
    return _coverage_rows_from(coverage_sql(scope="area", years=1, dated_until=True), params)


def _coverage_rows(years: list[AcademicYear], school_id=None, today=None):
    """SchoolCoverageSummary objects (unsaved) for one school, or all, in
    each of the years."""
    if not years:
        return []
    return _coverage_rows_from(
        coverage_sql(scope="all" if school_id is None else "school", years=len(years)),
        coverage_params(years, school_id, today),
    )


def _coverage_rows_from(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    now = timezone.now()
    rows = {}
    for academic_year, school_id, year_group, disadvantaged, on_roll, with_one, with_four in groups:
        row = rows.setdefault(
            (academic_year, school_id, year_group),
            SchoolCoverageSummary(
                school_id=school_id,
                academic_year=academic_year,
                year_group=year_group,
                refreshed_at=now,
            ),
        )
        group = "disadvantaged" if disadvantaged else "others"
        for measure, n in (("on_roll", on_roll), ("with_one", with_one), ("with_four", with_four)):
            setattr(row, measure, getattr(row, measure) + n)
            setattr(row, f"{group}_{measure}", n)
    return list(rows.values())


@transaction.atomic
def summary_school_refresh(*, school_id: int, academic_year: int, today=None) -> int:
    """Recompute one school's coverage rows for one academic year."""
    return _school_refresh(school_id, [AcademicYear(academic_year)], today)


def summary_school_refresh_years(*, school_id: int, since_year: int | None = None, today=None):
    """A change to a school's roll or encounters in ``since_year`` changes its
    coverage that year and every later year ("since Year 7" accumulates)."""
    years = [
        year
        for year in coverage_years(today)
        if since_year is None or year.start_year >= since_year
    ]
    with transaction.atomic():
        _school_refresh(school_id, years, today)


def _school_refresh(school_id, years, today) -> int:
    SchoolCoverageSummary.objects.filter(
        school_id=school_id, academic_year__in=[year.start_year for year in years]
    ).delete()
    if not School.objects.filter(pk=school_id).exists():
        return 0
    rows = _coverage_rows(years, school_id, today)
    SchoolCoverageSummary.objects.bulk_create(rows)
    return len(rows)


# --- Encounter breakdowns --------------------------------------------------

BREAKDOWN_MODELS = (SchoolEncounterTypeSummary, SchoolEmployerSummary)


def _breakdown_rows(encounters: Q, since_year: int | None):
    """Unsaved breakdown rows (both models) for the attendance at the
    encounters ``encounters`` selects (a Q on Encounter, prefixed for
    Attendance), from ``since_year`` on (every year with None): two
    set-based GROUP BY queries."""
    attendance = Attendance.objects.filter(encounters).order_by()
    if since_year is not None:
        attendance = attendance.filter(encounter__academic_year__gte=since_year)
    counted = {"n": Count("pk"), "distinct_encounters": Count("encounter", distinct=True)}
    now = timezone.now()
    groupings = (
        (
            SchoolEncounterTypeSummary,
            attendance,
            {
                "encounter_type_id": "encounter__encounter_type_id",
                "delivered_through": "encounter__delivered_through",
            },
        ),
        (
            SchoolEmployerSummary,
            attendance.filter(encounter__employers__isnull=False),
            {"employer_id": "encounter__employers"},
        ),
    )
    rows = []
    for model, selected, columns in groupings:
        groups = selected.values(
            "encounter__school_id", "encounter__academic_year", *columns.values()
        ).annotate(**counted)
        rows += [
            model(
                school_id=group["encounter__school_id"],
                academic_year=group["encounter__academic_year"],
                pupil_encounters=group["n"],
                encounters=group["distinct_encounters"],
                refreshed_at=now,
                **{name: group[column] for name, column in columns.items()},
            )
            for group in groups
        ]
    return rows


def _breakdown_replace(*, schools: Q, encounters: Q, since_year: int | None) -> int:
    """Replace the breakdown rows of the schools ``schools`` selects (a Q on
    the summary models) with rows computed afresh (``encounters``: the same
    schools, as a Q on Attendance)."""
    for model in BREAKDOWN_MODELS:
        stale = model.objects.filter(schools)
        if since_year is not None:
            stale = stale.filter(academic_year__gte=since_year)
        stale.delete()
    rows = _breakdown_rows(encounters, since_year)
    for model in BREAKDOWN_MODELS:
        model.objects.bulk_create([row for row in rows if isinstance(row, model)], batch_size=5000)
    return len(rows)


def summary_school_breakdown_refresh(*, school_id: int, since_year: int | None = None) -> int:
    """Recompute one school's encounter breakdowns from ``since_year`` on
    (every year with None): they count only the school's own encounters."""
    return _breakdown_replace(
        schools=Q(school_id=school_id),
        encounters=Q(encounter__school_id=school_id),
        since_year=since_year,
    )


def schools_sharing_pupils(school_id: int) -> list[int]:
    """Other schools holding a pupil of this one (moved, matched by UPN hash):
    their "since Year 7" counts include encounters recorded here."""
    hashes = Pupil.objects.filter(school_id=school_id).values("upn_hash")
    return list(
        Pupil.objects.filter(upn_hash__in=hashes)
        .exclude(school_id=school_id)
        .values_list("school_id", flat=True)
        .distinct()
    )


# --- Queueing and rebuilding -----------------------------------------------


# Set while seeding: writes record no refresh, and the seed rebuilds every
# summary at the end (summaries_rebuild).
_deferred: ContextVar[bool] = ContextVar("summary_refreshes_deferred", default=False)


@contextmanager
def summary_refreshes_deferred():
    """Inside this block no write records or runs a summary refresh: for a
    bulk load (seed_demo) that runs ``summaries_rebuild`` once at its end."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


@dataclass
class _QueuedRefresh:
    """The on_commit callback of a refresh this transaction recorded: it
    queues the task (when ``refresh_id`` is set) once the transaction
    commits. It is also how a later write of the same transaction sees that
    its refresh is recorded already: Django drops the callbacks of a
    rolled-back savepoint or transaction, and what they recorded went with
    them."""

    key: tuple
    since_year: int | None
    refresh_id: int | None = None
    task_id: str = ""
    done: bool = False

    def covers(self, key, since_year) -> bool:
        """Takes in a write of this transaction: until it has run, the
        refresh it queues will see that write."""
        return (
            not self.done
            and key == self.key
            and (
                self.since_year is None
                or (since_year is not None and self.since_year <= since_year)
            )
        )

    def __call__(self):
        self.done = True
        if self.refresh_id is not None:
            summary_refresh_enqueue(self.refresh_id, self.task_id)


def _recorded_in_this_transaction(key, since_year) -> bool:
    """The refresh is recorded already by this transaction, reaching back
    far enough: nothing to read or write again."""
    current = transaction.get_connection()
    if not current.in_atomic_block:
        return False
    # Django keeps each callback as (savepoint ids, callable, robust).
    return any(
        isinstance(callback, _QueuedRefresh) and callback.covers(key, since_year)
        for _, callback, _ in current.run_on_commit
    )


def summary_refresh_on_commit(
    *, area_id: int | None = None, school_id: int | None = None, since_year: int | None = None
) -> None:
    """Record a refresh of an area's summary or a school's coverage in the
    current transaction, and queue it once that commits (the write is
    visible to the task then). One refresh per area and school per
    transaction: a later write of the same transaction that the refresh
    covers costs no query, and a refresh of the same area or school still
    waiting from another transaction takes this one in, reaching back to
    the earlier year. Nothing while refreshes are deferred (seeding)."""
    key = (area_id, school_id)
    if _deferred.get() or _recorded_in_this_transaction(key, since_year):
        return
    covered = Q(since_year__isnull=True)
    if since_year is not None:
        covered |= Q(since_year__lte=since_year)
    with transaction.atomic():
        # Locked until this transaction commits, so the refresh cannot start
        # before the write it now also covers is visible.
        waiting = SummaryRefresh.objects.select_for_update().filter(
            status=SummaryRefreshStatus.PENDING, area_id=area_id, school_id=school_id
        )
        if waiting.filter(covered).first() is not None or waiting.update(
            since_year=since_year, updated_at=timezone.now()
        ):
            # Queued by the transaction that recorded it.
            transaction.on_commit(_QueuedRefresh(key, since_year))
            return
        refresh = SummaryRefresh.objects.create(
            area_id=area_id, school_id=school_id, since_year=since_year
        )
        transaction.on_commit(_QueuedRefresh(key, since_year, refresh.pk, refresh.task_id))


def summary_refresh_enqueue(refresh_id: int, task_id: str) -> None:
    from .tasks import summary_refresh

    summary_refresh.apply_async(args=[refresh_id], task_id=task_id)


def summary_refresh_claimed(*, refresh_id: int, task_id: str) -> bool:
    """What the task does: claim the refresh, run it and delete it in one
    transaction while the claim holds. False if another task has it."""
    if not SUMMARY_REFRESHES.claim(refresh_id, task_id):
        return False
    refresh = SummaryRefresh.objects.get(pk=refresh_id)
    try:
        with transaction.atomic():
            summary_refresh_run(
                area_id=refresh.area_id, school_id=refresh.school_id, since_year=refresh.since_year
            )
            deleted, _ = SUMMARY_REFRESHES.held(refresh_id, task_id).delete()
            if not deleted:
                raise LostClaim()
    except LostClaim:
        return False
    return True


def _refreshes_drop(refreshes, message: str) -> None:
    """A refresh that keeps killing its worker is dropped: the nightly
    rebuild recomputes everything."""
    refreshes.delete()


SUMMARY_REFRESHES = ClaimedWork(
    model=SummaryRefresh,
    pending=SummaryRefreshStatus.PENDING,
    running=SummaryRefreshStatus.RUNNING,
    enqueue=summary_refresh_enqueue,
    fail=_refreshes_drop,
)


def summary_refresh_run(*, area_id=None, school_id=None, since_year=None, today=None) -> None:
    """What the task does: refresh the area, and the school with any school
    sharing its pupils. Nothing while refreshes are deferred (seeding)."""
    if _deferred.get():
        return
    if area_id is not None:
        summary_area_refresh(area_id=area_id, today=today)
    if school_id is not None:
        with transaction.atomic():
            summary_school_breakdown_refresh(school_id=school_id, since_year=since_year)
        for pk in [school_id, *schools_sharing_pupils(school_id)]:
            summary_school_refresh_years(school_id=pk, since_year=since_year, today=today)
            _area_summary_ensure(pk)


@transaction.atomic
def summaries_refresh_stale(*, today=None) -> list[int]:
    """Queue a refresh of every area whose summary was judged before today
    (or has none): statuses and overdue flags move with the date. Run on a
    schedule (CELERY_BEAT_SCHEDULE), so no page read has to queue work; the
    dashboard shows each figure's date meanwhile."""
    today = today or timezone.localdate()
    stale = list(
        Area.objects.exclude(summary__as_of__gte=today).order_by("pk").values_list("pk", flat=True)
    )
    for area_id in stale:
        summary_refresh_on_commit(area_id=area_id)
    return stale


def summaries_rebuild(*, today=None) -> dict:
    """Every summary row from scratch, area by area: each area's coverage
    (one set-based query for all its years), encounter breakdowns and
    summary are replaced in a transaction of their own, so pages keep
    answering from the rows before until each area's new rows commit, and
    an area's figures are never half old and half new. Schools outside
    every area come last, then rows of areas that no longer exist go."""
    today = today or timezone.localdate()
    years = coverage_years(today)
    coverage_rows = 0
    area_ids = list(Area.objects.order_by("pk").values_list("pk", flat=True))
    for area_id in [*area_ids, None]:
        with transaction.atomic():
            coverage_rows += _area_rebuild(area_id, years, today)
    AreaSummary.objects.exclude(area_id__in=area_ids).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (AreaSummary, SchoolCoverageSummary, *BREAKDOWN_MODELS):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {"areas": AreaSummary.objects.count(), "coverage_rows": coverage_rows}


def _area_rebuild(area_id, years, today) -> int:
    """One area's summary rows afresh (``area_id`` None: the schools in no
    area, which have coverage and breakdowns but no area summary)."""
    scope = "area" if area_id is not None else "no_area"
    SchoolCoverageSummary.objects.filter(school__area_id=area_id).delete()
    rows = _coverage_rows_from(
        coverage_sql(scope=scope, years=len(years)),
        {**coverage_params(years, today=today), "area": area_id},
    )
    SchoolCoverageSummary.objects.bulk_create(rows, batch_size=5000)
    _breakdown_replace(
        schools=Q(school__area_id=area_id),
        encounters=Q(encounter__school__area_id=area_id),
        since_year=None,
    )
    if area_id is not None:
        summary_area_refresh(area_id=area_id, today=today)
    return len(rows)
