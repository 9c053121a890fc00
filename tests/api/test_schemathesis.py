"""Property-based tests of every API operation, in process (WSGI), signed in
with a token as each role: no server errors, and every response (status,
content type, headers, body) conforms to the OpenAPI document. Bodies are
checked with a strict OpenAPI 3.0 validator (tests/api/strict_openapi.py),
not schemathesis's own, which reads ``nullable`` more loosely than the
standard.

One test per role and operation. The document is loaded once, through the
API itself (``from_wsgi``); each test then draws a few valid and a few
invalid requests for its operation. Examples are few so the suite stays
fast; over many runs Hypothesis draws different ones. Drawn ids rarely name
a row, so each GET is also called once for rows of the own area (a cohort
with encounters, finished and unfinished report runs among them): every
kind of body, nulls included, is checked for every role.

(schemathesis.pytest.from_fixture would do the looping, but its pytest
plugin does not run under pytest 9.2, hence the explicit loop.)
"""

import re
from datetime import date

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
    status_code_conformance,
)

from config.api_urls import router
from config.wsgi import application
from core import tokens as core_tokens
from core.models import Role
from reports.models import ReportStatus
from tests.api.strict_openapi import response_errors
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.reports.factories import report_run

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10


@schemathesis.check
def strict_openapi_30_body(ctx, response, case):
    """The body conforms to its documented schema under OpenAPI 3.0's rules."""
    content_type = (response.headers.get("content-type") or [""])[0]
    errors = response_errors(
        case.operation.schema.raw_schema,
        case.operation.path,
        case.operation.method,
        response.status_code,
        content_type,
        response.content,
    )
    if errors:
        raise AssertionError(
            "The body does not conform to the OpenAPI 3.0 schema:\n" + "\n".join(errors)
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    strict_openapi_30_body,
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


@pytest.fixture
def own_rows(world, area, school):
    """{router basename: a row of the own area} for every kind of resource."""
    pupils = PupilFactory.create_batch(12, school=school, year_group=9)
    pupils += PupilFactory.create_batch(6, school=school, year_group=10, disadvantaged=True)
    encounter = EncounterFactory(school=school, date=date.today())
    attend(encounter, pupils[:8])
    run = report_run(area, status=ReportStatus.SUCCEEDED)
    report_run(area, status=ReportStatus.PENDING, period=(date(2019, 11, 1), date(2019, 11, 15)))
    return {
        **world.own.rows,
        "pupil": pupils[0],
        "encounter": encounter,
        "encounter-type": encounter.encounter_type,
        "area-coverage": area,
        "school-coverage": school,
        "report-run": run,
    }


def _known_case(operation, path, own_rows):
    """The GET operation called for a row of the own area (lists: unfiltered)."""
    parameters = re.findall(r"{(\w+)}", path)
    if not parameters:
        return operation.Case()
    (parameter,) = parameters
    prefix = path.removeprefix("/api/v1/").rsplit("/", 2)[0]
    basename = next(name for known, _, name in router.registry if known == prefix)
    row = own_rows[basename]
    return operation.Case(
        path_parameters={parameter: getattr(row, "pk" if parameter == "id" else parameter)}
    )


def test_every_operation_is_tested():
    assert len(OPERATIONS) >= 30
    assert ("/api/v1/measurements/", "POST") in OPERATIONS


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_as_role(path, method, role, api_schema, tokens, own_rows, monkeypatch):
    # Many requests with one token; the throttle has a test of its own.
    monkeypatch.setattr(core_tokens.ApiTokenRateThrottle, "rate", "100000/hour", raising=False)
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    operation = api_schema[path][method]
    if method == "GET":
        _known_case(operation, path, own_rows).call_and_validate(headers=headers, checks=CHECKS)
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
