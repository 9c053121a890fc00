"""A DfE user sets up an authenticator app, signs out, and signs in with the
password and then a code, computed here from the key the set-up page shows
as an app would compute it."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from core.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page, live_server, email):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_dfe_user_sets_up_an_app_and_signs_in_with_it(
    page, live_server, assert_accessible, csp_violations
):
    dfe = UserFactory(role=Role.DFE_STAFF)

    _password(page, live_server, dfe.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)  # with the error summary

    key = b32decode(page.locator("#authenticator-key").inner_text().replace(" ", ""))
    page.get_by_label("Code", exact=True).fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page).to_have_url(f"{live_server.url}/home/")

    page.goto(f"{live_server.url}/account/second-factor/")
    expect(page.get_by_text("10 left")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/signed-out/")

    _password(page, live_server, dfe.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your app")
    assert_accessible(page)
    page.get_by_text("I cannot use my authenticator app").click()
    page.get_by_role("link", name="Sign in with a recovery code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a recovery code")
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()

    # The code used at set-up is spent: the app's next code (one step on).
    page.get_by_label("Code", exact=True).fill(f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/home/")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    assert csp_violations == []
