"""The Celery application.

Configuration comes from Django settings under the CELERY_ namespace, so the
same environment variables drive the web process, the worker and beat.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("oatracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
