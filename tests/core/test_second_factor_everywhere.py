"""A DfE or administrator session that has had only the password reaches no
page, the admin site and the API included: every URL is walked as
tests/core/test_url_scoping.py walks them. Only the second-factor pages and
sign-out are open to it (ADR 0012)."""

import pytest
import yaml
from django.urls import get_resolver, resolve

from core.models import Role
from tests.core.test_url_scoping import _answers_401_signed_out, _example_path, _walk
from tests.factories import TEST_PASSWORD, AuthenticatorFactory, UserFactory

ALLOWED_BEFORE_SECOND_FACTOR = {
    "second-factor:sign-in",
    "second-factor:sign-in-recovery",
    "second-factor:set-up",
    "sign-out",
}


def _every_url():
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        yield route, name, pattern


def _allowed(pattern):
    view = getattr(pattern.callback, "view_class", None) or pattern.callback
    return getattr(view, "allowed_before_second_factor", False)


def _authenticates_for_itself(pattern):
    """API views (Django REST framework) read the session inside the view."""
    return _answers_401_signed_out(pattern) and hasattr(pattern.callback, "cls")


def test_only_the_second_factor_pages_and_sign_out_are_open_before_the_code():
    assert {name for _, name, pattern in _every_url() if _allowed(pattern)} == (
        ALLOWED_BEFORE_SECOND_FACTOR
    )


def test_the_walk_covers_the_admin_and_the_api():
    names = [name or "" for _, name, _ in _every_url()]
    assert sum(name.startswith("admin:") for name in names) >= 50
    assert sum(_authenticates_for_itself(pattern) for _, _, pattern in _every_url()) >= 20


@pytest.fixture(params=[Role.DFE_STAFF, Role.ADMINISTRATOR])
def password_only(request, client, db):
    is_admin = request.param == Role.ADMINISTRATOR
    user = UserFactory(role=request.param, is_staff=is_admin, is_superuser=is_admin)
    AuthenticatorFactory(user=user)
    client.post("/sign-in/", {"username": user.email, "password": TEST_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


WALKED = [(route, pattern) for route, name, pattern in _every_url() if not _allowed(pattern)]


@pytest.mark.parametrize(("route", "pattern"), WALKED, ids=[route or "/" for route, _ in WALKED])
def test_a_session_with_only_a_password_reaches_no_page(password_only, route, pattern):
    path = _example_path(route)
    assert resolve(path).func == pattern.callback, f"{path} does not reach {route}"
    response = password_only.get(path)
    if _authenticates_for_itself(pattern):
        assert response.status_code == 401, path
        # JSON, or YAML from the OpenAPI document's own renderer.
        assert yaml.safe_load(response.content)["code"] == "second_factor_required"
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/code/?next="), path
