"""The OpenAPI document: valid, with the error responses documented, served
to signed-in users; the documentation page runs from installed files under
the service's Content-Security-Policy."""

import re

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from core.models import Role

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
