"""The embedded default (no REDIS_URL): a report asked for in the browser is
generated in a background thread of the web process by the same task code a
worker runs, and the request returns the progress page at once."""

import threading
import time

import pytest

from config.celery import app, in_process
from reports import services
from reports.models import ReportRun, ReportStatus

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_idle(timeout=600):
    deadline = time.monotonic() + timeout
    while in_process.unfinished():
        assert time.monotonic() < deadline, "the background thread did not finish"
        time.sleep(0.05)


@pytest.fixture
def embedded(settings):
    """Tasks run eagerly in the rest of the suite; here as `make run` runs
    them without Redis."""
    settings.BACKGROUND_IN_PROCESS = True
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        wait_until_idle()
        app.conf.task_always_eager = True


@pytest.fixture
def held_report(monkeypatch):
    """Holds each report after its snapshot until ``release`` is set."""
    started, release = threading.Event(), threading.Event()
    render = services.render.report_files

    def held(*args, **kwargs):
        started.set()
        assert release.wait(timeout=600)
        return render(*args, **kwargs)

    monkeypatch.setattr(services.render, "report_files", held)
    try:
        yield started, release
    finally:
        release.set()


def test_generate_now_returns_the_progress_page_while_the_report_runs_in_the_background(
    client, area, lead, area_data, embedded, held_report
):
    started, release = held_report
    client.force_login(lead)

    response = client.post(f"/areas/{area.slug}/reports/generate/", follow=True)

    assert response.status_code == 200
    assert started.wait(timeout=300), "the report did not start in the background"
    run = ReportRun.objects.get()
    assert response.redirect_chain == [(f"/areas/{area.slug}/reports/{run.pk}/", 302)]
    assert "This page updates every few seconds" in response.content.decode()
    assert run.status == ReportStatus.RUNNING

    release.set()
    wait_until_idle()
    page = client.get(f"/areas/{area.slug}/reports/{run.pk}/").content.decode()
    run.refresh_from_db()
    assert run.status == ReportStatus.SUCCEEDED
    assert run.attempts == 1
    assert f"/areas/{area.slug}/reports/{run.pk}/report.pdf" in page
    assert (
        client.get(f"/areas/{area.slug}/reports/{run.pk}/status.json").json()["status"]
        == ReportStatus.SUCCEEDED
    )
