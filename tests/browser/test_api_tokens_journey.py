"""A school's data manager creates a token for their MIS, copies it, uses it,
and revokes it; the pages are accessible and the API documentation runs
under the Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(transactional_db, reference_areas):
    school = SchoolFactory(area=reference_areas["blackpool"], name="Oakfield Academy")
    return UserFactory(role=Role.SCHOOL_STAFF, schools=[school])


def test_create_use_and_revoke_a_token(
    page, live_server, sign_in, staff, assert_accessible, csp_violations
):
    sign_in(page, staff.email)
    page.goto(f"{live_server.url}/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)

    page.get_by_role("button", name="Create a token").click()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Oakfield MIS")
    page.get_by_label("In 90 days").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="API token created")).to_be_visible()
    assert_accessible(page)
    token = page.locator("#api-token").inner_text()
    assert re.fullmatch(r"oat_[0-9a-f]{8}_\S+", token)

    answer = page.request.get(
        f"{live_server.url}/api/v1/schools/", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200
    assert [school["name"] for school in answer.json()["results"]] == ["Oakfield Academy"]

    page.get_by_role("link", name="Back to your API tokens").click()
    expect(page.get_by_text(token)).to_have_count(0)
    page.get_by_role("link", name="Revoke Oakfield MIS").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_text("Token ‘Oakfield MIS’ revoked")).to_be_visible()
    expect(page.get_by_text(re.compile("^Revoked"))).to_be_visible()
    refused = page.request.get(
        f"{live_server.url}/api/v1/schools/", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status == 401
    assert csp_violations == []


def test_the_api_documentation_runs_under_the_csp(
    page, live_server, sign_in, staff, csp_violations
):
    sign_in(page, staff.email)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Opportunity Area Tracker API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/measurements/").first).to_be_visible()
    assert csp_violations == []
