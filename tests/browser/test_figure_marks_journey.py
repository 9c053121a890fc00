import subprocess

import pytest
from playwright.sync_api import expect

from core.models import Role
from plans.models import FigureStatus, Measurement
from reports import services
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_board_member_sees_a_provisional_figure_marked_on_the_plan_and_in_the_pdf(
    page, live_server, sign_in, reference_areas, tmp_path, assert_accessible
):
    blackpool = reference_areas["blackpool"]
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    member = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)
    plan = published_plan_with(blackpool, user=lead, measurements_per_indicator=2)
    indicator = plan.indicators.order_by("priority__number", "pk").first()
    latest = Measurement.objects.filter(lineage=indicator.lineage).order_by("-date").first()
    latest.status = FigureStatus.PROVISIONAL
    latest.save()
    services.report_run_request(area=blackpool, user=lead)

    sign_in(page, member.email)
    page.goto(f"{live_server.url}/areas/blackpool/plan/")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=indicator.name, exact=True)
    )
    expect(row.get_by_text("Provisional", exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/areas/blackpool/reports/")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF of the report for").first.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Once beside the indicator's latest figure, once on the in-year
    # encounter figures.
    assert text.count("Provisional") == 2
    assert "before the academic year closed" in " ".join(text.split())
