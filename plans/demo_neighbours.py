"""Demo comparator groups: one statistical-neighbour group per area, and a
GLD series for each member LA (ADR 0019).

The memberships and every LA figure here are ILLUSTRATIVE, made up by the
project to show the feature: they are not DfE's statistical neighbours nor
published figures, and the group and series names say so. The groups are
loaded through the CSV import, as an administrator would load them.
"""

import random
from datetime import date
from decimal import Decimal

from core.csv_export import csv_text

from .models import ComparatorGroup, ComparatorSeries, ComparatorValue, Unit
from .neighbour_imports import comparator_groups_csv_import

MEASURE = "GLD"
ILLUSTRATIVE = "illustrative"

# Ten other LAs for each area's first LA: a plausible mix, not DfE's list.
NEIGHBOURS = {
    890: [
        (889, "Blackburn with Darwen"),
        (876, "Halton"),
        (805, "Hartlepool"),
        (806, "Middlesbrough"),
        (807, "Redcar and Cleveland"),
        (810, "Kingston upon Hull"),
        (393, "South Tyneside"),
        (394, "Sunderland"),
        (340, "Knowsley"),
        (879, "Plymouth"),
    ],
    831: [
        (856, "Leicester"),
        (892, "Nottingham"),
        (331, "Coventry"),
        (861, "Stoke-on-Trent"),
        (336, "Wolverhampton"),
        (874, "Peterborough"),
        (894, "Telford and Wrekin"),
        (866, "Swindon"),
        (808, "Stockton-on-Tees"),
        (821, "Luton"),
    ],
    815: [
        (908, "Cornwall"),
        (909, "Cumbria"),
        (929, "Northumberland"),
        (925, "Lincolnshire"),
        (878, "Devon"),
        (811, "East Riding of Yorkshire"),
        (893, "Shropshire"),
        (926, "Norfolk"),
        (933, "Somerset"),
        (884, "Herefordshire"),
    ],
    926: [
        (925, "Lincolnshire"),
        (935, "Suffolk"),
        (908, "Cornwall"),
        (909, "Cumbria"),
        (878, "Devon"),
        (933, "Somerset"),
        (815, "North Yorkshire"),
        (860, "Staffordshire"),
        (916, "Gloucestershire"),
        (885, "Worcestershire"),
    ],
    353: [
        (354, "Rochdale"),
        (350, "Bolton"),
        (357, "Tameside"),
        (889, "Blackburn with Darwen"),
        (382, "Kirklees"),
        (381, "Calderdale"),
        (384, "Wakefield"),
        (372, "Rotherham"),
        (335, "Walsall"),
        (333, "Sandwell"),
    ],
    933: [
        (878, "Devon"),
        (908, "Cornwall"),
        (893, "Shropshire"),
        (884, "Herefordshire"),
        (916, "Gloucestershire"),
        (865, "Wiltshire"),
        (815, "North Yorkshire"),
        (926, "Norfolk"),
        (935, "Suffolk"),
        (925, "Lincolnshire"),
    ],
    380: [
        (382, "Kirklees"),
        (381, "Calderdale"),
        (354, "Rochdale"),
        (353, "Oldham"),
        (889, "Blackburn with Darwen"),
        (333, "Sandwell"),
        (330, "Birmingham"),
        (356, "Stockport"),
        (383, "Leeds"),
        (856, "Leicester"),
    ],
    371: [
        (372, "Rotherham"),
        (370, "Barnsley"),
        (384, "Wakefield"),
        (812, "North East Lincolnshire"),
        (813, "North Lincolnshire"),
        (840, "County Durham"),
        (392, "North Tyneside"),
        (394, "Sunderland"),
        (808, "Stockton-on-Tees"),
        (861, "Stoke-on-Trent"),
    ],
    873: [
        (935, "Suffolk"),
        (926, "Norfolk"),
        (925, "Lincolnshire"),
        (928, "Northamptonshire"),
        (937, "Warwickshire"),
        (855, "Leicestershire"),
        (823, "Central Bedfordshire"),
        (931, "Oxfordshire"),
        (916, "Gloucestershire"),
        (865, "Wiltshire"),
    ],
    845: [
        (938, "West Sussex"),
        (886, "Kent"),
        (921, "Isle of Wight"),
        (846, "Brighton and Hove"),
        (878, "Devon"),
        (850, "Hampshire"),
        (881, "Essex"),
        (933, "Somerset"),
        (908, "Cornwall"),
        (935, "Suffolk"),
    ],
    935: [
        (926, "Norfolk"),
        (881, "Essex"),
        (925, "Lincolnshire"),
        (873, "Cambridgeshire"),
        (845, "East Sussex"),
        (938, "West Sussex"),
        (886, "Kent"),
        (916, "Gloucestershire"),
        (885, "Worcestershire"),
        (860, "Staffordshire"),
    ],
    861: [
        (336, "Wolverhampton"),
        (335, "Walsall"),
        (892, "Nottingham"),
        (810, "Kingston upon Hull"),
        (894, "Telford and Wrekin"),
        (371, "Doncaster"),
        (370, "Barnsley"),
        (831, "Derby"),
        (889, "Blackburn with Darwen"),
        (806, "Middlesbrough"),
    ],
}


def group_name(area) -> str:
    return f"{area.name} and its statistical neighbours ({ILLUSTRATIVE})"


def seed_neighbour_groups(*, areas, england, anchor, rng: random.Random, user) -> dict:
    """One group per area (its first LA and ten others), a GLD series for every
    member LA with four annual figures near England's, and England's series
    marked with the same measure. Returns {area id: group}. Safe to run twice."""
    if not england.measure:
        england.measure = MEASURE
        england.save(update_fields=["measure", "updated_at"])
    england_values = {v.date: v.value for v in england.values.all()}
    rows, firsts = [], {}
    for area in areas:
        own = area.local_authorities.order_by("la_code").first()
        if own is None or own.la_code not in NEIGHBOURS:
            continue
        firsts[area.pk] = group_name(area)
        for code, name in [(own.la_code, own.la_name), *NEIGHBOURS[own.la_code]]:
            rows.append(
                [
                    group_name(area),
                    code,
                    name,
                    "Illustrative: the members and their figures are made up for the demo.",
                ]
            )
            _la_series(code, name, england_values, anchor, rng)
    if rows:
        comparator_groups_csv_import(
            text=csv_text(["group", "la_code", "la_name", "description"], rows), user=user
        )
    groups = {g.name: g for g in ComparatorGroup.objects.filter(name__in=firsts.values())}
    return {area_id: groups[name] for area_id, name in firsts.items()}


def _la_series(code, name, england_values, anchor, rng):
    series, _ = ComparatorSeries.objects.get_or_create(
        measure=MEASURE,
        la_code=code,
        defaults={
            "name": f"{name}: good level of development ({ILLUSTRATIVE})",
            "geography": name,
            "unit": Unit.PERCENTAGE,
        },
    )
    offset = Decimal(rng.randint(-60, 20)) / 10
    # Most LAs publish the counts behind the figure; a few (every seventh code) do not.
    cohort = rng.randint(900, 9000) if code % 7 else None
    for year in range(4):
        day = date(anchor + year, 8, 31)
        national = england_values.get(day)
        if national is None:
            continue
        value = (national + offset + Decimal(rng.randint(-10, 10)) / 10).quantize(Decimal("0.1"))
        numerator = (value * cohort / 100).quantize(Decimal("1")) if cohort else None
        ComparatorValue.objects.get_or_create(
            series=series,
            date=day,
            defaults={
                "value": (numerator * 100 / cohort).quantize(Decimal("0.1")) if cohort else value,
                "numerator": numerator,
                "denominator": Decimal(cohort) if cohort else None,
            },
        )
