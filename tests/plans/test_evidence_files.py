"""Evidence files (issue 14 item 8): their link text is the name they were
uploaded with, their type and size, never the storage path; only people who
can see the update can download them."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Role
from plans.models import ActionStatus
from plans.services import action_update_log
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.7 " + b"x" * 2039  # 2,048 bytes: 2.0 KB


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def evidence(area, users):
    lead = users[Role.AREA_LEAD]
    plan = published_plan_with(area, priorities=1, actions_per_priority=1, user=lead)
    action = plan.actions.get()
    update = action_update_log(
        lineage=action.lineage,
        user=lead,
        date=date(2018, 7, 2),
        status=ActionStatus.AT_RISK,
        narrative="June's steering group minutes, with the recovery plan.",
        spend_to_date=6500,
        evidence_file=SimpleUploadedFile(
            "Steering group minutes (June).pdf", CONTENT, "application/pdf"
        ),
    )
    return action, update


def _download(area, action, update):
    return reverse(
        "plans:action-evidence",
        kwargs={
            "slug": area.slug,
            "pk": action.lineage_id,
            "update": update.pk,
            "name": update.evidence_file_name,
        },
    )


def test_the_link_reads_as_the_uploaded_name_type_and_size(evidence, area, users, client):
    action, update = evidence
    # Storage keeps its own name (no spaces or brackets), which is not what
    # the person uploading called the file.
    assert update.evidence_file_name != "Steering group minutes (June).pdf"
    client.force_login(users[Role.BOARD_MEMBER])
    page = client.get(reverse("plans:action", kwargs={"slug": area.slug, "pk": action.lineage_id}))
    html = page.content.decode()
    link = f'href="{_download(area, action, update)}" download>'
    assert f"{link}Steering group minutes (June).pdf (PDF, 2.0\xa0KB)</a>" in html
    assert f">{update.evidence_file.name}<" not in html
    assert f">{update.evidence_file_name}<" not in html


def test_the_api_names_the_file_as_uploaded(evidence, users, client):
    action, update = evidence
    client.force_login(users[Role.AREA_LEAD])
    response = client.get(f"/api/v1/action-updates/{update.pk}/")
    assert response.status_code == 200
    assert response.json()["evidence_file_name"] == "Steering group minutes (June).pdf"


@pytest.mark.parametrize(
    "role",
    [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR],
)
def test_people_who_see_the_update_download_it_under_its_uploaded_name(
    evidence, area, users, client, role
):
    action, update = evidence
    client.force_login(users[role])
    page = reverse("plans:action", kwargs={"slug": area.slug, "pk": action.lineage_id})
    assert _download(area, action, update) in client.get(page).content.decode()
    response = client.get(_download(area, action, update))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert 'filename="Steering group minutes (June).pdf"' in response["Content-Disposition"]


def test_other_scopes_get_a_404(evidence, area, other_area, other_school, client):
    action, update = evidence
    download = _download(area, action, update)
    for user in (
        UserFactory(role=Role.AREA_LEAD, area=other_area),
        UserFactory(role=Role.BOARD_MEMBER, area=other_area),
        UserFactory(role=Role.SCHOOL_STAFF, schools=[other_school]),
    ):
        client.force_login(user)
        assert client.get(download).status_code == 404, user.role
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    elsewhere = download.replace(f"/areas/{area.slug}/", f"/areas/{other_area.slug}/")
    assert client.get(elsewhere).status_code == 404
