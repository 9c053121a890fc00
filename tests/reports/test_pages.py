"""The reports pages, scoped like the area: every role in its own scope and
in another, generating, the progress page, the status JSON and downloads."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core import ees
from core.ees import unzipped
from core.models import Role
from reports.models import ReportRun, ReportStatus, ReportTrigger
from reports.snapshot import report_snapshot
from tests.ees.screener import screen
from tests.factories import UserFactory

from .factories import report_run

pytestmark = pytest.mark.django_db

READERS = [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR]


@pytest.fixture
def runs(area, other_area):
    return {
        "own": report_run(area, status=ReportStatus.SUCCEEDED),
        "other": report_run(other_area, status=ReportStatus.SUCCEEDED),
    }


@pytest.fixture
def enqueued(monkeypatch):
    from reports.tasks import report_generate

    sent = []
    monkeypatch.setattr(report_generate, "apply_async", lambda args, task_id: sent.append(args))
    return sent


def _urls(run):
    kwargs = {"slug": run.area.slug, "pk": run.pk}
    return {
        name: reverse(f"reports:{name}", kwargs=kwargs)
        for name in ("run", "status", "pdf", "html", "zip", "json")
    } | {
        "list": reverse("reports:list", kwargs={"slug": run.area.slug}),
        "data": reverse("reports:data", kwargs={**kwargs, "data_set": f"{run.file_stem}-spend"}),
        "meta": reverse("reports:meta", kwargs={**kwargs, "data_set": f"{run.file_stem}-spend"}),
    }


@pytest.mark.parametrize("role", READERS)
def test_readers_see_their_areas_reports(client, users, runs, role):
    client.force_login(users[role])
    for name, url in _urls(runs["own"]).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_area_roles_get_404_for_another_areas_reports(client, users, runs, role):
    client.force_login(users[role])
    for name, url in _urls(runs["other"]).items():
        assert client.get(url).status_code == 404, name
    # Nor through their own area's address.
    own_slug = runs["own"].area.slug
    assert client.get(f"/areas/{own_slug}/reports/{runs['other'].pk}/").status_code == 404
    assert client.get(f"/areas/{own_slug}/reports/{runs['other'].pk}/report.pdf").status_code == 404


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_dfe_staff_and_administrators_see_every_areas_reports(client, users, runs, role):
    client.force_login(users[role])
    for name, url in _urls(runs["other"]).items():
        assert client.get(url).status_code == 200, name


def test_school_staff_get_404_even_for_their_schools_area(client, users, runs):
    client.force_login(users[Role.SCHOOL_STAFF])
    for name, url in _urls(runs["own"]).items():
        assert client.get(url).status_code == 404, name


def test_the_list_shows_only_the_areas_runs_with_status_period_requester_and_downloads(
    client, users, area, other_area
):
    lead = users[Role.AREA_LEAD]
    ready = report_run(area, status=ReportStatus.SUCCEEDED, requested_by=lead)
    waiting = report_run(area, period=(date(2019, 9, 1), date(2019, 9, 30)))
    elsewhere = report_run(other_area, status=ReportStatus.SUCCEEDED)
    client.force_login(users[Role.BOARD_MEMBER])
    response = client.get(reverse("reports:list", kwargs={"slug": area.slug}))
    html = response.content.decode()
    assert list(response.context["runs"]) == [waiting, ready]
    assert reverse("reports:pdf", kwargs={"slug": area.slug, "pk": ready.pk}) in html
    assert reverse("reports:pdf", kwargs={"slug": area.slug, "pk": waiting.pk}) not in html
    assert f"/reports/{elsewhere.pk}/" not in html
    assert lead.get_full_name() in html
    assert "Monthly schedule" in html
    assert "Ready" in html
    assert "Waiting to start" in html
    # Board members may read but not generate.
    assert "Generate report now" not in html


@pytest.mark.parametrize("role", [Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_leads_dfe_staff_and_administrators_generate_a_report(
    client, users, area, role, enqueued, django_capture_on_commit_callbacks
):
    client.force_login(users[role])
    assert "Generate report now" in client.get(f"/areas/{area.slug}/reports/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/areas/{area.slug}/reports/generate/")
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/reports/{run.pk}/"
    assert run.requested_by == users[role]
    assert run.trigger == ReportTrigger.ON_DEMAND
    assert enqueued == [[run.pk]]


def test_board_members_may_not_generate(client, users, area, enqueued):
    client.force_login(users[Role.BOARD_MEMBER])
    assert client.post(f"/areas/{area.slug}/reports/generate/").status_code == 403
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("role", [Role.AREA_LEAD, Role.BOARD_MEMBER])
def test_area_roles_cannot_generate_for_another_area(client, users, other_area, role, enqueued):
    client.force_login(users[role])
    assert client.post(f"/areas/{other_area.slug}/reports/generate/").status_code == 404
    assert not ReportRun.objects.exists()


def test_school_staff_cannot_generate(client, users, area, enqueued):
    client.force_login(users[Role.SCHOOL_STAFF])
    assert client.post(f"/areas/{area.slug}/reports/generate/").status_code == 404
    assert not ReportRun.objects.exists()


def test_generating_is_post_only(client, users, area):
    client.force_login(users[Role.AREA_LEAD])
    assert client.get(f"/areas/{area.slug}/reports/generate/").status_code == 405


def test_generating_again_while_one_is_running_shows_that_one(
    client, users, area, enqueued, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.AREA_LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/areas/{area.slug}/reports/generate/")
        second = client.post(f"/areas/{area.slug}/reports/generate/", follow=True)
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already being generated" in second.content.decode()
    assert ReportRun.objects.count() == 1
    assert len(enqueued) == 1


def test_the_progress_page_refreshes_itself_without_javascript(client, users, area):
    run = report_run(area, status=ReportStatus.RUNNING, progress=40)
    client.force_login(users[Role.AREA_LEAD])
    html = client.get(f"/areas/{area.slug}/reports/{run.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert 'src="/static/reports/report-progress.mjs"' in html
    assert 'data-report-status-url="/areas/blackpool/reports/' in html
    assert "Generating: 40% done." in html
    assert (
        '<progress class="app-report-status__progress" id="report-progress" max="100" value="40">'
        in html
    )
    assert "Refresh this page" in html


def test_a_finished_report_page_no_longer_refreshes_and_offers_the_files(client, users, area):
    run = report_run(area, status=ReportStatus.SUCCEEDED)
    client.force_login(users[Role.BOARD_MEMBER])
    html = client.get(f"/areas/{area.slug}/reports/{run.pk}/").content.decode()
    assert "refresh" not in html.split("</head>")[0]
    assert "Your report is ready" in html
    assert "Download the report as a PDF" in html


def test_what_went_wrong_is_shown_to_administrators_only(client, users, area):
    run = report_run(area, status=ReportStatus.FAILED, error_message="ValueError: bad chart")
    client.force_login(users[Role.AREA_LEAD])
    html = client.get(f"/areas/{area.slug}/reports/{run.pk}/").content.decode()
    assert "could not be generated" in html
    assert "bad chart" not in html
    assert "Generate report now" in html
    client.force_login(users[Role.ADMINISTRATOR])
    assert "bad chart" in client.get(f"/areas/{area.slug}/reports/{run.pk}/").content.decode()


def test_the_status_json(client, users, area):
    run = report_run(area, status=ReportStatus.RUNNING, progress=55)
    client.force_login(users[Role.BOARD_MEMBER])
    response = client.get(f"/areas/{area.slug}/reports/{run.pk}/status.json")
    assert response.json() == {
        "status": "running",
        "status_label": "Generating",
        "progress": 55,
        "finished": False,
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "status", [ReportStatus.PENDING, ReportStatus.RUNNING, ReportStatus.FAILED]
)
def test_no_downloads_until_the_report_is_ready(client, users, area, status):
    run = report_run(area, status=status)
    client.force_login(users[Role.AREA_LEAD])
    for kind in ("pdf", "html", "zip", "json"):
        assert client.get(f"/areas/{area.slug}/reports/{run.pk}/report.{kind}").status_code == 404
    stem = f"/areas/{area.slug}/reports/{run.pk}/data/{run.file_stem}-spend"
    assert client.get(f"{stem}.csv").status_code == 404
    assert client.get(f"{stem}.meta.csv").status_code == 404


@pytest.mark.parametrize(
    ("kind", "content_type", "disposition"),
    [
        ("pdf", "application/pdf", "attachment"),
        ("html", "text/html; charset=utf-8", "inline"),
        ("zip", "application/zip", "attachment"),
        ("json", "application/json", "attachment"),
    ],
)
def test_downloads(client, users, area, kind, content_type, disposition):
    run = report_run(area, status=ReportStatus.SUCCEEDED)
    client.force_login(users[Role.DFE_STAFF])
    response = client.get(f"/areas/{area.slug}/reports/{run.pk}/report.{kind}")
    assert response["Content-Type"] == content_type
    name = "blackpool-progress-report-2019-10-01-to-2019-10-15" + (
        "-data.zip" if kind == "zip" else f".{kind}"
    )
    assert response["Content-Disposition"] == f'{disposition}; filename="{name}"'
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_page_query_budget(client, users, area, count, django_assert_max_num_queries):
    lead = users[Role.AREA_LEAD]
    for month in range(count):
        year, month_number = 2017 + month // 12, month % 12 + 1
        report_run(
            area,
            status=ReportStatus.SUCCEEDED,
            requested_by=UserFactory(role=Role.AREA_LEAD, area=area) if month % 2 else lead,
            period=(date(year, month_number, 1), date(year, month_number, 28)),
        )
    client.force_login(lead)
    with django_assert_max_num_queries(10):
        assert client.get(f"/areas/{area.slug}/reports/").status_code == 200


def test_a_run_from_before_open_data_offers_its_data_sets_from_its_snapshot(
    client, users, area, area_data
):
    """Runs generated before ADR 0010 stored one CSV, not an EES data set,
    and a snapshot coding the area by its slug, without schools' laestab:
    their open data is rendered from the snapshot, screened like any other."""
    run = report_run(area, status=ReportStatus.SUCCEEDED)
    snapshot = report_snapshot(
        area=area,
        period_start=run.period_start,
        period_end=run.period_end,
        generated_at=timezone.now(),
    )
    assert snapshot["encounters"]["schools"]
    snapshot["area"]["code"] = area.slug
    for school in snapshot["encounters"]["schools"]:
        for field in ("laestab", "la_code", "new_la_code", "la_name"):
            school.pop(field)
    ReportRun.objects.filter(pk=run.pk).update(
        csv_file=default_storage.save("reports/test/old.csv", ContentFile(b"time_period\r\n")),
        snapshot_file=default_storage.save(
            "reports/test/old.json", ContentFile(json.dumps(snapshot).encode())
        ),
    )
    client.force_login(users[Role.AREA_LEAD])
    page = client.get(f"/areas/{area.slug}/reports/{run.pk}/")
    assert page.status_code == 200
    assert page.context["data_sets"]
    response = client.get(f"/areas/{area.slug}/reports/{run.pk}/report.zip")
    assert response.status_code == 200
    files = unzipped(response.content)
    assert ees.DATA_GUIDANCE in files
    for name in ees.data_file_names(files):
        meta = files[name.removesuffix(".csv") + ".meta.csv"]
        result = screen(files[name], meta, data_name=name)
        assert result.passed, f"{name}:\n{result}"
        codes = {
            row["opportunity_area_code"]
            for row in csv.DictReader(io.StringIO(files[name].decode("utf-8-sig")))
        }
        assert codes <= {area.code, ""}


def test_a_run_whose_snapshot_is_not_a_report_offers_no_data_sets(client, users, area):
    run = report_run(area, status=ReportStatus.SUCCEEDED)  # its snapshot file is "{}"
    name = default_storage.save("reports/test/old.csv", ContentFile(b"time_period\r\n"))
    ReportRun.objects.filter(pk=run.pk).update(csv_file=name)
    client.force_login(users[Role.AREA_LEAD])
    page = client.get(f"/areas/{area.slug}/reports/{run.pk}/")
    assert page.status_code == 200
    assert page.context["data_sets"] == []
    assert client.get(f"/areas/{area.slug}/reports/{run.pk}/report.zip").status_code == 404
