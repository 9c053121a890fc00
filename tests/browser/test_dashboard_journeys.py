"""DfE staff compare the areas: open the dashboard, filter to wave 2, sort,
and download the CSV; the page is accessible and runs under the CSP."""

import csv
import importlib
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import expect

from core.models import Role
from dashboard.services import summaries_rebuild
from tests.dashboard.conftest import plan_with_funding, school_with_coverage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dfe(transactional_db, reference_areas):
    # Transactional tests flush the database: put the encounter types back.
    importlib.import_module("encounters.migrations.0002_encounter_types").create_encounter_types(
        apps, None
    )
    plan_with_funding(reference_areas["bradford"])
    plan_with_funding(reference_areas["derby"])
    school_with_coverage(reference_areas["doncaster"], pupils=12)
    school_with_coverage(reference_areas["ipswich"], pupils=20)
    summaries_rebuild()
    return UserFactory(role=Role.DFE_STAFF)


def _area_names(page):
    return page.locator(".app-dashboard-table tbody tr th[scope=row] a").all_inner_texts()


def test_dfe_staff_filter_sort_and_download(
    page, live_server, sign_in, dfe, assert_accessible, csp_violations
):
    sign_in(page, dfe.email)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Opportunity Areas side by side")
    assert len(_area_names(page)) == 12
    assert_accessible(page)

    page.get_by_label("Wave").select_option("2")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?wave=2&"))
    names = _area_names(page)
    assert names == [
        "Bradford",
        "Doncaster",
        "Fenland and East Cambridgeshire",
        "Hastings",
        "Ipswich",
        "Stoke-on-Trent",
    ]
    assert_accessible(page)

    page.get_by_role("link", name="Allocated (£) (funding), sort").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Allocated")
    assert _area_names(page)[0] == "Bradford"
    page.get_by_role("link", name="Secondary pupils on roll (encounters), sort").click()
    assert _area_names(page)[:2] == ["Ipswich", "Doncaster"]
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Data file \(CSV\)")).click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    # The open data is the year's whole data set, whatever the page's filters.
    all_stages = [row for row in rows if row["life_stage"] == "Total"]
    assert [row["geographic_level"] for row in all_stages] == ["Opportunity area"] * 12 + [
        "National"
    ]
    assert "Ipswich" in {row["opportunity_area_name"] for row in all_stages}
    assert csp_violations == []
