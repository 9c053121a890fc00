"""A real Celery worker, started as its own process against Redis and the
test database, runs a task the app enqueues."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from config.celery import app
from core.tasks import sessions_clear_expired

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue(transactional_db):
    """Start a worker on a queue of its own; stop it after the test."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # Test settings run tasks eagerly; this test sends them through Redis.
    assert app.conf.broker_url == settings.REDIS_URL
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        if worker.returncode not in (0, -15):
            print(output.decode(errors="replace"))


@pytest.mark.worker
def test_worker_runs_an_enqueued_task_against_redis(worker_queue):
    now = timezone.now()
    for n in range(3):
        Session.objects.create(
            session_key=f"expired{n}", session_data="", expire_date=now - timedelta(days=1)
        )
    Session.objects.create(
        session_key="current", session_data="", expire_date=now + timedelta(hours=1)
    )

    result = sessions_clear_expired.apply_async(queue=worker_queue)
    assert result.get(timeout=60) == 3
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
