"""The accessibility statement, privacy notice and cookies page, the feedback
and contact links, and the Permissions-Policy header on every response."""

import pytest
from django.test import Client

from core.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SERVICE_PAGES = {
    "/accessibility-statement/": "Accessibility statement for the Opportunity Area Tracker",
    "/privacy/": "Privacy notice",
    "/cookies/": "Cookies",
}


@pytest.mark.parametrize(("path", "heading"), SERVICE_PAGES.items())
def test_signed_out_visitor_reads_the_service_page(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.text


@pytest.mark.parametrize(("path", "heading"), SERVICE_PAGES.items())
def test_signed_in_user_reads_the_service_page(client, path, heading, area):
    client.force_login(UserFactory(role=Role.BOARD_MEMBER, area=area))
    response = client.get(path)
    assert response.status_code == 200
    assert heading in response.text


def test_footer_links_to_the_service_pages_and_the_contact_address(client, settings):
    settings.SERVICE_CONTACT_EMAIL = "oa-help@example.org"
    footer = client.get("/").text.split('<footer class="govuk-template__footer">')[1]
    for path in SERVICE_PAGES:
        assert f'href="{path}"' in footer
    assert 'href="mailto:oa-help@example.org"' in footer


def test_phase_banner_asks_for_feedback_by_email(client, settings):
    settings.SERVICE_CONTACT_EMAIL = "oa-help@example.org"
    page = client.get("/sign-in/").text
    banner = page.partition('<div class="govuk-phase-banner ')[2].partition("</div>")[0]
    assert (
        'href="mailto:oa-help@example.org?subject=Opportunity%20Area%20Tracker%20feedback"'
        in banner
    )
    assert "give your feedback" in banner


def test_accessibility_statement_says_how_to_ask_for_another_format(client, settings):
    settings.SERVICE_CONTACT_EMAIL = "oa-help@example.org"
    settings.SESSION_COOKIE_AGE = 20 * 60
    page = client.get("/accessibility-statement/").text
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in page
    formats = page.split("Feedback and contact information")[1].split("</p>")[0]
    assert "in a different format" in formats
    assert "mailto:oa-help@example.org" in formats
    assert "signed out after 20 minutes without activity" in page


def test_privacy_notice_quotes_the_retention_period_from_settings(client, settings):
    settings.PUPIL_RETENTION_DAYS = 400
    page = client.get("/privacy/").text
    assert "400 days after the pupil leaves the school’s roll" in page
    for fact in ("unique pupil number (UPN)", "free school meals", "Article 6(1)(e)", "ICO"):
        assert fact in page


def test_cookies_page_names_the_cookies_settings_name(client, settings):
    settings.SESSION_COOKIE_NAME = "oat_session"
    settings.CSRF_COOKIE_NAME = "oat_csrf"
    page = client.get("/cookies/").text
    assert "<code>oat_session</code>" in page
    assert "<code>oat_csrf</code>" in page
    assert "<code>messages</code>" in page
    assert "after 30 minutes without activity" in page
    assert "52 weeks" in page


def test_cookies_page_lists_every_cookie_a_signed_in_journey_sets(client, area):
    user = UserFactory(role=Role.AREA_LEAD, area=area)
    set_cookies = set()
    client.get("/sign-in/")
    set_cookies |= set(client.cookies)
    client.force_login(user)
    client.get("/home/")
    set_cookies |= set(client.cookies)
    page = client.get("/cookies/").text
    assert set_cookies >= {"sessionid", "csrftoken"}
    for name in set_cookies:
        assert f"<code>{name}</code>" in page


def _contact(response, email):
    return f'href="mailto:{email}"' in response.text


def test_error_pages_give_the_contact_address(client, settings, area, monkeypatch):
    settings.SERVICE_CONTACT_EMAIL = "oa-help@example.org"
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert _contact(not_found, "oa-help@example.org")

    client.force_login(UserFactory(role=Role.DFE_STAFF))
    forbidden = client.post(f"/areas/{area.slug}/")
    assert forbidden.status_code == 403
    assert _contact(forbidden, "oa-help@example.org")

    broken = _server_error(client, monkeypatch)
    assert broken.status_code == 500
    assert "Sorry, there is a problem with the service" in broken.text
    assert _contact(broken, "oa-help@example.org")


def _server_error(client, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the home page's summary failed")

    monkeypatch.setattr("areas.views.selectors.home_summary", fail)
    client.raise_request_exception = False
    return client.get("/home/")


def test_every_kind_of_response_carries_the_permissions_policy(settings, area, monkeypatch):
    settings.WHITENOISE_USE_FINDERS = True  # serve static_build/ as runserver would
    client = Client()
    responses = {
        "page": client.get("/"),
        "public service page": client.get("/cookies/"),
        "redirect to sign-in": client.get("/home/"),
        "health check": client.get("/healthz"),
        "API without credentials": client.get("/api/v1/areas/"),
        "static file": client.get("/static/css/application.css"),
        "not found": client.get("/no-such-page/"),
    }
    client.force_login(UserFactory(role=Role.DFE_STAFF))
    responses["API"] = client.get("/api/v1/areas/")
    responses["API not found"] = client.get("/api/v1/no-such-thing/")
    responses["forbidden"] = client.post(f"/areas/{area.slug}/")
    responses["server error"] = _server_error(client, monkeypatch)

    statuses = {kind: response.status_code for kind, response in responses.items()}
    assert statuses == {
        "page": 200,
        "public service page": 200,
        "redirect to sign-in": 302,
        "health check": 200,
        "API without credentials": 401,
        "static file": 200,
        "not found": 404,
        "API": 200,
        "API not found": 404,
        "forbidden": 403,
        "server error": 500,
    }
    for kind, response in responses.items():
        assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY, kind
    assert "camera=()" in settings.PERMISSIONS_POLICY
    assert "geolocation=()" in settings.PERMISSIONS_POLICY
