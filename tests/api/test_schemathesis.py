"""Property-based tests of every API operation, in process (WSGI), signed in
with a token as each role: no server errors, and every response (status,
content type, headers, body) conforms to the OpenAPI document.

One test per role and operation. The document is loaded once, through the
API itself (``from_wsgi``); each test then draws a few valid and a few
invalid requests for its operation. Examples are few so the suite stays
fast; over many runs Hypothesis draws different ones.

(schemathesis.pytest.from_fixture would do the looping, but its pytest
plugin does not run under pytest 9.2, hence the explicit loop.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core import tokens as core_tokens
from core.models import Role

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _operations():
    document = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    )


OPERATIONS = _operations()
_loaded = {}


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app runs inside the test's transaction; Django would close
    the connection at the end of each request (the test client disconnects
    the same handlers for the same reason)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(tokens, wsgi_in_test_transaction):
    """The OpenAPI document as the API serves it, loaded once."""
    if "schema" not in _loaded:
        headers = {"Authorization": f"Bearer {tokens[Role.ADMINISTRATOR]}"}
        _loaded["schema"] = schemathesis.openapi.from_wsgi(
            "/api/schema/", application, headers=headers
        )
    return _loaded["schema"]


def test_every_operation_is_tested():
    assert len(OPERATIONS) >= 30
    assert ("/api/v1/measurements/", "POST") in OPERATIONS


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_as_role(path, method, role, api_schema, tokens, world, monkeypatch):
    # Many requests with one token; the throttle has a test of its own.
    monkeypatch.setattr(core_tokens.ApiTokenRateThrottle, "rate", "100000/hour", raising=False)
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
