"""Roster previews move to core.UploadPreview, the one store of every
import's preview-and-confirm step (ADR 0014).

Previews still waiting to be confirmed are copied, so a file checked before
the deploy can still be confirmed; applied ones held only a summary that
nothing reads, and go with the table.
"""

import hashlib
import json

from django.db import migrations


def _digest(content):
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def copy_waiting_previews(apps, schema_editor):
    RosterImport = apps.get_model("encounters", "RosterImport")
    UploadPreview = apps.get_model("core", "UploadPreview")
    for old in RosterImport.objects.filter(status="previewed").iterator():
        content = {"rows": old.rows}
        preview = UploadPreview.objects.create(
            kind="roster",
            uploaded_by_id=old.uploaded_by_id,
            school_id=old.school_id,
            file_name=old.file_name,
            options={"full_roster": old.full_roster},
            content=content,
            summary=old.summary,
            digest=_digest(content),
        )
        # Keep the time it was checked, so it expires when it would have.
        UploadPreview.objects.filter(pk=preview.pk).update(
            created_at=old.created_at, updated_at=old.updated_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_upload_preview"),
        ("encounters", "0004_merge_upload_claim_and_access_log"),
    ]

    operations = [
        migrations.RunPython(copy_waiting_previews, migrations.RunPython.noop),
        migrations.DeleteModel(name="RosterImport"),
    ]
