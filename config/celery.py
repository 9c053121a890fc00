"""The Celery application.

Configuration comes from Django settings under the CELERY_ namespace, so the
same environment variables drive the web process, the worker and beat.

Without a broker (BACKGROUND_IN_PROCESS, the embedded default) a task sent
with ``delay`` or ``apply_async`` runs in a background thread of the process
that sent it, through the same task code a worker runs.
"""

import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from celery import Celery, Task
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

logger = logging.getLogger(__name__)


class InProcessRunner:
    """One background thread that runs tasks one after another (SQLite takes
    one writer at a time). It knows which tasks it has not finished, as a
    broker knows its messages."""

    def __init__(self):
        self._executor = None
        self._lock = threading.Lock()
        self._unfinished = set()

    def submit(self, task, args, kwargs, task_id):
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tasks")
            self._unfinished.add(task_id)
        return self._executor.submit(self._run, task, args, kwargs, task_id)

    def _run(self, task, args, kwargs, task_id):
        from django.db import connections

        try:
            task.apply(args=args, kwargs=kwargs, task_id=task_id, throw=False)
        except Exception:
            logger.exception("Task %s[%s] failed in-process", task.name, task_id)
        finally:
            connections.close_all()
            with self._lock:
                self._unfinished.discard(task_id)

    def unfinished(self) -> set[str]:
        with self._lock:
            return set(self._unfinished)


in_process = InProcessRunner()


class BackgroundTask(Task):
    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        if settings.BACKGROUND_IN_PROCESS and not self.app.conf.task_always_eager:
            task_id = task_id or self.app.uuid()
            in_process.submit(self, args or (), kwargs or {}, task_id)
            return self.AsyncResult(task_id)
        return super().apply_async(args, kwargs, task_id=task_id, **options)


app = Celery("oatracker", task_cls=BackgroundTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def live_task_ids() -> set[str]:
    """Tasks whose message the broker still holds: waiting in a queue, or
    delivered and not yet acknowledged (running, or waiting out a retry's
    countdown, since tasks acknowledge late). In-process, the tasks not yet
    finished. A message moving between the two Redis keys can be missed, so
    callers may enqueue work twice: every task's claim makes that harmless."""
    if settings.BACKGROUND_IN_PROCESS:
        return in_process.unfinished()
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        client = channel.client
        messages = []
        for queue in client.scan_iter(_type="LIST"):
            messages += client.lrange(queue, 0, -1)
        delivered = client.hvals(channel.unacked_key)
    ids = set()
    for raw in messages:
        ids.add(json.loads(raw)["headers"]["id"])
    for raw in delivered:
        payload, _exchange, _routing_key = json.loads(raw)
        ids.add(payload["headers"]["id"])
    return ids
