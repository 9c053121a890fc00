"""Reads that every app shares."""

from areas.selectors import area_list, school_list


def home_summary(*, user):
    areas = area_list(user=user)
    return {"areas": areas, "schools_total": school_list(user=user).count()}
