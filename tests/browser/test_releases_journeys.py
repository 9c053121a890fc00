"""A release before and after its publication time, seen by someone on its
pre-release list and by a board member who is not; then corrected."""

import pytest
from playwright.sync_api import expect

from core.models import Role
from releases import services
from tests.factories import UserFactory
from tests.releases.conftest import in_an_hour, last_month, publication_time_passes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


@pytest.fixture
def people(blackpool):
    return {
        "lead": UserFactory(role=Role.AREA_LEAD, area=blackpool),
        "listed": UserFactory(role=Role.BOARD_MEMBER, area=blackpool, first_name="Pat"),
        "outsider": UserFactory(role=Role.BOARD_MEMBER, area=blackpool),
    }


@pytest.fixture
def release(blackpool, people):
    start, end = last_month()
    release = services.release_prepare(
        area=blackpool,
        period_start=start,
        period_end=end,
        publish_at=in_an_hour(),
        user=people["lead"],
    )
    services.pre_release_grant(release=release, person=people["listed"], user=people["lead"])
    return release


def test_pre_release_then_publication_then_correction(
    page, live_server, sign_in, assert_accessible, people, release
):
    stable = f"{live_server.url}/releases/{release.area.slug}/{release.period_slug}/"

    sign_in(page, people["listed"].email)
    page.goto(f"{live_server.url}/releases/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Blackpool, {release.period_label}").click()
    expect(
        page.get_by_text("Pre-release access: not to be shared before publication")
    ).to_be_visible()
    expect(page.get_by_role("rowheader", name="Secondary pupils on roll")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, people["outsider"].email)
    page.goto(f"{live_server.url}/releases/")
    expect(page.get_by_text("No releases have been published yet.")).to_be_visible()
    response = page.goto(stable)
    assert response.status == 404
    page.get_by_role("button", name="Sign out").click()

    publication_time_passes(release)
    sign_in(page, people["lead"].email)
    page.goto(stable)
    page.get_by_role("link", name="Correct this release").click()
    assert_accessible(page)
    page.get_by_role("button", name="Prepare corrected version").click()
    expect(page.get_by_role("link", name="Enter what changed")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What changed").fill("Encounters recorded late at two schools added")
    page.get_by_label("Why it changed").fill("The schools sent their records after the release")
    page.get_by_label("The effect of the change").fill("Pupils with four encounters rose by 12")
    when = in_an_hour()
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year + 1))
    page.get_by_label("Publication time").fill("09:30")
    page.get_by_role("button", name="Prepare corrected version").click()
    expect(page.get_by_role("heading", name="Correction")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    correction = release.area.releases.get(version=2)
    publication_time_passes(correction)
    sign_in(page, people["outsider"].email)
    page.goto(stable)
    expect(page.get_by_text("Pupils with four encounters rose by 12")).to_be_visible()
    expect(page.get_by_text("Published", exact=True).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", name="Superseded")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Progress report (PDF) (superseded)").click()
    assert download.value.suggested_filename.endswith(".pdf")
