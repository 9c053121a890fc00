"""An area lead tags an action with an evidence strand, opens the what-works
library and reaches another area's action on the same strand; an
administrator records a revised rating. axe on every evidence page."""

import datetime

import pytest
from playwright.sync_api import expect

from core.models import Role
from evidence import services
from evidence.models import ActionEvidence, StrandRating
from tests.evidence.factories import EvidenceStrandFactory
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_areas(transactional_db, reference_areas):
    blackpool, hastings = reference_areas["blackpool"], reference_areas["hastings"]
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    own = published_plan_with(blackpool, priorities=1, actions_per_priority=1, user=lead)
    other = published_plan_with(hastings, priorities=1, actions_per_priority=1)
    feedback = EvidenceStrandFactory(name="Feedback")
    EvidenceStrandFactory(name="Phonics")
    services.strand_rating_record(
        strand=feedback,
        user=None,
        impact_months=6,
        cost=1,
        evidence_strength=4,
        rated_on=datetime.date(2021, 6, 1),
    )
    other_action = other.actions.get()
    services.action_evidence_set(
        lineage=other_action.lineage, user=None, strands=[feedback], stage="sustain"
    )
    return {
        "lead": lead,
        "action": own.actions.get(),
        "other_action": other_action,
        "feedback": feedback,
    }


def test_area_lead_tags_an_action_and_reaches_another_areas_action_on_the_strand(
    page, live_server, sign_in, assert_accessible, two_areas, csp_violations
):
    action, other = two_areas["action"], two_areas["other_action"]
    sign_in(page, two_areas["lead"].email)
    page.goto(f"{live_server.url}/areas/blackpool/actions/{action.lineage_id}/")
    expect(page.get_by_text("This action is not tagged with any evidence strand.")).to_be_visible()
    page.get_by_role("link", name="Change the evidence").click()

    page.get_by_label("Feedback").check()
    page.get_by_role("button", name="Save the evidence").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Select the action's implementation stage").click()
    assert_accessible(page)
    page.get_by_label("Deliver").check()
    page.get_by_role("button", name="Save the evidence").click()

    expect(page.get_by_text("Evidence saved")).to_be_visible()
    strands = page.get_by_role("table", name="Evidence strands this action uses")
    expect(strands).to_contain_text("Feedback")
    expect(strands).to_contain_text("+6 months impact")
    assert_accessible(page)
    assert ActionEvidence.objects.get(lineage=action.lineage).stage == "deliver"

    page.get_by_role("link", name="The what-works library").click()
    page.get_by_label("Strand").select_option(label="Feedback")
    page.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table", name="Actions using Feedback")
    expect(table).to_contain_text("Blackpool")
    expect(table).to_contain_text("Hastings")
    assert_accessible(page)

    table.get_by_role("link", name=other.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(other.title)
    expect(page.get_by_text("you can read this summary but not change it")).to_be_visible()
    expect(page.get_by_text(other.owner)).to_be_visible()
    assert page.get_by_role("link", name="Change the evidence").count() == 0
    assert_accessible(page)
    assert csp_violations == []


def test_administrator_records_a_revision_and_the_lead_sees_it_flagged(
    page, live_server, sign_in, assert_accessible, two_areas
):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    feedback, other = two_areas["feedback"], two_areas["other_action"]
    sign_in(page, admin.email)
    page.goto(f"{live_server.url}/what-works/strands/")
    assert_accessible(page)
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.get_by_label("Impact, in months of additional progress").fill("8")
    page.get_by_label("Cost rating").fill("1")
    page.get_by_label("Evidence strength, in padlocks").fill("9")
    page.get_by_label("Day", exact=True).fill("15")
    page.get_by_label("Month", exact=True).fill("1")
    page.get_by_label("Year", exact=True).fill("2024")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Evidence strength must be between 0 and 5"
    )
    assert_accessible(page)
    page.get_by_label("Evidence strength, in padlocks").fill("5")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_text("Rating recorded for Feedback")).to_be_visible()
    assert StrandRating.objects.filter(strand=feedback).count() == 2

    page.goto(f"{live_server.url}/what-works/strands/import/")
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "strands.csv",
                "mimeType": "text/csv",
                "buffer": b"strand,phase\nMentoring,school\nExtra hours,early years\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("table", name="Strands in the file")).to_contain_text("Extra hours")
    assert_accessible(page)
    page.get_by_role("button", name="Import the strands").click()
    expect(page.get_by_text("Strands imported: 2 new")).to_be_visible()

    page.goto(f"{live_server.url}/areas/hastings/actions/{other.lineage_id}/")
    expect(page.get_by_text("Revised since tagged")).to_be_visible()
    expect(page.get_by_text("+8 months impact")).to_be_visible()
