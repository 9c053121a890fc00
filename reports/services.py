"""Writes for progress reports: asking for a run, and generating one.

Generating is safe to deliver twice and survives a worker dying mid-task:

- **Claim.** One conditional UPDATE moves a run from pending to running and
  records the delivering task's id and the time. No row updated
  means another delivery holds the run (or it is finished): nothing to do.
- **Lease.** A running run can be claimed again once its claim is older than
  the lease, the hard time limit plus a margin (core.background): by then
  Celery has killed whatever held it. A redelivery of the *same* task (acks_late with
  reject_on_worker_lost puts the message back when its worker dies) that
  finds its own claim still fresh is told to come back when the lease runs
  out, rather than being acknowledged and lost.
- **Fence.** Every later write (progress, success, failure) is conditional on
  the run still being running under this task's id, so an execution that has
  lost its claim changes nothing and removes its own files.
- **Files.** All four are rendered in memory first, then saved under a folder
  of their own for this attempt, then attached in one UPDATE. If anything
  fails the saved files are deleted, so a run holds all four files or none;
  leftovers of an attempt killed mid-save are removed by the next claim.
- **Sweep.** A run pending with no message in the broker, or running past
  its lease with none, is put back on the queue by beat's sweep, or at once
  when someone asks for the report again (core.background).
"""

import logging
from dataclasses import dataclass
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from areas.models import Area
from core.background import ClaimedWork, LostClaim, work_requeue_if_lost

from . import render
from .models import REPORT_FILE_FIELDS, UNFINISHED_STATUSES, ReportRun, ReportStatus, ReportTrigger
from .periods import month_to_date, previous_month
from .snapshot import report_snapshot

logger = logging.getLogger(__name__)

# Errors worth another try: the database or a network service went away.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


# --- Asking for reports -------------------------------------------------------


def report_run_request(*, area: Area, user) -> tuple[ReportRun, bool]:
    """A report of the month so far, asked for by a person (permission is
    the view's job). If one for the same period is still waiting or
    running, that one is returned instead: (run, created)."""
    start, end = month_to_date(timezone.localdate())
    return _run_for_period(
        area=area, start=start, end=end, trigger=ReportTrigger.ON_DEMAND, requested_by=user
    )


def reports_schedule_monthly(*, today) -> int:
    """A run of last month's report for every area; safe to run twice.

    Returns the number of runs created. Runs of the period left unfinished
    with no message to finish them are enqueued again.
    """
    start, end = previous_month(today)
    created = 0
    for area in Area.objects.order_by("pk"):
        try:
            with transaction.atomic():
                run, new = ReportRun.objects.get_or_create(
                    area=area, period_start=start, period_end=end, trigger=ReportTrigger.SCHEDULED
                )
        except IntegrityError:
            # A report of the same period asked for on demand is still
            # running; it will be the month's report.
            continue
        if new:
            transaction.on_commit(partial(report_run_enqueue, run.pk, run.task_id))
        else:
            work_requeue_if_lost(REPORT_RUNS, run)
        created += new
    return created


def _run_for_period(*, area, start, end, trigger, requested_by):
    def unfinished():
        return ReportRun.objects.filter(
            area=area, period_start=start, period_end=end, status__in=UNFINISHED_STATUSES
        ).first()

    existing = unfinished()
    if existing is not None:
        # Asking again for a run whose worker crashed starts it again.
        work_requeue_if_lost(REPORT_RUNS, existing)
        return existing, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                area=area,
                period_start=start,
                period_end=end,
                trigger=trigger,
                requested_by=requested_by,
            )
    except IntegrityError:
        # Someone asked at the same moment: theirs is the run.
        existing = unfinished()
        if existing is None:
            raise
        return existing, False
    transaction.on_commit(partial(report_run_enqueue, run.pk, run.task_id))
    return run, True


def report_run_enqueue(run_id: int, task_id: str) -> None:
    """Send the run to a worker under its task id. If the broker cannot take
    it, the run fails at once with a message saying so, rather than waiting
    for ever."""
    from .tasks import report_generate

    try:
        report_generate.apply_async(args=[run_id], task_id=task_id)
    except Exception:
        logger.exception("Report run %s could not be queued", run_id)
        _runs_fail(
            ReportRun.objects.filter(pk=run_id, status=ReportStatus.PENDING),
            "The report could not be queued. Try generating it again.",
        )


def _runs_fail(runs, message: str) -> None:
    runs.update(
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error_message=message,
        updated_at=timezone.now(),
    )


REPORT_RUNS = ClaimedWork(
    model=ReportRun,
    pending=ReportStatus.PENDING,
    running=ReportStatus.RUNNING,
    enqueue=report_run_enqueue,
    fail=_runs_fail,
)


# --- Generating a report --------------------------------------------------------


class TransientReportError(Exception):
    """Generation met an error worth retrying; the claim has been released."""


@dataclass(frozen=True)
class Outcome:
    result: str  # succeeded, failed, not claimed, lost claim, no such run, wait
    retry_after: float | None = None


def report_run_generate(*, run_id: int, task_id: str, may_retry: bool = False) -> Outcome:
    """Claim the run, build its snapshot, render and attach the files.

    Raises TransientReportError (after releasing the claim) for an error
    worth retrying when ``may_retry``; any other error, or a transient one on
    the last try, fails the run with its message. Returns what happened.
    """
    if not _claim(run_id, task_id):
        return _not_claimed(run_id, task_id)
    run = ReportRun.objects.select_related("area").get(pk=run_id)
    fence = _Fence(run_id, task_id)
    try:
        _discard_other_attempts(run)
        fence.progress(10)
        data = report_snapshot(
            area=run.area,
            period_start=run.period_start,
            period_end=run.period_end,
            generated_at=timezone.now(),
        )
        fence.progress(40)
        files = render.report_files(data, stem=run.file_stem, on_progress=fence.progress)
        _attach(run, fence, files)
    except LostClaim:
        logger.warning("Report run %s: task %s lost its claim", run_id, task_id)
        return Outcome("lost claim")
    except TRANSIENT_ERRORS as error:
        if may_retry:
            logger.warning("Report run %s: %r; will retry", run_id, error)
            fence.release()
            raise TransientReportError(str(error)) from error
        logger.exception("Report run %s failed", run_id)
        fence.fail(error)
        return Outcome("failed")
    except Exception as error:
        logger.exception("Report run %s failed", run_id)
        fence.fail(error)
        return Outcome("failed")
    logger.info("Report run %s succeeded under task %s", run_id, task_id)
    return Outcome("succeeded")


def _claim(run_id, task_id) -> bool:
    return REPORT_RUNS.claim(run_id, task_id, progress=0, error_message="")


def _not_claimed(run_id, task_id) -> Outcome:
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("Report run %s does not exist", run_id)
        return Outcome("no such run")
    retry_after = REPORT_RUNS.own_claim_lapses_in(run_id, task_id)
    if retry_after is not None:
        return Outcome("wait", retry_after=retry_after)
    return Outcome("not claimed")


class _Fence:
    """Writes that count only while this task still holds the run."""

    def __init__(self, run_id, task_id):
        self.held = REPORT_RUNS.held(run_id, task_id)

    def _update(self, **values):
        if not self.held.update(**values, updated_at=timezone.now()):
            raise LostClaim()

    def progress(self, percent: int):
        self._update(progress=percent)

    def succeed(self, files: dict[str, str]):
        self._update(
            status=ReportStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), **files
        )

    def fail(self, error: BaseException):
        _runs_fail(self.held, _error_message(error))

    def release(self):
        """Back to pending, so the retry can claim it at once."""
        try:
            self.held.update(status=ReportStatus.PENDING, progress=0, started_at=None)
        except TRANSIENT_ERRORS:
            logger.warning("Could not release the claim; it will lapse", exc_info=True)


def _error_message(error: BaseException) -> str:
    if isinstance(error, SoftTimeLimitExceeded):
        return (
            f"The report took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} seconds "
            "to generate."
        )
    return f"{type(error).__name__}: {error}"[:2000]


def _attempt_folder(run) -> str:
    return f"reports/{run.area.slug}/{run.pk}"


def _attach(run, fence, files: dict[str, render.RenderedFile]):
    folder = f"{_attempt_folder(run)}/attempt-{run.attempts}"
    saved = {}
    try:
        for field in REPORT_FILE_FIELDS:
            rendered = files[field]
            storage = ReportRun._meta.get_field(field).storage
            saved[field] = storage.save(f"{folder}/{rendered.name}", ContentFile(rendered.content))
        fence.succeed(saved)
    except BaseException:
        for field, name in saved.items():
            ReportRun._meta.get_field(field).storage.delete(name)
        raise


def _discard_other_attempts(run):
    """Files an earlier attempt saved before it was killed: never attached,
    so nothing refers to them."""
    storage = ReportRun._meta.get_field("pdf_file").storage
    current = f"attempt-{run.attempts}"
    try:
        attempts, _ = storage.listdir(_attempt_folder(run))
    except FileNotFoundError:
        return
    for attempt in attempts:
        if attempt == current:
            continue
        folder = f"{_attempt_folder(run)}/{attempt}"
        for name in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{name}")
