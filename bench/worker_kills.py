"""Benchmark: background work survives workers killed with SIGKILL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oatracker \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/worker_kills.py [--kills 20] [--reports 6] [--uploads 6]

In a throwaway database (test_<name>: every area with a published plan,
and a few schools with pupils) it asks for
progress reports and attendance uploads, runs a prefork worker (two pool
processes) and beat beside it, and kills the worker with SIGKILL at random
moments once it has started: every third kill its main process (the pool
is left behind, as when a container's main process dies), the others one
pool process. Spare workers run beside it; one takes over after a
main-process kill, and a new spare starts. Every round adds a report or an upload, so
there is always work in hand. Workers run with short limits (a 60 s hard
limit by default, with the 5 s margins and sweep of tests/workers.py, so a
65 s lease) and tests/worker_app.py, which holds each job a second midway so
that kills land inside jobs as well as between them.

Then it waits for the work to finish (at most twice the recovery bound after
the last kill) and prints:

- lost: reports not succeeded and uploads not imported;
- duplicated: jobs finished more than once (the workers' logs) or whose rows
  exist twice (more encounters or attendance rows than the file holds, or
  files of two attempts kept);
- partial: reports without all four files, files no run refers to, uploads
  whose rows do not match the file;
- recovery: for each job a kill interrupted, the time from the kill until a
  worker claimed it again, against BACKGROUND_RECOVERY_SECONDS.

Needs PostgreSQL and Redis; it uses a queue of its own.
"""

import argparse
import contextlib
import logging
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("PUPIL_HASH_KEY", "bench-only-pupil-hash-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

PUPILS_PER_UPLOAD = 30
ENCOUNTERS_PER_UPLOAD = 4
SCHOOLS = 4


def set_up_data():
    """Every area with a published plan (the reports' content), a lead, and
    a few schools with pupils (the uploads' rows)."""
    from areas.models import Area
    from core.models import Role
    from encounters.models import Pupil
    from encounters.pseudonymisation import upn_hash, upn_with_check_letter
    from tests.factories import SchoolFactory, UserFactory
    from tests.plans.factories import published_plan_with

    areas = list(Area.objects.order_by("pk"))
    lead = UserFactory(role=Role.AREA_LEAD, area=areas[0])
    for area in areas:
        published_plan_with(
            area, user=lead, priorities=2, indicators_per_priority=1, actions_per_priority=1
        )
    today = timezone.localdate()
    for n in range(SCHOOLS):
        area = areas[n % len(areas)]
        school = SchoolFactory(area=area, name=f"Kill Bench School {n}")
        Pupil.objects.bulk_create(
            Pupil(
                school=school,
                pupil_identifier=f"K{n}-{k:03d}",
                upn_hash=upn_hash(upn_with_check_letter(f"{890400118000 + n * 1000 + k:012d}")),
                year_group=9,
                year_group_on=today,
                reception_year=Pupil.derive_reception_year(9, today),
                on_roll_from=today - timedelta(days=400),
            )
            for k in range(PUPILS_PER_UPLOAD)
        )


class Workload:
    """The reports and uploads asked for, and what each should come to."""

    def __init__(self):
        from areas.models import Area
        from core.models import Role, User
        from encounters.models import Pupil

        self.areas = list(Area.objects.order_by("pk"))
        self.lead = User.objects.filter(role=Role.AREA_LEAD).first()
        self.school_pupils = {}
        for pupil in Pupil.objects.filter(on_roll_until__isnull=True).order_by("pk"):
            self.school_pupils.setdefault(pupil.school_id, []).append(pupil.pupil_identifier)
        self.schools = [
            school for school, ids in self.school_pupils.items() if len(ids) >= PUPILS_PER_UPLOAD
        ]
        self.report_ids, self.upload_ids = [], []

    def add_report(self):
        """A report of a past month, each area and month once."""
        from reports.models import ReportRun, ReportTrigger
        from reports.periods import previous_month
        from reports.services import report_run_enqueue

        n = len(self.report_ids)
        area = self.areas[n % len(self.areas)]
        month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
        for _ in range(n // len(self.areas)):
            month_end = month_end.replace(day=1) - timedelta(days=1)
        start, end = previous_month(month_end + timedelta(days=1))
        run = ReportRun.objects.create(
            area=area,
            period_start=start,
            period_end=end,
            trigger=ReportTrigger.ON_DEMAND,
            requested_by=self.lead,
        )
        report_run_enqueue(run.pk, run.task_id)
        self.report_ids.append(run.pk)

    def add_upload(self):
        """A file of its own encounters, so each import adds rows."""
        from areas.models import School
        from encounters import services

        n = len(self.upload_ids)
        school = self.schools[n % len(self.schools)]
        pupils = self.school_pupils[school][:PUPILS_PER_UPLOAD]
        day = timezone.localdate() - timedelta(days=7)
        rows = [
            f"{pupil},,{day.isoformat()},Employer talk,,Kill bench {n} talk {k}"
            for k in range(ENCOUNTERS_PER_UPLOAD)
            for pupil in pupils
        ]
        text = "Pupil identifier,UPN,Date,Type,Employer,Title\n" + "\n".join(rows) + "\n"
        upload = services.attendance_upload_create(
            school=School.objects.get(pk=school),
            user=self.lead,
            file_name=f"kill-bench-{n}.csv",
            data=text.encode(),
        )
        self.upload_ids.append(upload.pk)


def unfinished_jobs():
    from encounters.models import AttendanceUpload, UploadStatus
    from reports.models import ReportRun, ReportStatus

    reports = ReportRun.objects.filter(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING])
    uploads = AttendanceUpload.objects.filter(
        status__in=[UploadStatus.PENDING, UploadStatus.PROCESSING]
    )
    return reports.count() + uploads.count()


def job_states():
    """("report" | "upload", pk) -> (finished, claim time) of every job."""
    from encounters.models import AttendanceUpload, UploadStatus
    from reports.models import ReportRun, ReportStatus

    states = {}
    for pk, status, started in ReportRun.objects.values_list("pk", "status", "started_at"):
        states["report", pk] = (status == ReportStatus.SUCCEEDED, started)
    for pk, status, started in AttendanceUpload.objects.values_list("pk", "status", "started_at"):
        states["upload", pk] = (status == UploadStatus.DONE, started)
    return states


class RecoveryWatch:
    """For each job claimed when a worker was killed: if it is claimed
    again, how long after the kill. A job that finishes under the claim it
    had (the kill hit another process) was not interrupted."""

    def __init__(self):
        self.watching = {}  # (job, kill time) -> claim time at the kill
        self.seconds = []

    def killed(self, killed_at, states):
        for job, (finished, claimed_at) in states.items():
            if claimed_at is not None and not finished:
                self.watching[job, killed_at] = claimed_at

    def poll(self):
        if not self.watching:
            return
        states = job_states()
        reclaimed = {}
        for (job, killed_at), claimed_at in list(self.watching.items()):
            finished, now_claimed_at = states[job]
            if now_claimed_at is not None and now_claimed_at != claimed_at:
                # Claimed again: after the latest kill that found it claimed.
                latest = max(killed_at, reclaimed[job][0]) if job in reclaimed else killed_at
                reclaimed[job] = latest, now_claimed_at
            elif not finished:
                continue
            del self.watching[job, killed_at]
        for killed_at, claimed_at in reclaimed.values():
            self.seconds.append((claimed_at - killed_at).total_seconds())

    def pause(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.poll()
            time.sleep(0.25)


def completions(logs):
    """How many times each job finished, from every worker's log."""
    text = "".join(log.read_text(errors="replace") for log in logs)
    counts = Counter()
    for pk in re.findall(r"Report run (\d+) succeeded under task", text):
        counts["report", int(pk)] += 1
    for pk in re.findall(r"Attendance upload (\d+) imported under task", text):
        counts["upload", int(pk)] += 1
    return counts


def check(workload, logs, media_root):
    from encounters.models import Attendance, AttendanceUpload, Encounter, UploadStatus
    from reports.models import REPORT_FILE_FIELDS, ReportRun, ReportStatus

    lost, duplicated, partial = [], [], []
    # A job killed after its commit but before it logged finishing shows 0
    # here; its rows and status are checked below, so only more than one
    # finish is a duplicate.
    done = completions(logs)
    runs = ReportRun.objects.in_bulk(workload.report_ids)
    referred = set()
    for pk, run in runs.items():
        if run.status != ReportStatus.SUCCEEDED:
            lost.append(f"report {pk} {run.status} {run.error_message[:80]}")
            continue
        names = [getattr(run, field).name for field in REPORT_FILE_FIELDS]
        referred.update(names)
        if not all(name and (media_root / name).is_file() for name in names):
            partial.append(f"report {pk} without all four files")
        if done["report", pk] > 1:
            duplicated.append(f"report {pk} finished {done['report', pk]} times")
    stored = {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()}
    for name in sorted(stored - referred):
        run_pk = int(name.split("/")[2])
        (duplicated if runs.get(run_pk) and runs[run_pk].status == "succeeded" else partial).append(
            f"file no run refers to: {name}"
        )
    expected_attendances = PUPILS_PER_UPLOAD * ENCOUNTERS_PER_UPLOAD
    for pk, upload in AttendanceUpload.objects.in_bulk(workload.upload_ids).items():
        n = workload.upload_ids.index(pk)
        encounters = Encounter.objects.filter(title__startswith=f"Kill bench {n} talk ")
        attendances = Attendance.objects.filter(encounter__in=encounters).count()
        if encounters.count() > ENCOUNTERS_PER_UPLOAD or attendances > expected_attendances:
            duplicated.append(f"upload {pk}: {encounters.count()} encounters, {attendances} rows")
        if upload.status != UploadStatus.DONE:
            lost.append(f"upload {pk} {upload.status} {upload.error_message[:80]}")
            if attendances:
                partial.append(f"upload {pk} not imported but {attendances} rows there")
            continue
        if (upload.encounters_created, upload.attendances_created, attendances) != (
            ENCOUNTERS_PER_UPLOAD,
            expected_attendances,
            expected_attendances,
        ):
            partial.append(
                f"upload {pk}: {upload.encounters_created} encounters and "
                f"{upload.attendances_created} rows recorded, {attendances} rows there"
            )
        if done["upload", pk] > 1:
            duplicated.append(f"upload {pk} finished {done['upload', pk]} times")
    return lost, duplicated, partial


def main():  # noqa: PLR0915 - one sequence of steps, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--reports", type=int, default=6, help="reports asked for at the start")
    parser.add_argument("--uploads", type=int, default=6, help="uploads asked for at the start")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--spares", type=int, default=3, help="workers started ahead of need")
    parser.add_argument(
        "--time-limit", type=int, default=60, help="the workers' CELERY_TASK_TIME_LIMIT (s)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")
    rng = random.Random(args.seed)  # noqa: S311 - kill timing, not secrets
    logging.disable(logging.INFO)  # workers log to files

    from config.celery import app
    from encounters import services as encounter_services
    from tests.workers import start_worker_process, worker_environment, worker_settings

    work = Path(tempfile.mkdtemp(prefix="worker-kills-"))
    media_root = work / "media"
    settings.MEDIA_ROOT = media_root
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    workers, logs, orphans = [], [], []
    beat = None
    try:
        app.conf.task_always_eager = True  # the set-up's own refreshes, inline
        set_up_data()
        queue = f"worker-kills-{uuid.uuid4().hex[:12]}"
        environment = {
            **worker_environment(media_root=media_root),
            "WORKER_QUEUE": queue,
            "CELERY_TASK_TIME_LIMIT": str(args.time_limit),
        }
        lease, recovery, hard, soft = worker_settings(
            environment,
            "BACKGROUND_CLAIM_LEASE_SECONDS",
            "BACKGROUND_RECOVERY_SECONDS",
            "CELERY_TASK_TIME_LIMIT",
            "CELERY_TASK_SOFT_TIME_LIMIT",
        )
        settings.BACKGROUND_CLAIM_LEASE_SECONDS = lease
        # A message carries its sender's time limits: the workers' here.
        for task in app.tasks.values():
            task.time_limit, task.soft_time_limit = hard, soft
        app.conf.task_always_eager = False
        app.conf.task_routes = {"*": {"queue": queue}}
        # Every upload goes to the worker, however small.
        encounter_services.ATTENDANCE_ASYNC_ROWS = 0
        hold = {**environment, "WORKER_HOLD_SECONDS": "1"}

        def start_worker():
            log = work / f"worker-{len(logs)}.log"
            logs.append(log)
            worker = start_worker_process(environment=hold, log=log, pool="prefork", concurrency=2)
            workers.append(worker)
            return worker

        def wait_until_ready(worker):
            """Kills should land in jobs, not in a worker still starting."""
            deadline = time.monotonic() + 300
            while not worker.ready():
                if time.monotonic() > deadline or worker.process.poll() is not None:
                    sys.exit(f"The worker did not start; see {worker.log}")
                watch.pause(0.5)

        beat_log = work / "beat.log"
        beat = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.worker_app",
                "beat",
                "--schedule",
                str(work / "beat-schedule"),
                "--loglevel",
                "INFO",
            ],
            cwd=Path(__file__).resolve().parents[1],
            env=environment,
            stdout=beat_log.open("wb"),
            stderr=subprocess.STDOUT,
        )

        workload = Workload()
        for _ in range(args.reports):
            workload.add_report()
        for _ in range(args.uploads):
            workload.add_upload()
        print(
            f"Asked for {args.reports} reports and {args.uploads} uploads; workers have a "
            f"{lease} s lease and a recovery bound of {recovery} s "
            f"(BACKGROUND_RECOVERY_SECONDS)"
        )

        watch = RecoveryWatch()
        # Starting a worker takes minutes on a busy machine: spares start
        # early and take over, in turn, from a worker whose main process is
        # killed, and a new spare starts each time.
        worker, *spares = [start_worker() for _ in range(1 + args.spares)]
        for each in (worker, *spares):
            wait_until_ready(each)
        started = time.monotonic()
        for number in range(args.kills):
            watch.pause(rng.uniform(0.5, 4.0))
            states = job_states()
            claimed = sum(1 for finished, at in states.values() if at and not finished)
            target = "main process" if number % 3 == 0 else "pool process"
            killed_at = timezone.now()
            children = worker.pool_processes()
            if target == "pool process" and children:
                os.kill(rng.choice(children), signal.SIGKILL)
            else:
                # Its pool processes are left running, as after a real crash.
                target = "main process"
                orphans.extend(children)
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
            watch.killed(killed_at, states)
            print(f"  kill {number + 1:2}: {target}, {claimed} job(s) claimed")
            if worker.process.poll() is not None:
                worker = spares.pop(0)
                spares.append(start_worker())
                wait_until_ready(worker)
            (workload.add_report if number % 2 else workload.add_upload)()
        last_kill = time.monotonic()
        print(f"{args.kills} kills in {last_kill - started:.0f} s; waiting for the work to finish")

        deadline = last_kill + 2 * recovery + 120
        while unfinished_jobs() and time.monotonic() < deadline:
            watch.pause(1)
        watch.poll()
        finished_after = time.monotonic() - last_kill
        print(
            f"All work finished {finished_after:.0f} s after the last kill"
            if not unfinished_jobs()
            else f"Gave up waiting {finished_after:.0f} s after the last kill"
        )

        lost, duplicated, partial = check(workload, logs, media_root)
        total = len(workload.report_ids) + len(workload.upload_ids)
        print(
            f"Jobs: {len(workload.report_ids)} reports, {len(workload.upload_ids)} uploads "
            f"({total}); jobs claimed again after a kill: {len(watch.seconds)}"
        )
        for label, problems in (("lost", lost), ("duplicated", duplicated), ("partial", partial)):
            print(f"{label.capitalize()}: {len(problems)}")
            for problem in problems[:10]:
                print(f"  {problem}")

        from encounters.models import AttendanceUpload
        from reports.models import ReportRun

        if watch.seconds:
            print(
                f"Recovery (kill to the next claim of an interrupted job): median "
                f"{statistics.median(watch.seconds):.1f} s, max {max(watch.seconds):.1f} s, "
                f"bound {recovery} s"
            )
        attempts = Counter(
            list(ReportRun.objects.values_list("attempts", flat=True))
            + list(AttendanceUpload.objects.values_list("attempts", flat=True))
        )
        print("Claims per job: " + ", ".join(f"{k}: {v}" for k, v in sorted(attempts.items())))
        print(f"Worker logs in {work}")
        if lost or duplicated or partial:
            sys.exit(1)
    finally:
        for each in workers:
            if each.process.poll() is None:
                each.stop()
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if beat is not None:
            beat.terminate()
            beat.wait()
        connection.close()
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
