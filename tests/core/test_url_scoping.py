"""Scoping is structural: every URL's view is scoped or explicitly public,
and a signed-out visitor is sent to sign-in from every page but the public
ones.

API views (Django REST framework) count as scoped when they inherit
core.api.ScopedAPIMixin and leave its get_queryset alone. They are exempt
from LoginRequiredMiddleware because a token is read inside the view, so a
request without credentials must get 401 from them instead of a redirect.
The OpenAPI document and its documentation page need sign-in but show no
scoped data; they are listed by name."""

import re

import pytest
import yaml
from django.urls import URLPattern, URLResolver, get_resolver

from core.api import ScopedAPIMixin
from core.views import ScopedViewMixin

PUBLIC_URL_NAMES = {
    "start",
    "sign-in",
    "sign-out",
    "signed-out",
    "healthz",
    "how-we-judge",
    "how-we-count",
    "accessibility",
    "privacy",
    "cookies",
    "invitation-accept",
}
SIGNED_IN_URL_NAMES = {"api-schema", "api-docs"}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = pattern.namespace or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), child_namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def _app_patterns():
    """Every URL except Django's admin, which guards itself (is_staff)."""
    return [
        (route, namespace, pattern)
        for route, namespace, pattern in _walk(get_resolver().url_patterns)
        if namespace != "admin"
    ]


def _scoping(callback):
    # Django's class-based views set view_class; DRF's viewsets only cls.
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(view_class or callback, "scoping", None), view_class


def _answers_401_signed_out(pattern):
    """Views that authenticate for themselves (DRF): exempt from the sign-in
    redirect, so they must refuse a request without credentials with 401."""
    scoping, _ = _scoping(pattern.callback)
    return scoping != "public" and getattr(pattern.callback, "login_required", True) is False


def test_there_are_urls_to_check():
    assert len(_app_patterns()) >= 9


@pytest.mark.parametrize(
    ("route", "pattern"),
    [(route, pattern) for route, _, pattern in _app_patterns()],
    ids=[route or "/" for route, _, _ in _app_patterns()],
)
def test_every_view_is_scoped_or_explicitly_public(route, pattern):
    scoping, view_class = _scoping(pattern.callback)
    if scoping == "public":
        assert pattern.name in PUBLIC_URL_NAMES, f"{route} is public but not on the public list"
        assert getattr(pattern.callback, "login_required", True) is False
    elif scoping == "signed-in":
        assert pattern.name in SIGNED_IN_URL_NAMES, f"{route} is signed-in but not on the list"
    elif view_class is not None and issubclass(view_class, ScopedAPIMixin):
        assert scoping == "scoped", route
        assert view_class.get_queryset is ScopedAPIMixin.get_queryset, (
            f"{route}: override base_queryset, not get_queryset, so scoping still applies"
        )
        assert _answers_401_signed_out(pattern), route
    else:
        assert scoping == "scoped", f"{route} is neither scoped nor public"
        assert view_class is not None, route
        assert issubclass(view_class, ScopedViewMixin), route
        assert getattr(pattern.callback, "login_required", True) is not False


def _example_path(route):
    # Router and admin routes are regular expressions: a sample value for each
    # group, the first name where a group is a choice of names (admin apps).
    route = re.sub(r"\(\?P<\w+>(\w+)(\|[\w|]+)?\)", r"\1", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("^", "").replace("$", "")
    route = re.sub(r"<slug:\w+>", "blackpool", route).replace("<int:urn>", "100000")
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [
        route
        for route, _, pattern in _app_patterns()
        if pattern.name not in PUBLIC_URL_NAMES and not _answers_401_signed_out(pattern)
    ],
)
def test_signed_out_visitor_is_sent_to_sign_in(client, route):
    path = _example_path(route)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [route for route, _, pattern in _app_patterns() if _answers_401_signed_out(pattern)]
)
def test_signed_out_api_request_is_refused_with_401(client, route):
    response = client.get(_example_path(route))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    # JSON, or YAML from the OpenAPI document's own renderer.
    assert yaml.safe_load(response.content)["code"] == "not_authenticated"


def test_there_are_api_urls_to_check():
    assert sum(_answers_401_signed_out(pattern) for _, _, pattern in _app_patterns()) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in/",
        "/signed-out/",
        "/healthz",
        "/how-we-judge-progress/",
        "/how-we-count-encounters/",
        "/accessibility-statement/",
        "/privacy/",
        "/cookies/",
    ],
)
def test_public_pages_answer_signed_out(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_sends_signed_out_visitor_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
