"""The OpenAPI document: valid, strict OpenAPI 3.0 wherever a value may be
null, with the error responses documented, served to signed-in users; the
documentation page runs from installed files under the service's
Content-Security-Policy."""

import re
from datetime import date

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from core.models import Role
from dashboard.services import summaries_rebuild
from reports.models import ReportStatus
from tests.api.strict_openapi import response_errors
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.reports.factories import report_run

pytestmark = pytest.mark.django_db


def test_spectacular_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    assert document["openapi"].startswith("3.")


@pytest.fixture
def document(api):
    response = api(Role.BOARD_MEMBER).get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _nullable_without_a_type(node, where="#"):
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _nullable_without_a_type(item, f"{where}/{index}")
    elif isinstance(node, dict):
        if node.get("nullable") is True and "type" not in node:
            yield where
        for key, value in node.items():
            yield from _nullable_without_a_type(value, f"{where}/{key}")


def test_every_nullable_schema_has_a_type(document):
    # OpenAPI 3.0.3: nullable adds null "only if type is explicitly defined
    # within the same Schema Object"; beside allOf or oneOf it allows nothing.
    assert list(_nullable_without_a_type(document)) == []


@pytest.fixture
def rows_with_nulls(world, area, school):
    """An action update without evidence and a meeting without minutes (the
    world's own), a coverage table whose on-roll counts have no rate, and a
    report run that has no files yet."""
    pupils = PupilFactory.create_batch(10, school=school, year_group=9)
    attend(EncounterFactory(school=school, date=date.today()), pupils[:6])
    summaries_rebuild()
    report_run(area, status=ReportStatus.PENDING)


def _nulls_at(body, key):
    if isinstance(body, list):
        return sum(_nulls_at(item, key) for item in body)
    if isinstance(body, dict):
        here = int(key in body and body[key] is None)
        return here + sum(_nulls_at(value, key) for value in body.values())
    return 0


@pytest.mark.parametrize(
    ("path", "url", "nullable_field"),
    [
        ("/api/v1/action-updates/", "/api/v1/action-updates/", "evidence_url"),
        ("/api/v1/board-meetings/", "/api/v1/board-meetings/", "minutes_url"),
        ("/api/v1/coverage/areas/{slug}/", "/api/v1/coverage/areas/blackpool/", "rate"),
        ("/api/v1/report-runs/", "/api/v1/report-runs/", "files"),
    ],
)
def test_responses_holding_null_pass_a_strict_openapi_30_validator(
    document, api, area, rows_with_nulls, path, url, nullable_field
):
    assert area.slug == "blackpool"
    response = api(Role.AREA_LEAD).get(url)
    assert response.status_code == 200, response.content
    assert _nulls_at(response.json(), nullable_field) > 0
    errors = response_errors(
        document, path, "get", response.status_code, response["Content-Type"], response.content
    )
    assert errors == []


def test_every_operation_documents_its_errors_in_the_one_format(document):
    error = {"$ref": "#/components/schemas/ApiError"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("401", "403", "429"):
                assert responses[status]["content"]["application/json"]["schema"] == error, (
                    path,
                    method,
                    status,
                )
            if "{" in path or method == "get":
                assert "404" in responses, (path, method)
            if method == "post":
                assert "400" in responses, (path, method)
            assert operation["security"] == [{"apiToken": []}, {"cookieAuth": []}]


def test_writable_fields_are_named_and_read_only_ones_are_not_in_requests(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["MeasurementRequest"]["properties"]) == {
        "lineage",
        "date",
        "value",
        "status",
        "source",
        "note",
    }
    assert set(schemas["ActionUpdateRequest"]["properties"]) == {
        "lineage",
        "date",
        "status",
        "narrative",
        "spend_to_date",
        "correction_reason",
        "evidence_url",
    }
    request_schemas = {name for name in schemas if name.endswith("Request")}
    assert request_schemas == {
        "MeasurementRequest",
        "ActionUpdateRequest",
        "EncounterRequest",
        "EncounterBulkRequest",
        "ReportRunRequest",
    }


def test_the_documentation_page_uses_installed_files_under_the_csp(client, users):
    client.force_login(users[Role.BOARD_MEMBER])
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_documentation_page_sends_signed_out_visitors_to_sign_in(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
