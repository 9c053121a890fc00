"""Celery tasks for progress reports. Thin: they take ids and call services.
Beat runs reports_generate_monthly on the first day of each month
(CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from . import services

MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="reports.tasks.report_generate",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    serializer="json",
)
def report_generate(self, run_id: int) -> str:
    """Generate a report run's files. Safe to deliver twice (see services)."""
    try:
        outcome = services.report_run_generate(
            run_id=run_id,
            task_id=self.request.id,
            may_retry=self.request.retries < self.max_retries,
        )
    except services.TransientReportError as error:
        countdown = get_exponential_backoff_interval(
            factor=15, retries=self.request.retries, maximum=10 * 60, full_jitter=True
        )
        raise self.retry(exc=error, countdown=countdown) from error
    if outcome.retry_after is not None:
        # Our own message came back while the claim it made is fresh (its
        # worker died): try again once the claim has lapsed.
        raise self.retry(countdown=outcome.retry_after)
    return outcome.result


@shared_task(name="reports.tasks.reports_generate_monthly")
def reports_generate_monthly() -> int:
    """Last month's report for every area (run by beat on the first of the
    month). Safe to run twice: returns the number of runs created."""
    return services.reports_schedule_monthly(today=timezone.localdate())
