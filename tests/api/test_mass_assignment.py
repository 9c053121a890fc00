"""Posting read-only or scope fields changes nothing: serializers name the
fields a client may write, and the rest (ids, authors, areas, plan content)
are set by the service or not writable at all."""

import pytest

from core.models import Role
from plans.models import ActionUpdate, Measurement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_measurement_ignores_ids_authors_and_scope_sent_with_it(api, world, users):
    other_measurement = world.other.rows["measurement"]
    other_before = Measurement.objects.filter(pk=other_measurement.pk).values().get()
    someone_else = UserFactory(role=Role.ADMINISTRATOR)
    indicator = world.own.rows["indicator"]
    response = api(Role.BOARD_MEMBER).post(
        "/api/v1/measurements/",
        {
            "lineage": indicator.lineage_id,
            "date": "2019-07-31",
            "value": "61.5",
            "status": "final",
            "id": other_measurement.pk,
            "pk": other_measurement.pk,
            "entered_by": someone_else.pk,
            "area": world.other.area.slug,
            "lineage__area": world.other.area.pk,
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.content
    created = Measurement.objects.get(pk=response.json()["id"])
    assert created.pk != other_measurement.pk
    assert created.lineage_id == indicator.lineage_id
    assert created.lineage.area == world.own.area
    assert created.entered_by == users[Role.BOARD_MEMBER]
    assert created.created_at.year > 2000
    assert Measurement.objects.filter(pk=other_measurement.pk).values().get() == other_before


def test_an_action_update_ignores_author_and_read_only_fields(api, world, users):
    action = world.own.rows["action"]
    existing = world.own.rows["action-update"]
    existing_before = ActionUpdate.objects.filter(pk=existing.pk).values().get()
    someone_else = UserFactory(role=Role.ADMINISTRATOR)
    response = api(Role.AREA_LEAD).post(
        "/api/v1/action-updates/",
        {
            "lineage": action.lineage_id,
            "date": "2019-01-31",
            "status": "at_risk",
            "narrative": "Two schools dropped out.",
            "spend_to_date": "12500.00",
            "id": existing.pk,
            "author": someone_else.pk,
            "author_name": "Someone Else",
            "evidence_file": "evidence/1/1/secret.pdf",
            "evidence_file_name": "secret.pdf",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    created = ActionUpdate.objects.get(pk=body["id"])
    assert created.pk != existing.pk
    assert created.author == users[Role.AREA_LEAD]
    assert not created.evidence_file
    assert body["evidence_file_name"] is None
    assert ActionUpdate.objects.filter(pk=existing.pk).values().get() == existing_before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_recorded_progress_cannot_be_rewritten_through_its_address(method, api, world):
    measurement = world.own.rows["measurement"]
    before = Measurement.objects.filter(pk=measurement.pk).values().get()
    response = api(Role.AREA_LEAD).request(
        method, f"/api/v1/measurements/{measurement.pk}/", {"value": "99", "lineage": 1}
    )
    assert response.status_code == 405
    assert Measurement.objects.filter(pk=measurement.pk).values().get() == before


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("plans", {"status": "published", "title": "Changed", "area": "hastings"}),
        ("indicators", {"baseline_value": "1", "plan": 1}),
        ("schools", {"area": "hastings", "name": "Changed"}),
        ("areas", {"slug": "changed", "name": "Changed"}),
    ],
)
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_plan_content_and_reference_data_are_read_only(kind, body, method, api, world):
    rows = world.own.rows
    target = {
        "plans": rows["plan"].pk,
        "indicators": rows["indicator"].pk,
        "schools": rows["school"].urn,
        "areas": rows["area"].slug,
    }[kind]
    client = api(Role.ADMINISTRATOR)
    before = client.get(f"/api/v1/{kind}/{target}/").json()
    url = f"/api/v1/{kind}/" if method == "post" else f"/api/v1/{kind}/{target}/"
    assert client.request(method, url, body).status_code == 405
    assert client.get(f"/api/v1/{kind}/{target}/").json() == before
