"""A careers lead records an encounter for a class and sees coverage move;
every encounters page passes axe-core."""

import datetime
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from core.models import Role
from encounters.academic_years import AcademicYear
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    importlib.import_module("encounters.migrations.0002_encounter_types").create_encounter_types(
        apps, None
    )
    return reference_areas["blackpool"]


@pytest.fixture
def careers_lead(blackpool):
    school = SchoolFactory(area=blackpool, name="Highfield Academy")
    lead = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    today = datetime.date.today()
    year9 = PupilFactory.create_batch(
        30, school=school, year_group=9, year_group_on=today, on_roll_from=datetime.date(2015, 9, 1)
    )
    PupilFactory.create_batch(5, school=school, year_group=10, year_group_on=today)
    return school, lead, year9


def test_record_an_encounter_for_a_class_of_25_and_see_coverage(
    page, live_server, sign_in, careers_lead, csp_violations
):
    school, lead, year9 = careers_lead
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/schools/{school.urn}/coverage/")
    year9_row = page.get_by_role("row", name="Year 9")
    expect(year9_row.get_by_role("cell").nth(1)).to_have_text("0 (0.0%)")

    page.goto(f"{live_server.url}/schools/{school.urn}/encounters/new/")
    page.get_by_label("Year group").select_option("9")
    page.get_by_role("button", name="Show pupils").click()
    today = datetime.date.today()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("Employer talk").check()
    page.get_by_label("Title", exact=True).fill("Engineering careers talk")
    page.get_by_label("Careers & Enterprise Company").check()
    # With JavaScript: select all, then untick five pupils.
    page.get_by_label("Select all pupils shown").check()
    for pupil in year9[25:]:
        page.get_by_label(pupil.label).uncheck()
    page.get_by_role("button", name="Record encounter").click()

    expect(page.get_by_text("Encounter recorded for 25 pupils")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering careers talk")

    page.goto(f"{live_server.url}/schools/{school.urn}/coverage/")
    year9_row = page.get_by_role("row", name="Year 9")
    expect(year9_row.get_by_role("cell").nth(1)).to_have_text("25 (83.3%)")
    assert csp_violations == []


def test_encounter_pages_have_no_serious_accessibility_violations(
    page, live_server, sign_in, assert_accessible, careers_lead, blackpool, csp_violations
):
    school, lead, year9 = careers_lead
    encounter = EncounterFactory(school=school, date=AcademicYear.current().start)
    attend(encounter, year9[:10])
    sign_in(page, lead.email)
    base = f"{live_server.url}/schools/{school.urn}"
    for path in (
        "/pupils/",
        f"/pupils/{year9[0].pk}/",
        "/pupils/import/",
        "/encounters/",
        "/encounters/new/?year_group=9",
        f"/encounters/{encounter.pk}/",
        "/encounters/upload/",
        "/coverage/",
    ):
        page.goto(base + path)
        assert_accessible(page)
    page.goto(base + "/encounters/new/")
    page.get_by_role("button", name="Record encounter").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/pupils/import/")
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page)

    board = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)
    page.context.clear_cookies()
    sign_in(page, board.email)
    page.goto(f"{live_server.url}/areas/blackpool/encounters/")
    assert_accessible(page)
    assert csp_violations == []
