"""Celery tasks: thin, take ids, safe to run twice (a refresh recomputes)."""

from celery import shared_task

from . import services


@shared_task(
    bind=True, name="dashboard.tasks.summary_refresh", acks_late=True, reject_on_worker_lost=True
)
def summary_refresh(self, refresh_id: int) -> bool:
    """Run a recorded refresh; False if another task has it."""
    if services.summary_refresh_claimed(refresh_id=refresh_id, task_id=self.request.id):
        return True
    retry_after = services.SUMMARY_REFRESHES.own_claim_lapses_in(refresh_id, self.request.id)
    if retry_after is not None:
        raise self.retry(countdown=retry_after)
    return False


@shared_task(name="dashboard.tasks.summaries_refresh_stale")
def summaries_refresh_stale() -> list[int]:
    """Hourly: queue a refresh of the areas judged before today."""
    return services.summaries_refresh_stale()


@shared_task(name="dashboard.tasks.summaries_rebuild")
def summaries_rebuild() -> dict:
    """Daily (statuses, overdue and stale flags move with the date) or on demand."""
    return services.summaries_rebuild()
