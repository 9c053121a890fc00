from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="core.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions (run daily by beat). Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
