"""Demo pupils and encounters for the demo secondary schools.

Goes through the real services: each school's roster is imported with
`roster_import` and its encounters with `attendance_import` (a generated
attendance CSV), so the demo exercises the same paths as real files.

Each school gets a propensity (encounters per pupil per year) so coverage
spreads from well below the pledge to above it, and disadvantaged pupils
take part a little less often, so the gap shows.
"""

import csv
import io
import random
from datetime import date, timedelta

from django.utils import timezone

from areas.models import School
from partners.models import Organisation, OrganisationKind

from .academic_years import AcademicYear
from .models import FIRST_SECONDARY_YEAR, Pupil
from .pseudonymisation import upn_hash, upn_with_check_letter
from .roster_files import RosterRow
from .selectors import PLEDGE_ENCOUNTERS
from .services import attendance_import, roster_import

CORNERSTONE_EMPLOYERS = [
    "EDF Energy",
    "GCHQ",
    "Barclays",
    "Lloyds Banking Group",
    "Burberry",
    "Rolls-Royce",
]
LOCAL_EMPLOYERS = [
    "Coastal Engineering Ltd",
    "Northgate Care Homes",
    "Harbour Logistics",
    "Seaview Hotels",
    "Pennine Digital",
    "Town Hall Apprenticeships",
]
TYPES = [
    ("Employer talk", 5),
    ("Careers fair", 2),
    ("Workplace visit", 2),
    ("Mentoring", 2),
    ("Enterprise activity or competition", 2),
    ("Work experience", 1),
    ("Further or higher education visit", 1),
]
PROGRAMMES = ["CEC", "School's own", "Essential Life Skills", "NCS", "Other"]
MAX_PUPILS_PER_YEAR = 40
SECONDARY_PHASES = ("Secondary", "All-through")


def _employers():
    employers = []
    for names, kind in (
        (CORNERSTONE_EMPLOYERS, OrganisationKind.CORNERSTONE_EMPLOYER),
        (LOCAL_EMPLOYERS, OrganisationKind.EMPLOYER),
    ):
        for name in names:
            organisation, _ = Organisation.objects.get_or_create(name=name, kind=kind)
            employers.append(organisation.name)
    return employers


DEMO_GROUPS = "RSTU"  # tutor groups 7R to 7U, and so on


def _roster(school, rng, year: AcademicYear, today: date):
    high = min(school.statutory_high_age or 16, 18)
    years = range(FIRST_SECONDARY_YEAR, min(13, high - 4) + 1)
    per_year = max(8, min(MAX_PUPILS_PER_YEAR, (school.number_of_pupils or 600) // 30))
    rows = []
    for year_group in years:
        for n in range(per_year):
            serial = school.urn % 1000 * 10000 + year_group * 100 + n
            upn = upn_with_check_letter(f"{school.la_code:03d}{serial:09d}"[:12])
            entry = AcademicYear(year.start_year - (year_group - FIRST_SECONDARY_YEAR)).start
            rows.append(
                RosterRow(
                    line=len(rows) + 2,
                    pupil_identifier=f"{school.urn}-{year_group:02d}{n:03d}",
                    upn_hash=upn_hash(upn),
                    display_name="",
                    year_group=year_group,
                    disadvantaged=rng.random() < 0.3,
                    send="none",
                    entry_date=min(entry, today).isoformat(),
                    tutor_group=f"{year_group}{DEMO_GROUPS[n % len(DEMO_GROUPS)]}",
                )
            )
    return rows


def _attendance_csv(school, rng, propensity, employers, year: AcademicYear, today: date):
    pupils = list(
        Pupil.objects.filter(school=school).values_list(
            "pupil_identifier", "reception_year", "disadvantaged"
        )
    )
    types = [name for name, weight in TYPES for _ in range(weight)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Pupil identifier", "Date", "Type", "Employer", "Title", "Delivered through"])
    rows = 0
    for offset in range(0, 5):
        past = AcademicYear(year.start_year - offset)
        last_day = min(past.end, today)
        for year_group in range(FIRST_SECONDARY_YEAR, 14):
            cohort = [p for p in pupils if past.start_year - p[1] == year_group]
            if not cohort:
                continue
            events = max(1, round(propensity * rng.uniform(0.6, 1.4) * 2))
            for event in range(events):
                day = past.start + timedelta(days=rng.randint(10, 300))
                if day > last_day:
                    continue
                kind = rng.choice(types)
                employer = "" if "higher education" in kind else rng.choice(employers)
                title = f"{kind}: {employer or 'university'} ({year_group}.{event})"
                share = min(1.0, propensity / 2)
                programme = rng.choice(PROGRAMMES)
                for identifier, _, disadvantaged in cohort:
                    if rng.random() < share * (0.75 if disadvantaged else 1.0):
                        writer.writerow(
                            [identifier, day.isoformat(), kind, employer, title, programme]
                        )
                        rows += 1
    return buffer.getvalue(), rows


def seed_encounters(*, seed: int = 2017) -> str:
    """Pupils and encounters for the demo's open secondary schools.
    Idempotent: running it again changes nothing."""
    rng = random.Random(seed)
    today = timezone.localdate()
    year = AcademicYear.of(today)
    employers = _employers()
    schools = list(
        School.objects.open().filter(area__isnull=False, phase__in=SECONDARY_PHASES).order_by("urn")
    )
    pupils = attendances = 0
    for school in schools:
        propensity = rng.uniform(0.4, 2.4)
        rows = _roster(school, rng, year, today)
        roster_import(school=school, rows=rows, full_roster=True, today=today)
        text, count = _attendance_csv(school, rng, propensity, employers, year, today)
        if count:
            result = attendance_import(school=school, text=text, today=today)
            if not result.ok:
                raise ValueError(
                    f"Demo attendance for {school.urn} is invalid: {result.errors[:3]}"
                )
            attendances += result.attendances_created
        pupils += len(rows)
    return (
        f"{pupils} pupils in {len(schools)} secondary schools, {attendances} new pupil "
        f"encounters (pledge: {PLEDGE_ENCOUNTERS} since Year {FIRST_SECONDARY_YEAR})"
    )
