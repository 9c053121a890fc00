"""An area lead imports an EES file with a preview (issue 15 acceptance,
the import part); axe on the upload, choose-and-preview and result pages."""

import pytest
from playwright.sync_api import expect

from core.models import Role
from plans.models import ComparatorSeries
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with
from tests.plans.test_comparator_imports import EES_FILE, META_FILE

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_area_lead_imports_an_ees_file_after_a_preview(
    page, live_server, sign_in, assert_accessible, reference_areas, csp_violations
):
    blackpool = reference_areas["blackpool"]
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    published_plan_with(blackpool, user=lead)

    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/plan/")
    page.get_by_role("link", name="Import comparator series").click()
    assert_accessible(page)

    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the EES data file")
    assert_accessible(page)

    page.get_by_label("EES data file").set_input_files(
        files=[{"name": "gld.csv", "mimeType": "text/csv", "buffer": EES_FILE.encode()}]
    )
    page.get_by_label("Metadata file (optional)").set_input_files(
        files=[{"name": "gld.meta.csv", "mimeType": "text/csv", "buffer": META_FILE.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/comparators/import/choose/")
    # Only the lead's own local authority is offered.
    expect(page.get_by_label("Local authority: Blackpool (E06000009)")).to_be_visible()
    expect(page.get_by_text("East Sussex")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Percentage reaching a good level of development (pt_gld)").check()
    page.get_by_label("Local authority: Blackpool (E06000009)").check()
    page.get_by_role("button", name="Show what will be imported").click()
    preview = page.get_by_role("table").first
    expect(preview).to_contain_text("66.200")
    expect(preview).to_contain_text("not available")
    assert_accessible(page)
    assert not ComparatorSeries.objects.exists()

    page.get_by_role("button", name="Import these figures").click()
    page.wait_for_url("**/comparators/imports/*/")
    expect(page.get_by_text("Comparator figures imported: 2 new")).to_be_visible()
    assert_accessible(page)
    series = ComparatorSeries.objects.get()
    assert series.geography == "Blackpool"
    assert [v.shown for v in series.values.order_by("date")] == ["66.200", "x"]
    assert csp_violations == []
