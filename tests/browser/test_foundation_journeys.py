import pytest
from playwright.sync_api import expect

from core.models import Role
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


def test_board_member_signs_in_and_reaches_their_area(
    page, live_server, sign_in, blackpool, csp_violations
):
    school = SchoolFactory(area=blackpool, name="Oakfield Primary School")
    member = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)

    page.goto(f"{live_server.url}/areas/blackpool/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/areas/blackpool/")

    sign_in(page, member.email)
    expect(page.get_by_role("heading", name="Your area: Blackpool")).to_be_visible()
    page.get_by_role("link", name="open schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Blackpool")
    expect(page.get_by_role("link", name=school.name)).to_be_visible()
    assert csp_violations == []

    page.goto(f"{live_server.url}/areas/hastings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_sign_in_error_summary_links_to_the_field(page, live_server):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()


def test_pages_have_no_serious_accessibility_violations(
    page, live_server, sign_in, assert_accessible, blackpool, csp_violations
):
    school = SchoolFactory(area=blackpool)
    staff = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)

    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/sign-in/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)  # with the error summary

    sign_in(page, staff.email)
    for path in ("/home/", "/areas/", "/areas/blackpool/", "/schools/", f"/schools/{school.urn}/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.goto(f"{live_server.url}/areas/no-such-area/")
    assert_accessible(page)
    assert csp_violations == []
