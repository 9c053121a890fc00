"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    name="encounters.tasks.attendance_upload_run",
    acks_late=True,
    reject_on_worker_lost=True,
)
def attendance_upload_run(self, upload_id: int) -> bool:
    """Import a stored upload; False if another task has it."""
    if services.attendance_upload_process(upload_id=upload_id, task_id=self.request.id):
        return True
    retry_after = services.ATTENDANCE_UPLOADS.own_claim_lapses_in(upload_id, self.request.id)
    if retry_after is not None:
        raise self.retry(countdown=retry_after)
    return False


@shared_task(name="encounters.tasks.pupils_remove_expired")
def pupils_remove_expired() -> int:
    """Run daily by beat: remove pupils who left longer ago than the
    retention period."""
    return services.pupils_remove_expired()
