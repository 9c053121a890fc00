"""Asking for reports and generating them: claiming, the lease, the fence,
failures that leave no files, and retries (tasks run eagerly here; the real
worker is in test_worker.py)."""

from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from config.celery import app
from reports import services
from reports.models import FinishedReportError, ReportRun, ReportStatus, ReportTrigger
from reports.periods import period_label, previous_month
from reports.tasks import report_generate

from .conftest import stored_files
from .factories import report_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Runs sent to the broker, as (run id, task id), without running them."""
    sent = []
    monkeypatch.setattr(
        report_generate,
        "apply_async",
        lambda args, task_id: sent.append((args[0], task_id)),
    )
    return sent


@pytest.fixture
def eager_retries():
    """Eager tasks that propagate errors raise Retry instead of retrying;
    without propagation Celery runs the retry at once, as a worker would later."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def pending(area, lead, report_day):
    return report_run(area, requested_by=lead, period=(date(2019, 10, 1), report_day))


def _generate(run, task_id=None, **kwargs):
    return services.report_run_generate(run_id=run.pk, task_id=task_id or run.task_id, **kwargs)


# --- Periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), "October 2026"),
        (date(2026, 11, 1), date(2026, 11, 19), "1 to 19 November 2026"),
        (date(2026, 11, 1), date(2026, 11, 1), "1 November 2026"),
        (date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
    ],
)
def test_period_labels(start, end, label):
    assert period_label(start, end) == label


def test_previous_month_crosses_the_year():
    assert previous_month(date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))


# --- The model's rules ------------------------------------------------------------


def test_a_succeeded_run_never_changes(area):
    run = report_run(area, status=ReportStatus.SUCCEEDED)
    run.error_message = "edited"
    with pytest.raises(FinishedReportError):
        run.save()
    with pytest.raises(FinishedReportError):
        run.delete()


def test_the_database_refuses_a_succeeded_run_without_every_file(area):
    run = report_run(area)
    with pytest.raises(IntegrityError):
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportStatus.SUCCEEDED,
            progress=100,
            finished_at=timezone.now(),
            pdf_file="reports/x.pdf",
        )


def test_the_database_refuses_files_on_a_run_that_has_not_succeeded(area):
    run = report_run(area)
    with pytest.raises(IntegrityError):
        ReportRun.objects.filter(pk=run.pk).update(pdf_file="reports/x.pdf")


def test_one_unfinished_run_per_area_and_period(area):
    report_run(area)
    with pytest.raises(IntegrityError):
        report_run(area, trigger=ReportTrigger.ON_DEMAND)


# --- Asking for reports ---------------------------------------------------------------


def test_asking_for_a_report_creates_a_run_of_the_month_so_far_and_enqueues_it_on_commit(
    area, lead, report_day, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run, created = services.report_run_request(area=area, user=lead)
        assert enqueued == []
    assert created
    assert (run.period_start, run.period_end) == (date(2019, 10, 1), report_day)
    assert run.status == ReportStatus.PENDING
    assert run.requested_by == lead
    assert run.trigger == ReportTrigger.ON_DEMAND
    assert enqueued == [(run.pk, run.task_id)]


def test_asking_again_while_a_run_is_unfinished_returns_that_run(
    area, lead, report_day, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.report_run_request(area=area, user=lead)
        second, created = services.report_run_request(area=area, user=lead)
    assert second == first
    assert not created
    assert len(enqueued) == 1


def test_asking_again_for_a_run_with_no_message_left_enqueues_it_again(
    area, lead, report_day, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.report_run_request(area=area, user=lead)
    # Its message was lost (the broker holds none), and long enough ago.
    ReportRun.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        second, created = services.report_run_request(area=area, user=lead)
    assert (second, created) == (first, False)
    second.refresh_from_db()
    assert second.status == ReportStatus.PENDING
    assert second.task_id != first.task_id
    assert enqueued == [(first.pk, first.task_id), (first.pk, second.task_id)]


def test_a_run_the_broker_cannot_take_fails_at_once(
    area, lead, report_day, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(report_generate, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = services.report_run_request(area=area, user=lead)
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert "could not be queued" in run.error_message


def test_the_monthly_schedule_makes_last_months_report_for_every_area_once(
    reference_areas, enqueued, django_capture_on_commit_callbacks
):
    with time_machine.travel(date(2027, 1, 1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.reports_schedule_monthly(today=date(2027, 1, 1)) == 12
        runs = ReportRun.objects.all()
        assert runs.count() == 12
        assert {(r.period_start, r.period_end) for r in runs} == {
            (date(2026, 12, 1), date(2026, 12, 31))
        }
        assert {r.trigger for r in runs} == {ReportTrigger.SCHEDULED}
        assert sorted(pk for pk, _ in enqueued) == sorted(r.pk for r in runs)

        # Run twice (beat twice, or by hand): no new runs, and the waiting
        # ones are not sent again while their messages may be on their way.
        with django_capture_on_commit_callbacks(execute=True):
            assert services.reports_schedule_monthly(today=date(2027, 1, 1)) == 0
        assert ReportRun.objects.count() == 12
        assert len(enqueued) == 12


# --- Claiming -----------------------------------------------------------------------------


def test_generating_claims_the_run_and_attaches_four_files(pending, area_data, media_root):
    outcome = _generate(pending)
    assert outcome.result == "succeeded"
    pending.refresh_from_db()
    assert pending.status == ReportStatus.SUCCEEDED
    assert pending.progress == 100
    assert pending.attempts == 1
    assert pending.started_at is not None
    assert pending.finished_at is not None
    assert pending.pdf_file.read(5) == b"%PDF-"
    assert len(stored_files(media_root)) == 4
    assert all(f"/{pending.pk}/attempt-1/" in name for name in stored_files(media_root))


def test_a_second_delivery_of_a_finished_run_does_nothing(pending, area_data, media_root):
    _generate(pending)
    files = stored_files(media_root)
    assert _generate(pending, task_id="another-delivery").result == "not claimed"
    assert _generate(pending).result == "not claimed"
    pending.refresh_from_db()
    assert pending.attempts == 1
    assert stored_files(media_root) == files


def test_a_second_delivery_while_the_run_is_held_does_nothing(pending, media_root):
    ReportRun.objects.filter(pk=pending.pk).update(
        status=ReportStatus.RUNNING, task_id="holder", started_at=timezone.now()
    )
    assert _generate(pending, task_id="duplicate").result == "not claimed"
    pending.refresh_from_db()
    assert (pending.status, pending.task_id, pending.attempts) == (
        ReportStatus.RUNNING,
        "holder",
        0,
    )
    assert stored_files(media_root) == []


def test_the_same_task_delivered_again_waits_for_its_claim_to_lapse(pending, settings):
    settings.BACKGROUND_CLAIM_LEASE_SECONDS = 610
    ReportRun.objects.filter(pk=pending.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=100)
    )
    outcome = _generate(pending)
    assert outcome.result == "wait"
    assert 500 <= outcome.retry_after <= 512


def test_a_claim_older_than_the_lease_is_taken_over(pending, area_data, media_root, settings):
    settings.BACKGROUND_CLAIM_LEASE_SECONDS = 70
    # A dead attempt's claim, and a file it saved before it was killed.
    ReportRun.objects.filter(pk=pending.pk).update(
        status=ReportStatus.RUNNING,
        task_id="dead-worker",
        attempts=1,
        started_at=timezone.now() - timedelta(seconds=71),
    )
    leftover = default_storage.save(
        f"reports/{pending.area.slug}/{pending.pk}/attempt-1/partial.pdf", ContentFile(b"%PDF")
    )

    assert _generate(pending, task_id="new-delivery").result == "succeeded"
    pending.refresh_from_db()
    assert (pending.status, pending.task_id, pending.attempts) == (
        ReportStatus.SUCCEEDED,
        "new-delivery",
        2,
    )
    assert leftover not in stored_files(media_root)
    assert len(stored_files(media_root)) == 4


def test_an_execution_that_lost_its_claim_keeps_nothing(pending, area_data, media_root):
    real = services.render.report_files

    def taken_over_while_rendering(*args, **kwargs):
        files = real(*args, **kwargs)
        ReportRun.objects.filter(pk=pending.pk).update(task_id="took-over")
        return files

    with mock.patch.object(services.render, "report_files", taken_over_while_rendering):
        assert _generate(pending).result == "lost claim"
    pending.refresh_from_db()
    assert (pending.status, pending.task_id) == (ReportStatus.RUNNING, "took-over")
    assert stored_files(media_root) == []


# --- Failures ----------------------------------------------------------------------------


def test_a_failure_records_the_error_and_leaves_no_files(pending, area_data, media_root):
    with mock.patch.object(services.render, "report_pdf", side_effect=ValueError("bad chart")):
        assert _generate(pending).result == "failed"
    pending.refresh_from_db()
    assert pending.status == ReportStatus.FAILED
    assert pending.error_message == "ValueError: bad chart"
    assert pending.finished_at is not None
    assert not any(getattr(pending, f) for f in ("html_file", "pdf_file", "csv_file"))
    assert stored_files(media_root) == []


def test_a_failure_while_saving_removes_the_files_already_saved(
    pending, area_data, media_root, monkeypatch
):
    storage = ReportRun._meta.get_field("csv_file").storage
    real_save = storage.save

    def disk_full_on_the_csv(name, content, **kwargs):
        if name.endswith("-data.zip"):
            raise OSError(28, "No space left on device")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", disk_full_on_the_csv)
    assert _generate(pending).result == "failed"
    pending.refresh_from_db()
    assert pending.status == ReportStatus.FAILED
    assert "No space left on device" in pending.error_message
    assert stored_files(media_root) == []


def test_a_report_that_runs_out_of_time_fails_with_a_plain_message(pending, area_data):
    with mock.patch.object(services, "report_snapshot", side_effect=SoftTimeLimitExceeded()):
        assert _generate(pending).result == "failed"
    pending.refresh_from_db()
    assert pending.error_message.startswith("The report took longer than")


def test_a_transient_error_releases_the_claim_for_the_retry(pending, area_data):
    with (
        mock.patch.object(services, "report_snapshot", side_effect=OperationalError("gone")),
        pytest.raises(services.TransientReportError),
    ):
        _generate(pending, may_retry=True)
    pending.refresh_from_db()
    assert (pending.status, pending.progress, pending.started_at) == (
        ReportStatus.PENDING,
        0,
        None,
    )


# --- The task ---------------------------------------------------------------------------


def test_the_task_is_late_acknowledged_json_and_killed_before_its_claim_lapses(settings):
    assert report_generate.acks_late
    assert report_generate.reject_on_worker_lost
    assert report_generate.serializer == "json"
    # The app's limits, from which the lease is made.
    assert report_generate.time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert 0 < report_generate.soft_time_limit < report_generate.time_limit
    assert report_generate.time_limit < settings.BACKGROUND_CLAIM_LEASE_SECONDS
    assert report_generate.max_retries == 5


def test_the_task_retries_transient_errors_with_backoff(
    pending, area_data, monkeypatch, eager_retries
):
    real = services.report_snapshot
    calls = []

    def database_away_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    countdowns = []
    real_retry = report_generate.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(services, "report_snapshot", database_away_once)
    monkeypatch.setattr(report_generate, "retry", recording_retry)
    result = report_generate.apply(args=[pending.pk], task_id=pending.task_id)
    assert result.get() == "succeeded"
    assert len(countdowns) == 1
    assert 0 <= countdowns[0] <= 15
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == (ReportStatus.SUCCEEDED, 2)


def test_the_task_gives_up_after_its_retries_and_records_the_error(
    pending, area_data, eager_retries
):
    with mock.patch.object(services, "report_snapshot", side_effect=OperationalError("gone")):
        result = report_generate.apply(args=[pending.pk], task_id=pending.task_id)
    assert result.get() == "failed"
    pending.refresh_from_db()
    assert pending.status == ReportStatus.FAILED
    assert pending.error_message == "OperationalError: gone"
    assert pending.attempts == report_generate.max_retries + 1
