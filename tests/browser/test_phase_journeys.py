"""An area lead records what became of an action at a phase's end and reads
the legacy; every phase page passes axe (ADR 0024)."""

import pytest
from playwright.sync_api import expect

from core.models import Role
from plans.models import ActionPhaseOutcome
from tests.factories import UserFactory
from tests.plans.factories import OrganisationFactory
from tests.plans.phase_factories import phase_scenario

pytestmark = pytest.mark.django_db(transaction=True)


def test_area_lead_records_a_phase_outcome_and_reads_the_legacy(
    page, live_server, sign_in, assert_accessible, reference_areas, csp_violations
):
    blackpool = reference_areas["blackpool"]
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    scenario = phase_scenario(blackpool, user=lead)
    OrganisationFactory(area=blackpool, name="Blackpool Council")
    sign_in(page, lead.email)

    page.goto(f"{live_server.url}/areas/blackpool/plan/")
    page.get_by_label("Show actions of a programme phase").select_option(str(scenario.two.pk))
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Showing the actions of the Second")).to_be_visible()
    expect(page.get_by_role("link", name="Later", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Done", exact=True)).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Programme phases and their legacy").click()
    assert_accessible(page)
    page.get_by_role("link", name="Open actions at its end of the First phase").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record what happens to Mainstreamed").click()
    page.get_by_role("radio", name="Mainstreamed").check()
    page.get_by_role("button", name="Save").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose the organisation that continues the action")
    assert_accessible(page)
    page.get_by_label("Organisation that continues it").select_option(label="Blackpool Council")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Recorded what becomes of Mainstreamed")).to_be_visible()
    expect(page.get_by_role("row", name="Mainstreamed At risk")).to_contain_text(
        "by Blackpool Council"
    )
    expect(page.get_by_role("region", name="Changes, newest first")).to_contain_text("Created")
    assert_accessible(page)
    held = ActionPhaseOutcome.objects.get(lineage=scenario.actions["mainstreamed"].lineage)
    assert held.recorded_by == lead

    for years in (3, 5):
        page.goto(
            f"{live_server.url}/areas/blackpool/phases/{scenario.one.pk}/legacy/{years}-years/"
        )
        expect(page.get_by_role("heading", name=f"Legacy {years} years on")).to_be_visible()
        assert_accessible(page)

    page.goto(f"{live_server.url}/dashboard/?phase=opportunity-area")
    assert_accessible(page)
    assert csp_violations == []
