"""Browser tests: Playwright drives Debian's Chromium against live_server.

Playwright's sync API runs an event loop in the test thread, so Django's
async-safety guard would refuse ORM calls made by the test itself.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from core.models import User
from core.services import authenticator_for
from tests.factories import TEST_PASSWORD, AuthenticatorFactory, authenticator_code

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    def check(page):
        results = axe.run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not serious, f"{page.url}:\n" + "\n".join(serious)
        return results

    return check


def enter_password(page, base_url, email, password=TEST_PASSWORD):
    """The first step of signing in; returns the authenticator whose code
    the next page asks for (set up here for a user whose role needs a
    second factor and who has none), or None."""
    user = User.objects.get(email=email)
    device = None
    if user.second_factor_required:
        device = authenticator_for(user) or AuthenticatorFactory(user=user)
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return device


def enter_code(page, device):
    page.get_by_label("Code", exact=True).fill(authenticator_code(device))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in(live_server):
    """Sign in through the pages: the password, then for a user whose role
    needs a second factor the code from an authenticator app."""

    def do_sign_in(page, email, password=TEST_PASSWORD):
        device = enter_password(page, live_server.url, email, password)
        if device is not None:
            enter_code(page, device)
        page.wait_for_url(f"{live_server.url}/home/")

    return do_sign_in


@pytest.fixture
def csp_violations(page):
    """Console errors the Content-Security-Policy raised on the page."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors
