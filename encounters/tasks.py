"""Celery tasks: thin, take ids, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="encounters.tasks.attendance_upload_run", acks_late=True)
def attendance_upload_run(upload_id: int) -> bool:
    return services.attendance_upload_process(upload_id=upload_id)


@shared_task(name="encounters.tasks.pupils_remove_expired")
def pupils_remove_expired() -> int:
    """Run daily by beat: remove pupils who left longer ago than the
    retention period."""
    return services.pupils_remove_expired()
