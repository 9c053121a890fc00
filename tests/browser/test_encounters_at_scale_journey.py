"""The encounter form at the scale of a real school: a year of 300 pupils
in 10 tutor groups and 60 employers. A careers lead records an encounter
for one group in one submission, with JavaScript (the employer type-ahead)
and without it (the select and "everyone shown"); the coverage page pages
its pupils below four; the area's employer pages pass axe."""

import datetime
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from core.models import Role
from encounters.models import Encounter
from tests.encounters.factories import EmployerFactory, EncounterFactory, PupilFactory
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

GROUPS = [f"10{letter}" for letter in "ABCDEFGHJK"]


@pytest.fixture
def big_school(transactional_db, reference_areas):
    importlib.import_module("encounters.migrations.0002_encounter_types").create_encounter_types(
        apps, None
    )
    blackpool = reference_areas["blackpool"]
    school = SchoolFactory(area=blackpool, name="Highfield Academy")
    lead = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    today = datetime.date.today()
    by_group = {
        group: PupilFactory.create_batch(
            30,
            school=school,
            year_group=10,
            year_group_on=today,
            tutor_group=group,
            on_roll_from=datetime.date(2015, 9, 1),
        )
        for group in GROUPS
    }
    employers = [
        EmployerFactory(name=f"Employer {n:02d} Ltd", kind="cornerstone_employer")
        for n in range(59)
    ]
    employers.append(EmployerFactory(name="Rolls-Royce", kind="cornerstone_employer"))
    return blackpool, school, lead, by_group, employers


def fill_encounter(page, title):
    today = datetime.date.today()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("Employer talk").check()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Careers & Enterprise Company").check()


def recorded(title):
    encounter = Encounter.objects.get(title=title)
    pupils = set(encounter.attendances.values_list("pupil_id", flat=True))
    return pupils, [e.name for e in encounter.employers.all()]


def test_one_group_of_a_300_pupil_year_in_one_submission_with_javascript(
    page, live_server, sign_in, assert_accessible, big_school, csp_violations
):
    _, school, lead, by_group, _ = big_school
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/schools/{school.urn}/encounters/new/")
    page.get_by_label("Year group").select_option("10")
    page.get_by_label("Tutor or class group").select_option("10D")
    page.get_by_role("button", name="Show pupils").click()
    expect(page.locator('input[name="pupils"][type="checkbox"]')).to_have_count(30)
    assert_accessible(page)

    fill_encounter(page, "Jet engines talk")
    chooser = page.get_by_role("combobox", name="Employers (optional)")
    chooser.fill("rolls")
    suggestions = page.get_by_role("listbox", name="Matching employers")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option")).to_have_text("Rolls-Royce (cornerstone employer)")
    chooser.press("ArrowDown")
    chooser.press("Enter")
    expect(page.get_by_role("button", name="Remove Rolls-Royce")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Select all pupils shown").check()
    page.get_by_role("button", name="Record encounter").click()

    expect(page.get_by_text("Encounter recorded for 30 pupils")).to_be_visible()
    pupils, employers = recorded("Jet engines talk")
    assert pupils == {p.pk for p in by_group["10D"]}
    assert employers == ["Rolls-Royce"]
    assert csp_violations == []


def test_one_group_in_one_submission_without_javascript(browser, live_server, sign_in, big_school):
    _, school, lead, by_group, _ = big_school
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/schools/{school.urn}/encounters/new/?year_group=10&group=10H")
    expect(page.locator('input[name="pupils"][type="checkbox"]')).to_have_count(30)
    fill_encounter(page, "Bridge building workshop")
    page.get_by_label("Employers (optional)").select_option(
        label="Rolls-Royce (cornerstone employer)"
    )
    page.get_by_label("Everyone shown: 30 pupils in Year 10, in group 10H").check()
    page.get_by_role("button", name="Record encounter").click()
    expect(page.get_by_text("Encounter recorded for 30 pupils")).to_be_visible()
    pupils, employers = recorded("Bridge building workshop")
    assert pupils == {p.pk for p in by_group["10H"]}
    assert employers == ["Rolls-Royce"]
    context.close()


def test_coverage_paginates_and_employer_pages_are_accessible(
    page, live_server, sign_in, assert_accessible, big_school, csp_violations
):
    blackpool, school, lead, _, employers = big_school
    EncounterFactory(school=school, date=datetime.date.today()).employers.add(employers[-1])
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/schools/{school.urn}/coverage/")
    expect(page.get_by_text("300 pupils, showing 1 to 50")).to_be_visible()
    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next").click()
    expect(page.get_by_text("300 pupils, showing 51 to 100")).to_be_visible()
    assert_accessible(page)

    area_lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    page.context.clear_cookies()
    sign_in(page, area_lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/encounters/")
    page.get_by_role("link", name="Employers’ contribution").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Employers’ contribution")
    assert_accessible(page)
    page.get_by_role("link", name="Record an employer’s contribution").click()
    page.get_by_role("button", name="Save contribution").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Employer").select_option(label="Rolls-Royce")
    page.get_by_label("Volunteers", exact=True).fill("8")
    page.get_by_label("Volunteer hours").fill("1,200")
    page.get_by_label("Placements offered").fill("4")
    page.get_by_label("Placements taken").fill("4")
    page.get_by_label("Schools reached").fill("3")
    page.get_by_role("button", name="Save contribution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rolls-Royce")
    row = page.get_by_role("row").nth(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("1,200")
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")
    assert_accessible(page)
    assert csp_violations == []
