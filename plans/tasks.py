from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from areas.models import Area

from . import reminders, services


@shared_task(name="plans.tasks.reminders_send_daily")
def reminders_send_daily() -> int:
    """Email each person one digest of the updates they have due or overdue,
    at most once a day (run daily by beat). Safe to run twice: returns the
    number of emails sent by this run.

    "Sent today" is a ReminderSent(user, date) row claimed before sending
    (plans.services.reminder_claim): it survives restarts and a flushed
    cache, and two workers cannot both claim it.
    """
    today = timezone.localdate()
    sent = 0
    for digest in reminders.reminder_digests(areas=Area.objects.order_by("pk"), today=today):
        person = digest.person
        count = len(digest.items) + len(digest.copied)
        if not services.reminder_claim(user=person, day=today, item_count=count):
            continue
        email = reminders.reminder_email(digest, today=today)
        try:
            send_mail(email["subject"], email["body"], None, email["to"])
        except Exception:
            # Not sent: give the claim back so that a retry or the next run can send it.
            services.reminder_release(user=person, day=today)
            raise
        sent += 1
    return sent
