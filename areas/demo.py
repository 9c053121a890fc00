"""Synthetic, GIAS-shaped schools for the demo and for tests.

Rows go through the real GIAS import (areas.services.school_import_gias),
so the demo exercises the same path as a real extract.
"""

import random

from django.utils import timezone

from .gias import gias_csv_bytes
from .models import Area, AreaRule
from .services import school_import_gias

NAME_STEMS = [
    "Oakfield",
    "Hillside",
    "Brookside",
    "Westfield",
    "Meadowbank",
    "Northgate",
    "St Mary's",
    "St John's",
    "Holy Trinity",
    "Christ Church",
    "Parkside",
    "Riverside",
    "Fairfield",
    "Greenacres",
    "Highfield",
    "Kingsway",
    "Moorland",
    "Queensbury",
    "Sandcroft",
    "Thornhill",
    "Victoria",
    "Willowbrook",
    "Ashgrove",
    "Beechwood",
    "Castle Hill",
    "Churchill",
    "Elmwood",
    "Foxwood",
    "Grange",
    "Heathfield",
    "Lakeside",
    "Manor",
    "Newbridge",
    "Orchard",
    "Redhill",
    "Southfields",
    "Springfield",
    "Stonebridge",
    "Valley",
    "Woodlands",
]
POSTCODE_PREFIXES = {
    "blackpool": ["FY1", "FY2", "FY3", "FY4"],
    "derby": ["DE1", "DE21", "DE22", "DE23", "DE24"],
    "north-yorkshire-coast": ["YO11", "YO12", "YO21", "YO14"],
    "norwich": ["NR1", "NR2", "NR3", "NR4"],
    "oldham": ["OL1", "OL4", "OL8", "OL9"],
    "west-somerset": ["TA23", "TA24", "TA4"],
    "bradford": ["BD1", "BD3", "BD5", "BD8"],
    "doncaster": ["DN1", "DN2", "DN4", "DN5"],
    "fenland-and-east-cambridgeshire": ["PE13", "PE15", "CB6", "CB7"],
    "hastings": ["TN34", "TN35", "TN37", "TN38"],
    "ipswich": ["IP1", "IP2", "IP3", "IP4"],
    "stoke-on-trent": ["ST1", "ST3", "ST4", "ST6"],
}
# phase, ages, type, pupils range, suffix, weight
SCHOOL_SHAPES = [
    ("Primary", (4, 11), "Community school", (120, 650), "Primary School", 40),
    ("Primary", (4, 11), "Academy converter", (150, 630), "Primary Academy", 20),
    ("Primary", (4, 11), "Voluntary aided school", (90, 420), "C of E Primary School", 10),
    ("Secondary", (11, 16), "Academy sponsor led", (600, 1500), "Academy", 10),
    ("Secondary", (11, 18), "Academy converter", (800, 1900), "High School", 8),
    ("Secondary", (11, 16), "Community school", (500, 1200), "Community College", 4),
    ("16 plus", (16, 19), "Further education", (300, 2500), "Sixth Form College", 2),
    ("Not applicable", (3, 19), "Community special school", (60, 220), "School", 4),
    ("Nursery", (2, 5), "LA nursery school", (40, 120), "Nursery School", 2),
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TRUSTS = [
    "Bright Futures Learning Trust",
    "Coastal Academies Trust",
    "Dales Education Trust",
    "Enquire Learning Trust",
    "Northern Lights Schools Partnership",
    "Unity Learning Trust",
]


# The LAs' GSS codes as a current GIAS extract gives them (North Yorkshire and
# Somerset as the unitary authorities of April 2023).
GSS_LA_CODES = {
    890: "E06000009",
    831: "E06000015",
    815: "E06000065",
    926: "E10000020",
    353: "E08000004",
    933: "E06000066",
    380: "E08000032",
    371: "E08000017",
    873: "E10000003",
    845: "E10000011",
    935: "E10000029",
    861: "E06000021",
}


# Schools in the same LA but outside the area, where a current extract names
# the district after the unitary authority and only the postcode tells them
# apart (Harrogate; Taunton).
OUTSIDE_POSTCODE_DISTRICTS = {815: "HG1", 933: "TA1"}


def demo_gias_rows(*, seed: int = 2017) -> list[dict]:
    """15-40 synthetic open schools per area, shaped like a current extract
    (ADR 0017): each placed by one of its LA's rules valid today, plus a few
    closed ones and a few in the same LA but outside the area. Deterministic."""
    rng = random.Random(seed)
    today = timezone.localdate()
    rows = []
    for area_index, area in enumerate(Area.objects.prefetch_related("local_authorities__rules")):
        la = area.local_authorities.all()[0]
        rules = [rule for rule in la.rules.all() if rule.is_valid_on(today)]
        places = [_place(rng, area, la, rule) for rule in rules] or [(la.la_name, None)]
        count = rng.randint(15, 40)
        stems = rng.sample(NAME_STEMS, k=count)
        for index, stem in enumerate(stems):
            district, postcode = rng.choice(places)
            urn = 100000 + area_index * 1000 + index
            rows.append(_school_row(rng, area, la, district, postcode, stem, urn))
        rows[-1]["EstablishmentStatus (name)"] = "Open, but proposed to close"
        district, postcode = places[0]
        rows.append(
            {
                **_school_row(
                    rng, area, la, district, postcode, "Old Town", 100000 + area_index * 1000 + 900
                ),
                "EstablishmentStatus (name)": "Closed",
                "NumberOfPupils": "",
            }
        )
        if la.la_code in OUTSIDE_POSTCODE_DISTRICTS:
            postcode = f"{OUTSIDE_POSTCODE_DISTRICTS[la.la_code]} {_inward(rng)}"
            urn = 100000 + area_index * 1000 + 950
            rows.append(_school_row(rng, area, la, la.la_name, postcode, "Outside", urn))
    return rows


def _place(rng, area, la, rule):
    """A (district, postcode or None) pair a current extract gives a school
    that meets `rule`: a unitary LA's schools all carry the LA's name."""
    if rule.kind == AreaRule.Kind.DISTRICT:
        return rule.value, None
    digit = "" if " " in rule.value else f" {rng.randint(1, 9)}"
    return la.la_name, f"{rule.value}{digit}{_inward(rng)[1:]}"


def _inward(rng):
    return f"{rng.randint(1, 9)}{''.join(rng.choices(POSTCODE_LETTERS, k=2))}"


def _school_row(rng, area, la, district, postcode, stem, urn):
    phase, (low, high), kind, (fewest, most), suffix, _ = rng.choices(
        SCHOOL_SHAPES, weights=[shape[-1] for shape in SCHOOL_SHAPES]
    )[0]
    academy = kind.startswith("Academy")
    if postcode is None:
        postcode = f"{rng.choice(POSTCODE_PREFIXES.get(area.slug, ['ZZ1']))} {_inward(rng)}"
    return {
        "URN": str(urn),
        "LA (code)": str(la.la_code),
        "LA (name)": la.la_name,
        "GSSLACode (name)": GSS_LA_CODES.get(la.la_code, ""),
        "EstablishmentNumber": str(2000 + urn % 1000),
        "EstablishmentName": f"{stem} {suffix}",
        "TypeOfEstablishment (name)": kind,
        "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": str(low),
        "StatutoryHighAge": str(high),
        "NumberOfPupils": str(rng.randint(fewest, most)),
        "PercentageFSM": f"{rng.uniform(8, 52):.1f}",
        "Trusts (name)": rng.choice(TRUSTS) if academy else "",
        "DistrictAdministrative (name)": district,
        "Postcode": postcode,
    }


def seed_schools(*, seed: int = 2017):
    return school_import_gias(data=gias_csv_bytes(demo_gias_rows(seed=seed)))
