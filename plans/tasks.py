from celery import shared_task
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

from areas.models import Area

from . import reminders

# A reminder key lives long enough to cover the whole day it is for.
REMINDER_KEY_TIMEOUT = 2 * 24 * 60 * 60


def reminder_sent_key(user_id, day):
    return f"plans:reminder-sent:{user_id}:{day.isoformat()}"


@shared_task(name="plans.tasks.reminders_send_daily")
def reminders_send_daily() -> int:
    """Email each person one digest of the updates they have due or overdue,
    at most once a day (run daily by beat). Safe to run twice: returns the
    number of emails sent by this run.

    "Sent today" is a cache key claimed with cache.add, which is atomic in
    Redis, so two workers cannot both send. A lost cache (Redis flushed)
    would allow a second email that day; a unique ReminderSent(user, date)
    row would make that impossible if it ever matters.
    """
    today = timezone.localdate()
    sent = 0
    for digest in reminders.reminder_digests(areas=Area.objects.order_by("pk"), today=today):
        key = reminder_sent_key(digest.person.pk, today)
        if not cache.add(key, True, timeout=REMINDER_KEY_TIMEOUT):
            continue
        email = reminders.reminder_email(digest, today=today)
        try:
            send_mail(email["subject"], email["body"], None, email["to"])
        except Exception:
            # Not sent: free the claim so that a retry or the next run can send it.
            cache.delete(key)
            raise
        sent += 1
    return sent
