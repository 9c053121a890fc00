"""Role scoping: the one place that decides which rows a user may see.

Every model that pages or the API show declares a ``scope_rule``: the lookup
from the model to its area's primary key and to its school's primary key.
``visible_to`` turns a user and a QuerySet into the rows inside the user's
scope. Views reach it through ``core.views.ScopedViewMixin``; a test walks
every URL and fails for a view that neither uses the mixin nor is marked
public.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from .roles import AREA_ROLES, Role


@dataclass(frozen=True)
class ScopeRule:
    """How a model's rows relate to areas and schools.

    area: lookup to the Area primary key ("pk" for Area itself), or None when
        rows belong to no area.
    school: lookup to the School primary key, or None when rows are not
        school-level (then school staff see rows of their schools' areas).
    pupil_level: personal data about pupils; only the school's own staff
        (and administrators) may ever see it.
    shared: reference data every signed-in user may read (organisations,
        encounter types); who may change it is decided by the view.
    """

    area: str | None
    school: str | None
    pupil_level: bool = False
    shared: bool = False


def scope_rule_for(model) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if not isinstance(rule, ScopeRule):
        raise ImproperlyConfigured(f"{model.__name__} has no scope_rule: it cannot be shown")
    return rule


def visible_to(queryset: QuerySet, user) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may see."""
    rule = scope_rule_for(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.ADMINISTRATOR or rule.shared:
        return queryset
    if rule.pupil_level:
        if user.role != Role.SCHOOL_STAFF or rule.school is None:
            return queryset.none()
        return queryset.filter(**{f"{rule.school}__in": _school_ids(user)})
    if user.role == Role.DFE_STAFF:
        return queryset
    if user.role in AREA_ROLES:
        if rule.area is None or user.area_id is None:
            return queryset.none()
        return queryset.filter(**{rule.area: user.area_id})
    if user.role == Role.SCHOOL_STAFF:
        if rule.school is not None:
            return queryset.filter(**{f"{rule.school}__in": _school_ids(user)})
        if rule.area is not None:
            return queryset.filter(**{f"{rule.area}__in": _school_area_ids(user)})
    return queryset.none()


def _school_ids(user):
    return user.schools.values("pk")


def _school_area_ids(user):
    return user.schools.filter(area__isnull=False).values("area_id")
