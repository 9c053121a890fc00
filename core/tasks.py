from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .background import work_sweep
from .models import User


@shared_task(name="core.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    """Delete expired sessions (run daily by beat). Safe to run twice."""
    from .services import sessions_expired_delete  # core.services queues this module's tasks

    return sessions_expired_delete()


@shared_task(name="core.tasks.background_work_sweep", acks_late=False)
def background_work_sweep() -> dict[str, int]:
    """Re-enqueue claimed work whose worker crashed (run by beat every
    BACKGROUND_SWEEP_SECONDS). Safe to run twice: a second sweep finds the
    work queued."""
    return work_sweep()


@shared_task(name="core.tasks.sign_in_failures_alert_send")
def sign_in_failures_alert_send(*, user_id: int, failures: int) -> bool:
    """Tell an account's owner that someone keeps failing to sign in as them.
    core.services sends it at most once a throttle window per account."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {
        "user": user,
        "failures": failures,
        "minutes": settings.SIGN_IN_THROTTLE_WINDOW_SECONDS // 60,
        "service_name": settings.SERVICE_NAME,
    }
    send_mail(
        subject=f"Failed attempts to sign in to your {settings.SERVICE_NAME} account",
        message=render_to_string("core/email/sign_in_failures.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
