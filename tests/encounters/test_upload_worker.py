"""A large attendance upload imported by a real Celery worker
(tests/workers.py) whose worker is killed midway, with the rows inserted and
not yet committed: another worker imports the file once."""

import datetime
import re

import pytest
from django.utils import timezone

from core.models import Role
from encounters import services
from encounters.models import Attendance, AttendanceUpload, Encounter, UploadStatus
from tests.encounters.factories import PupilFactory
from tests.workers import holder_of, wait_for, wait_until_ready

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PUPILS = 3
DAYS = 4


def upload_state(upload):
    upload.refresh_from_db()
    return upload.status


def test_an_upload_whose_whole_worker_is_killed_is_imported_once_by_another_worker(
    school, users, start_worker, monkeypatch
):
    for n in range(PUPILS):
        PupilFactory(school=school, pupil_identifier=f"P{n}")
    first_day = timezone.localdate() - datetime.timedelta(days=30)
    rows = [
        f"P{n},,{first_day + datetime.timedelta(days=day)},Employer talk,,Talk {day}"
        for day in range(DAYS)
        for n in range(PUPILS)
    ]
    data = ("Pupil identifier,UPN,Date,Type,Employer,Title\n" + "\n".join(rows) + "\n").encode()
    monkeypatch.setattr(services, "ATTENDANCE_ASYNC_ROWS", len(rows) - 1)

    workers = [
        start_worker(pool="prefork", WORKER_HOLD_SECONDS=4),
        start_worker(beat=True, WORKER_HOLD_SECONDS=4),
    ]
    wait_until_ready(*workers)
    upload = services.attendance_upload_create(
        school=school, user=users[Role.SCHOOL_STAFF], file_name="year-9.csv", data=data
    )
    wait_for(
        lambda: upload_state(upload) == UploadStatus.PROCESSING,
        timeout=300,
        worker=workers[0],
        what="the import to start",
    )
    first = holder_of(upload.task_id, workers)
    [second] = [worker for worker in workers if worker is not first]
    first.kill()
    killed_at = timezone.now()
    assert Attendance.objects.count() == 0

    wait_for(
        lambda: upload_state(upload) == UploadStatus.DONE,
        timeout=start_worker.recovery_seconds + 300,
        worker=second,
        what="the other worker to import the file",
    )
    assert upload.started_at - killed_at <= datetime.timedelta(
        seconds=start_worker.recovery_seconds
    )
    assert upload.attempts == 2
    assert (upload.encounters_created, upload.attendances_created) == (DAYS, PUPILS * DAYS)
    assert Encounter.objects.filter(school=school).count() == DAYS
    assert Attendance.objects.count() == PUPILS * DAYS
    imported = rf"Attendance upload {upload.pk} imported under task"
    assert (len(re.findall(imported, first.output)), len(re.findall(imported, second.output))) == (
        0,
        1,
    )
    assert AttendanceUpload.objects.get(pk=upload.pk).payload == b""
