import pytest
from playwright.sync_api import expect

from core.models import ChangeRecord, Role
from plans.models import ActionUpdate
from tests.factories import UserFactory
from tests.plans.factories import OrganisationFactory, board_with_a_meeting, published_plan_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


def test_board_member_corrects_a_mistake_and_the_update_is_logged(
    page, live_server, sign_in, blackpool, csp_violations
):
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    member = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)
    plan = published_plan_with(blackpool, user=lead)
    action = plan.actions.first()

    sign_in(page, member.email)
    page.goto(f"{live_server.url}/areas/blackpool/plan/")
    page.get_by_role("link", name=action.title, exact=True).click()
    page.get_by_role("button", name="Log an update").click()

    page.get_by_label("At risk").check()
    page.get_by_label("What has happened since the last update?").fill(
        "Two schools dropped out; the partner is recruiting replacements."
    )
    page.get_by_label("Spend to date, in pounds").fill("twelve thousand")
    page.get_by_role("button", name="Add update").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Spend to date must be an amount of money").click()
    expect(page.get_by_label("Spend to date, in pounds")).to_be_focused()

    page.get_by_label("Spend to date, in pounds").fill("12000")
    page.get_by_role("button", name="Add update").click()

    expect(page.get_by_text("Update added to the log")).to_be_visible()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Two schools dropped out")
    history = page.get_by_role("region", name="Changes, newest first")
    expect(history).to_contain_text(member.get_full_name())
    expect(history).to_contain_text("Created")
    update = ActionUpdate.objects.get(lineage=action.lineage, author=member)
    assert str(update.spend_to_date) == "12000.00"
    assert ChangeRecord.objects.filter(object_id=update.pk, changed_by=member).exists()
    assert csp_violations == []


def test_plan_pages_have_no_serious_accessibility_violations(
    page, live_server, sign_in, assert_accessible, blackpool
):
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    plan = published_plan_with(blackpool, user=lead)
    indicator, action = plan.indicators.first(), plan.actions.first()
    board_with_a_meeting(blackpool, action.lead_organisation or OrganisationFactory())
    sign_in(page, lead.email)
    for path in (
        "/areas/blackpool/plan/",
        f"/areas/blackpool/indicators/{indicator.lineage_id}/",
        f"/areas/blackpool/indicators/{indicator.lineage_id}/measurements/new/",
        f"/areas/blackpool/actions/{action.lineage_id}/",
        f"/areas/blackpool/actions/{action.lineage_id}/updates/new/",
        "/areas/blackpool/board/",
        "/areas/blackpool/funding/",
        "/how-we-judge-progress/",
        "/areas/blackpool/plan/versions/",
        "/areas/blackpool/plan/compare/",
        "/areas/blackpool/plan/draft/",
        "/areas/blackpool/plan/import/measurements/",
        "/areas/blackpool/plan/import/actions/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.goto(f"{live_server.url}/areas/blackpool/actions/{action.lineage_id}/updates/new/")
    page.get_by_role("button", name="Add update").click()
    assert_accessible(page)
