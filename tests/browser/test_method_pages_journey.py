"""A visitor who has not signed in reads how the service judges progress and
counts encounters, from the start page, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_signed_out_visitor_reads_the_method_pages(
    page, live_server, assert_accessible, csp_violations, settings
):
    settings.DISCLOSURE_THRESHOLD = 5
    page.goto(f"{live_server.url}/")
    assert_accessible(page)

    page.get_by_role("link", name="How we judge progress").click()
    expect(page).to_have_url(f"{live_server.url}/how-we-judge-progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How we judge progress")
    expect(page.get_by_text("We need at least two measurements after the baseline")).to_be_visible()
    table = page.get_by_role("table", name="How each measurement of Year 1 phonics would be judged")
    expect(table.get_by_role("row", name="31 July 2017")).to_contain_text("Off track")
    assert_accessible(page)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="How we count encounters and protect small numbers").click()
    expect(page).to_have_url(f"{live_server.url}/how-we-count-encounters/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How we count encounters and protect small numbers"
    )
    expect(page.get_by_text("Counts from 1 to 4 are not shown")).to_be_visible()
    expect(page.get_by_role("table", name="Pupils on roll, as published")).to_contain_text("c")
    assert_accessible(page)
    assert csp_violations == []
