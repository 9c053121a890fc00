"""A careers lead records an encounter that meets the meaningful-encounter
criteria and sees the school's Gatsby Benchmark 5/6 draft and the pupils
still without one; the Gatsby pages pass axe-core (ADR 0025)."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from core.models import Role
from encounters.models import MeaningfulCriterion
from tests.encounters.factories import PupilFactory
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def careers_lead(transactional_db, reference_areas):
    importlib.import_module("encounters.migrations.0002_encounter_types").create_encounter_types(
        apps, None
    )
    school = SchoolFactory(area=reference_areas["blackpool"], name="Highfield Academy")
    lead = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    today = datetime.date.today()
    year10 = PupilFactory.create_batch(
        8, school=school, year_group=10, year_group_on=today, on_roll_from=datetime.date(2015, 9, 1)
    )
    return school, lead, year10


def test_a_school_sees_its_gatsby_draft_and_the_pupils_without(
    page, live_server, sign_in, assert_accessible, careers_lead, csp_violations
):
    school, lead, year10 = careers_lead
    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/schools/{school.urn}/encounters/new/")
    today = datetime.date.today()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_label("Employer talk").check()
    page.get_by_label("Title", exact=True).fill("Talk by a civil engineer")
    for criterion in MeaningfulCriterion.labels:
        page.get_by_label(criterion).check()
    for pupil in year10[:6]:
        page.get_by_label(pupil.label).check()
    assert_accessible(page)
    page.get_by_role("button", name="Record encounter").click()
    expect(page.get_by_text("Encounter recorded for 6 pupils")).to_be_visible()
    expect(page.get_by_text("All met: counts toward Gatsby Benchmark 5")).to_be_visible()

    page.goto(f"{live_server.url}/schools/{school.urn}/coverage/")
    page.get_by_role("link", name="Gatsby Benchmarks 5 and 6").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gatsby Benchmarks 5 and 6")
    benchmark_5 = page.get_by_role("table", name=re.compile("^Pupils in each year group"))
    year10_row = benchmark_5.get_by_role("row", name="Year 10")
    expect(year10_row.get_by_role("cell")).to_have_text(["8", "6", "75.0%", "2"])
    without = page.get_by_role("table", name="Pupils without a Benchmark 5 encounter")
    for pupil in year10[6:]:
        expect(without.get_by_role("link", name=pupil.label)).to_be_visible()
    expect(without.get_by_role("link", name=year10[0].label)).to_have_count(0)
    assert_accessible(page)
    assert csp_violations == []


def test_area_and_programme_gatsby_pages_pass_axe(
    page, live_server, sign_in, assert_accessible, careers_lead, reference_areas
):
    blackpool = reference_areas["blackpool"]
    board = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)
    sign_in(page, board.email)
    page.goto(f"{live_server.url}/areas/blackpool/encounters/")
    page.get_by_role("link", name="Gatsby Benchmarks 5 and 6 for Blackpool").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gatsby Benchmarks 5 and 6")
    expect(page.get_by_text("Highfield Academy")).to_have_count(2)  # on roll, Benchmark 5
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, UserFactory(role=Role.DFE_STAFF).email)
    page.goto(f"{live_server.url}/areas/blackpool/gatsby-benchmarks/")
    page.get_by_role("link", name="Gatsby Benchmarks 5 and 6 by area").click()
    expect(page.get_by_role("row", name="Blackpool").first).to_be_visible()
    assert_accessible(page)
