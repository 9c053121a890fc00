"""Files through an S3-compatible object store (moto's standalone server on
this machine, speaking the S3 protocol over HTTP), as production keeps them
when S3_BUCKET is set: report files and evidence round-trip through the
bucket, never touch the file system, and are served only through the app to
someone whose scope holds them."""

import socket
from datetime import date

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.storage import object_storage
from core.models import Role
from plans.models import ActionStatus
from plans.services import action_update_log
from reports import services as reports
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

from .conftest import stored_files
from .factories import report_run

pytestmark = pytest.mark.django_db

BUCKET = "oatracker-files"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, tmp_path):
    """A new private bucket as the default storage; MEDIA_ROOT points at an
    empty folder so a file written there instead would show."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-2")
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(bucket=BUCKET, endpoint_url=s3_server, region="eu-west-2"),
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _body(client, key):
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_a_generated_report_is_kept_in_the_bucket_and_served_only_in_scope(
    bucket, client, area, other_area, area_data, lead, report_day, settings
):
    run = report_run(area, requested_by=lead, period=(date(2019, 10, 1), report_day))
    assert reports.report_run_generate(run_id=run.pk, task_id=run.task_id).result == "succeeded"
    run.refresh_from_db()

    keys = _keys(bucket)
    assert len(keys) == 4
    assert all(f"/{run.pk}/attempt-1/" in key for key in keys)
    assert stored_files(settings.MEDIA_ROOT) == []
    stored = bucket.head_object(Bucket=BUCKET, Key=run.pdf_file.name)
    assert stored["ServerSideEncryption"] == "AES256"

    pdf = reverse("reports:pdf", kwargs={"slug": area.slug, "pk": run.pk})
    client.force_login(lead)
    response = client.get(pdf)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _body(bucket, run.pdf_file.name)

    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    assert client.get(pdf).status_code == 404
    other_pdf = reverse("reports:pdf", kwargs={"slug": other_area.slug, "pk": run.pk})
    assert client.get(other_pdf).status_code == 404


def test_evidence_round_trips_through_the_bucket_and_stays_in_its_area(
    bucket, client, area, other_area, settings
):
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    plan = published_plan_with(area, priorities=1, actions_per_priority=1, user=lead)
    action = plan.actions.get()
    content = b"%PDF-1.7 minutes of the careers hub steering group"
    update = action_update_log(
        lineage=action.lineage,
        user=lead,
        date=date(2018, 6, 30),
        status=ActionStatus.ON_TRACK,
        narrative="Steering group met; minutes attached.",
        spend_to_date=5000,
        evidence_file=SimpleUploadedFile("minutes.pdf", content, "application/pdf"),
    )
    assert _keys(bucket) == [update.evidence_file.name]
    assert _body(bucket, update.evidence_file.name) == content
    assert stored_files(settings.MEDIA_ROOT) == []

    page = reverse("plans:action", kwargs={"slug": area.slug, "pk": action.lineage_id})
    download = reverse(
        "plans:action-evidence",
        kwargs={
            "slug": area.slug,
            "pk": action.lineage_id,
            "update": update.pk,
            "name": "minutes.pdf",
        },
    )
    board_member = UserFactory(role=Role.BOARD_MEMBER, area=area)
    client.force_login(board_member)
    assert download in client.get(page).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert b"".join(response.streaming_content) == content

    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    assert client.get(download).status_code == 404
    elsewhere = download.replace(f"/areas/{area.slug}/", f"/areas/{other_area.slug}/")
    assert client.get(elsewhere).status_code == 404
    client.force_login(board_member)
    assert client.get(download.replace("minutes.pdf", "other.pdf")).status_code == 404
