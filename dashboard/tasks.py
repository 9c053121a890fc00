"""Celery tasks: thin, take ids, safe to run twice (a refresh recomputes)."""

from celery import shared_task

from . import services


@shared_task(name="dashboard.tasks.summary_refresh", acks_late=True)
def summary_refresh(
    area_id: int | None = None, school_id: int | None = None, since_year: int | None = None
) -> None:
    services.summary_refresh_run(area_id=area_id, school_id=school_id, since_year=since_year)


@shared_task(name="dashboard.tasks.summaries_rebuild")
def summaries_rebuild() -> dict:
    """Daily (statuses, overdue and stale flags move with the date) or on demand."""
    return services.summaries_rebuild()
