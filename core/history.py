"""History of changes: who, when, and the values before and after.

Services call ``snapshot`` before a change and ``change_record`` after it, in
the same transaction, so a change and its history stand or fall together.
"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ChangeAction, ChangeRecord


def snapshot(obj, *, exclude=("created_at", "updated_at", "lineage")) -> dict:
    """The object's field values as people read them (related rows by name),
    JSON-safe. Internal links (lineage) and timestamps are left out."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            values[field.verbose_name] = None if related is None else str(related)
        else:
            values[field.verbose_name] = _plain(getattr(obj, field.attname))
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


def history_for_objects(objects):
    """The changes to several objects (of any models), newest first."""
    by_type = {}
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        by_type.setdefault(content_type.pk, []).append(obj.pk)
    if not by_type:
        return ChangeRecord.objects.none()
    condition = models.Q()
    for content_type_id, ids in by_type.items():
        condition |= models.Q(content_type_id=content_type_id, object_id__in=ids)
    return ChangeRecord.objects.filter(condition).select_related("changed_by")
