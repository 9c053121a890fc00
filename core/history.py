"""History of changes: who, when, and the values before and after.

Services call ``snapshot`` before a change and ``change_record`` after it, in
the same transaction, so a change and its history stand or fall together.
"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ChangeAction, ChangeRecord


def snapshot(obj, *, exclude=("created_at", "updated_at")) -> dict:
    """The object's concrete field values, as JSON-safe text and numbers."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        value = getattr(obj, field.attname)
        values[field.name] = _plain(value)
    return values


def change_record(*, obj, user, action, before=None, after=None, area=None, school=None):
    """Record a change to ``obj``. Returns None when an update changed nothing."""
    changes = _differences(before or {}, after or {})
    if action == ChangeAction.UPDATED and not changes:
        return None
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        changes=changes,
        changed_by=user if user is not None and user.is_authenticated else None,
        area=area,
        school=school,
    )


def history_for(obj):
    """Every recorded change to ``obj``, newest first. The caller has already
    scoped ``obj``; its history is scoped with it."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
    ).select_related("changed_by")


def _differences(before, after):
    fields = list(dict.fromkeys([*before, *after]))
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in fields
        if before.get(name) != after.get(name)
    }


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value
