"""The preview-and-confirm step every import shares (ADR 0014).

An upload page checks the file, stores what it found with
`upload_preview_store` and shows it; the confirm button applies it with
`upload_preview_apply`, which claims the stored preview once (a conditional
UPDATE) and runs the import in the same transaction, so a double confirm
imports once and a failed import leaves the preview waiting. Only the
uploader ever finds a preview (`upload_preview_for`), and only on the page
of the school or area it was uploaded for.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from .models import UploadPreview, UploadPreviewStatus

# How long a checked file waits to be confirmed; after that it is gone and
# the file must be uploaded again. The retention job deletes older rows.
UPLOAD_PREVIEW_LIFETIME = timedelta(days=1)

Result = TypeVar("Result")


class UploadPreviewGone(Exception):
    """The preview has been confirmed already, or has expired."""


def content_digest(content) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def upload_preview_store(
    *,
    kind: str,
    user,
    file_name: str,
    content,
    summary=None,
    options=None,
    area=None,
    school=None,
) -> UploadPreview:
    """Keep a checked file for its uploader to confirm. It replaces the
    uploader's earlier unconfirmed file of the same kind for the same school
    or area, so the latest upload is the one confirmed."""
    UploadPreview.objects.filter(
        kind=kind,
        uploaded_by=user,
        area=area,
        school=school,
        status=UploadPreviewStatus.PREVIEWED,
    ).delete()
    return UploadPreview.objects.create(
        kind=kind,
        uploaded_by=user,
        area=area,
        school=school,
        file_name=file_name[:200],
        options=options or {},
        content=content,
        summary=summary or {},
        digest=content_digest(content),
    )


def upload_preview_for(*, kind: str, user, area=None, school=None, pk=None):
    """The user's own unconfirmed, unexpired preview of this kind for the
    school or area (the one numbered `pk`, or the latest), or None."""
    if user is None or not user.is_authenticated:
        return None
    previews = UploadPreview.objects.filter(
        kind=kind,
        uploaded_by=user,
        area=area,
        school=school,
        status=UploadPreviewStatus.PREVIEWED,
        created_at__gte=timezone.now() - UPLOAD_PREVIEW_LIFETIME,
    )
    if pk is not None:
        previews = previews.filter(pk=pk)
    return previews.first()


@transaction.atomic
def upload_preview_apply(
    *, preview: UploadPreview, apply: Callable[[UploadPreview], Result]
) -> Result:
    """Claim the preview and run `apply(preview)` in one transaction: raises
    UploadPreviewGone when another confirmation claimed it first. If `apply`
    raises, the claim is rolled back with everything else and the preview
    waits to be confirmed again."""
    if not preview.claim():
        raise UploadPreviewGone("This import has already been applied")
    result = apply(preview)
    UploadPreview.objects.filter(pk=preview.pk).update(content={}, summary={})
    return result


def upload_previews_remove_expired(*, now=None) -> int:
    """Delete previews older than their lifetime, confirmed or not: they may
    hold personal data (a roster's names and UPN hashes). Returns how many."""
    now = now or timezone.now()
    deleted, _ = UploadPreview.objects.filter(created_at__lt=now - UPLOAD_PREVIEW_LIFETIME).delete()
    return deleted
