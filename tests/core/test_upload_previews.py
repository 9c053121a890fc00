"""The one preview-and-confirm store every import shares: only its uploader
finds a preview, for the school or area it was uploaded for, and confirming
claims it once."""

import datetime

import pytest
import time_machine

from core.models import Role, UploadPreview, UploadPreviewStatus
from core.upload_previews import (
    UPLOAD_PREVIEW_LIFETIME,
    UploadPreviewGone,
    upload_preview_apply,
    upload_preview_for,
    upload_preview_store,
    upload_previews_remove_expired,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(users):
    return users[Role.SCHOOL_STAFF]


def stored(staff, school, **kwargs):
    return upload_preview_store(
        kind="roster",
        user=staff,
        school=school,
        file_name="roster.csv",
        content=kwargs.pop("content", {"rows": [1, 2]}),
        **kwargs,
    )


def test_only_the_uploader_finds_the_preview_for_its_school(staff, school, other_school):
    preview = stored(staff, school)
    colleague = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])

    assert upload_preview_for(kind="roster", user=staff, school=school, pk=preview.pk) == preview
    assert upload_preview_for(kind="roster", user=colleague, school=school, pk=preview.pk) is None
    assert upload_preview_for(kind="roster", user=staff, school=other_school) is None
    assert upload_preview_for(kind="measurements", user=staff, school=school) is None


def test_a_new_upload_replaces_the_unconfirmed_one(staff, school):
    first = stored(staff, school, content={"rows": [1]})
    second = stored(staff, school, content={"rows": [2]})

    assert list(UploadPreview.objects.all()) == [second]
    assert first.digest != second.digest
    assert upload_preview_for(kind="roster", user=staff, school=school) == second


def test_confirming_twice_applies_once(staff, school):
    preview = stored(staff, school)
    applied = []

    assert upload_preview_apply(preview=preview, apply=lambda p: applied.append(p.pk)) is None
    with pytest.raises(UploadPreviewGone):
        upload_preview_apply(preview=preview, apply=lambda p: applied.append(p.pk))

    assert applied == [preview.pk]
    preview.refresh_from_db()
    assert (preview.status, preview.content) == (UploadPreviewStatus.APPLIED, {})
    assert upload_preview_for(kind="roster", user=staff, school=school) is None


def test_a_stale_copy_of_the_preview_cannot_claim_it_again(staff, school):
    preview = stored(staff, school)
    stale = UploadPreview.objects.get(pk=preview.pk)

    assert preview.claim() is True
    assert stale.claim() is False


def test_a_failed_import_leaves_the_preview_waiting(staff, school):
    preview = stored(staff, school)

    def fail(_):
        raise ValueError("line 3 is wrong")

    with pytest.raises(ValueError, match="line 3"):
        upload_preview_apply(preview=preview, apply=fail)

    preview.refresh_from_db()
    assert preview.status == UploadPreviewStatus.PREVIEWED
    assert upload_preview_for(kind="roster", user=staff, school=school) == preview


def test_a_preview_expires_and_the_retention_job_removes_it(staff, school):
    with time_machine.travel(datetime.datetime(2018, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        stored(staff, school)
    later = datetime.datetime(2018, 3, 1, 9, 0, tzinfo=datetime.UTC) + UPLOAD_PREVIEW_LIFETIME
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        assert upload_preview_for(kind="roster", user=staff, school=school) is None
        assert upload_previews_remove_expired() == 1
    assert UploadPreview.objects.count() == 0
