"""Reads for areas and schools. Every page, export and API view reads these,
so scoping is applied once."""

from collections import Counter

from django.db.models import Count, Sum

from core.scoping import visible_to

from .models import Area, AreaLocalAuthority, School


def school_list(*, user, area=None):
    schools = visible_to(School.objects.open(), user).select_related("area")
    if area is not None:
        schools = schools.filter(area=area)
    return schools.order_by("name")


def home_summary(*, user):
    """The home page's summary: the areas the user may see and how many open
    schools they may see in all."""
    return {"areas": area_list(user=user), "schools_total": school_list(user=user).count()}


def area_list(*, user):
    """Areas the user may see, each with counts of the open schools the user
    may see in it."""
    areas = list(visible_to(Area.objects.all(), user).order_by("name"))
    totals = {
        row["area"]: row
        for row in school_list(user=user)
        .filter(area__in=[a.pk for a in areas])
        .order_by()
        .values("area")
        .annotate(schools=Count("pk"), pupils=Sum("number_of_pupils"))
    }
    for area in areas:
        row = totals.get(area.pk, {})
        area.school_count = row.get("schools", 0)
        area.pupil_count = row.get("pupils") or 0
    return areas


def area_summary(*, user, area):
    """The schools the user may see in an area, with counts by phase."""
    schools = list(school_list(user=user, area=area))
    by_phase = Counter(school.phase or "Not recorded" for school in schools)
    return {
        "schools": schools,
        "school_count": len(schools),
        "pupil_count": sum(s.number_of_pupils or 0 for s in schools),
        "schools_by_phase": sorted(by_phase.items()),
    }


def membership_rules_preview(*, user, on):
    """Every area's local authorities and rules, each rule with the open
    schools held that it would include (whether or not it applies on `on`),
    and each LA with no rules with all its open schools. Three queries."""
    las = list(
        AreaLocalAuthority.objects.select_related("area")
        .prefetch_related("rules")
        .order_by("area__name", "la_code")
    )
    schools_by_la = {}
    for school in school_list(user=user).filter(la_code__in=[la.la_code for la in las]):
        schools_by_la.setdefault(school.la_code, []).append(school)
    areas = {}
    for la in las:
        schools = schools_by_la.get(la.la_code, [])
        rules = [
            {
                "rule": rule,
                "applies": rule.is_valid_on(on),
                "schools": [
                    s for s in schools if rule.matches(district=s.district, postcode=s.postcode)
                ],
            }
            for rule in la.rules.all()
        ]
        entry = {"la": la, "rules": rules, "membership": la.membership_text(on)}
        if not rules:
            entry["schools"] = schools
        areas.setdefault(la.area, []).append(entry)
    return {"on": on, "areas": list(areas.items())}


def rule_preview(*, user, rule):
    """The open schools held in the rule's local authority that an unsaved
    rule would include, by the same test a GIAS import applies
    (`AreaRule.matches`)."""
    return [
        school
        for school in school_list(user=user).filter(la_code=rule.local_authority.la_code)
        if rule.matches(district=school.district, postcode=school.postcode)
    ]
