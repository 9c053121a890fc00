import subprocess
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Role
from plans.models import Indicator
from reports import services
from reports.models import ReportRun, ReportStatus, ReportTrigger
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


@pytest.fixture
def lead(blackpool):
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    published_plan_with(blackpool, user=lead, measurements_per_indicator=2)
    return lead


def _waiting_run(area, user):
    today = timezone.localdate()
    return ReportRun.objects.create(
        area=area,
        period_start=date(today.year, today.month, 1),
        period_end=today,
        trigger=ReportTrigger.ON_DEMAND,
        requested_by=user,
    )


def test_area_lead_generates_a_report_and_downloads_the_pdf(
    page, live_server, sign_in, lead, tmp_path, assert_accessible, csp_violations
):
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/reports/")
    expect(page.get_by_text("No reports have been generated for Blackpool yet.")).to_be_visible()
    assert_accessible(page)

    # Tasks run in-process in the test settings, so the report is ready when
    # the progress page first shows.
    page.get_by_role("button", name="Generate report now").click()
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as a PDF").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name.startswith("blackpool-progress-report-")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Blackpool Opportunity Area" in text
    assert "Priority 1" in text

    page.get_by_role("link", name="Read the report in your browser").click()
    expect(page.get_by_role("heading", name="Blackpool Opportunity Area")).to_be_visible()
    expect(page.locator("svg#indicator-" + str(_first_indicator_lineage(lead)))).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/areas/blackpool/reports/")
    expect(page.get_by_role("table")).to_contain_text("Ready")
    expect(page.get_by_role("table")).to_contain_text(lead.get_full_name())
    assert_accessible(page)
    assert csp_violations == []


def test_the_progress_page_updates_itself(page, live_server, sign_in, lead, assert_accessible):
    run = _waiting_run(lead.area, lead)
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/reports/{run.pk}/")
    status = page.get_by_role("status")
    expect(status).to_have_text("Waiting to start.")
    expect(page.get_by_role("link", name="Refresh this page")).to_be_hidden()
    assert_accessible(page)
    page.evaluate("window.stillTheSamePage = true")

    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.RUNNING, progress=55)
    expect(status).to_have_text("Generating: 55% done.")
    expect(page.locator("progress")).to_have_attribute("value", "55")
    assert page.evaluate("window.stillTheSamePage") is True
    assert_accessible(page)

    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.PENDING, progress=0)
    services.report_run_generate(run_id=run.pk, task_id=run.task_id)
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible()
    expect(page.get_by_role("link", name="Download the report as a PDF")).to_be_visible()


def test_the_progress_page_refreshes_itself_without_javascript(browser, live_server, sign_in, lead):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    run = _waiting_run(lead.area, lead)
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/reports/{run.pk}/")
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()

    services.report_run_generate(run_id=run.pk, task_id=run.task_id)
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=15000)
    context.close()


def _first_indicator_lineage(lead):
    return (
        Indicator.objects.filter(plan__area=lead.area)
        .order_by("priority__number", "name")[0]
        .lineage_id
    )


def test_reports_pages_in_every_state_have_no_serious_accessibility_violations(
    page, live_server, sign_in, lead, assert_accessible
):
    failed = _waiting_run(lead.area, lead)
    ReportRun.objects.filter(pk=failed.pk).update(
        status=ReportStatus.FAILED, error_message="ValueError: bad chart"
    )
    running = _waiting_run(lead.area, lead)
    ReportRun.objects.filter(pk=running.pk).update(status=ReportStatus.RUNNING, progress=40)
    sign_in(page, lead.email)
    for path in (f"/areas/blackpool/reports/{failed.pk}/", "/areas/blackpool/reports/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
