from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .background import work_sweep


@shared_task(name="core.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions (run daily by beat). Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="core.tasks.background_work_sweep", acks_late=False)
def background_work_sweep() -> dict[str, int]:
    """Re-enqueue claimed work whose worker crashed (run by beat every
    BACKGROUND_SWEEP_SECONDS). Safe to run twice: a second sweep finds the
    work queued."""
    return work_sweep()
