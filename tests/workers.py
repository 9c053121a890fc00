"""Real Celery workers for tests: each its own process, started with the
local settings against Redis and the test database (not eager mode), on a
queue of its own that every task is routed to, with short time limits so a
killed worker's work is recovered within the test."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 600

# Every lease and timeout follows from these, as in production.
SHORT_LIMITS = {
    # Room for a report on a busy machine.
    "CELERY_TASK_TIME_LIMIT": "60",
    "BACKGROUND_CLAIM_MARGIN_SECONDS": "5",
    "BACKGROUND_SWEEP_SECONDS": "5",
}


def _database_url(db) -> str:
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_environment(*, media_root) -> dict[str, str]:
    """The workers' environment: the test database, and beside it the test
    database on the streaming replica (it streams there from the primary),
    so the workers read their aggregates as production's do."""
    environment = {
        **os.environ,
        **SHORT_LIMITS,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "PUPIL_HASH_KEY": settings.PUPIL_HASH_KEY,
    }
    environment.pop("DATABASE_REPLICA_URL", None)
    if "replica" in settings.DATABASES:
        environment["DATABASE_REPLICA_URL"] = _database_url(connections["replica"].settings_dict)
    return environment


def worker_settings(environment, *names) -> list[int]:
    """Whole-number settings as the workers see them."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(*(getattr(settings, name) for name in {names!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return [int(value) for value in output.split()]


def start_worker_process(*, environment, log, pool="solo", concurrency=1, beat_schedule=None):
    """A worker on the queue WORKER_QUEUE of ``environment``; with
    ``beat_schedule`` (a file) it runs beat too."""
    queue = environment["WORKER_QUEUE"]
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tests.worker_app",
        "worker",
        "-Q",
        queue,
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
        "--hostname",
        f"{queue}-{log.stem}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat_schedule is not None:
        command += ["--beat", "--schedule", str(beat_schedule)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    return Worker(process, log)


@pytest.fixture
def start_worker(settings, tmp_path, monkeypatch):
    """start(pool=..., concurrency=..., beat=False, **environment) -> Worker.
    ``beat`` runs beat inside the worker (its sweep every 5 s). The test
    process takes the workers' lease and time limits, so its claims and
    messages agree with theirs;
    ``start.recovery_seconds`` is the workers' BACKGROUND_RECOVERY_SECONDS."""
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    environment = {
        **worker_environment(media_root=settings.MEDIA_ROOT),
        "WORKER_QUEUE": queue,
    }
    lease, recovery_seconds, hard, soft = worker_settings(
        environment,
        "BACKGROUND_CLAIM_LEASE_SECONDS",
        "BACKGROUND_RECOVERY_SECONDS",
        "CELERY_TASK_TIME_LIMIT",
        "CELERY_TASK_SOFT_TIME_LIMIT",
    )
    settings.BACKGROUND_CLAIM_LEASE_SECONDS = lease
    # A message carries its sender's time limits: the workers' here.
    for task in app.tasks.values():
        monkeypatch.setattr(task, "time_limit", hard)
        monkeypatch.setattr(task, "soft_time_limit", soft)
    workers = []

    def start(*, pool="solo", concurrency=1, beat=False, **extra):
        number = len(workers)
        worker = start_worker_process(
            environment={**environment, **{k: str(v) for k, v in extra.items()}},
            log=tmp_path / f"worker-{number}.log",
            pool=pool,
            concurrency=concurrency,
            beat_schedule=tmp_path / f"beat-{number}" if beat else None,
        )
        workers.append(worker)
        return worker

    start.recovery_seconds = recovery_seconds
    assert app.conf.broker_url == settings.REDIS_URL
    app.conf.task_always_eager = False
    app.conf.update(task_routes={"*": {"queue": queue}})
    try:
        yield start
    finally:
        app.conf.update(task_routes=None)
        app.conf.task_always_eager = True
        for worker in workers:
            worker.stop()


class Worker:
    def __init__(self, process, log):
        self.process, self.log = process, log

    @property
    def output(self):
        return self.log.read_text(errors="replace")

    def ready(self) -> bool:
        return " ready." in self.output

    def pool_processes(self):
        """The prefork pool's child processes."""
        pid = self.process.pid
        children = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            children += [int(p) for p in (task / "children").read_text().split()]
        return children

    def kill(self):
        """SIGKILL the main process, and the pool it leaves behind."""
        children = self.pool_processes()
        self.process.kill()
        self.process.wait()
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until_ready(*workers):
    """Starting takes a while on a busy machine: wait, so that what a test
    times is the work, not the start."""
    for worker in workers:
        wait_for(worker.ready, timeout=STARTUP_SECONDS, worker=worker, what="the worker to start")


def holder_of(task_id, workers):
    """The worker that received the task."""
    return next(worker for worker in workers if task_id in worker.output)


def wait_for(condition, *, timeout, worker, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{worker.output[-5000:]}")
