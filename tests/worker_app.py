"""The Celery app that the worker tests and bench/worker_kills.py start
(``celery -A tests.worker_app``): the project's own, except that

- every task goes to the queue WORKER_QUEUE, so that what these workers and
  their beat send (a sweep, work it re-enqueues) stays among them;
- with WORKER_HOLD_SECONDS set each report and each attendance import
  pauses midway, claimed and part done, so that its worker can be killed
  there."""

import os
import time
from functools import wraps

from celery import signals

from config.celery import app

__all__ = ["app"]

app.conf.task_default_queue = os.environ["WORKER_QUEUE"]


def _held(function, seconds):
    @wraps(function)
    def held(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)

    return held


@signals.worker_init.connect
def hold_work_midway(**kwargs):
    """Before the pool starts, so that prefork children inherit it."""
    seconds = float(os.environ.get("WORKER_HOLD_SECONDS", "0"))
    if not seconds:
        return
    from encounters import services as encounters
    from reports import render

    # A report with its snapshot built (40%); an import with its rows
    # inserted and not yet committed.
    render.report_files = _held(render.report_files, seconds)
    encounters.summary_refresh_run = _held(encounters.summary_refresh_run, seconds)
