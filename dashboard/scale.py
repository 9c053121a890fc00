"""A data set of national shape for benchmarks: `seed_demo --scale national`.

About 1,100 secondary schools across the 12 areas, 400,000 pupils and 10
million attendance rows. Schools are bulk-created; pupils, encounters and
attendance go in with PostgreSQL's COPY (the fast path ADR 0006 describes),
with ids reserved from the tables' own sequences so no row has to be read
back. PostgreSQL only: on SQLite it refuses rather than run for hours.

The shape follows the demo: each school has a propensity (share of a cohort
taking part in each encounter), disadvantaged pupils take part a little
less often, and each cohort gets 13 to 19 encounters a year from Year 7 (fewer
in the current year, in proportion to the part of it gone by).
"""

import io
import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from areas.models import Area, School
from encounters.academic_years import AcademicYear
from encounters.models import (
    FIRST_SECONDARY_YEAR,
    ROSTER_FIELDS,
    Attendance,
    Encounter,
    EncounterType,
    Programme,
    Pupil,
)
from encounters.pseudonymisation import upn_hash, upn_with_check_letter

FIRST_URN = 700000
SCHOOLS = 1100
PUPILS = 400_000
YEARS_BACK = 5
SCHOOLS_PER_BATCH = 50


class NationalScaleNeedsPostgreSQL(RuntimeError):
    pass


@transaction.atomic
def seed_national(*, seed: int = 2017, schools: int = SCHOOLS, pupils: int = PUPILS, log=print):
    """Schools, pupils, encounters and attendance at national scale.
    All or nothing; skips the load if the national schools are already there."""
    if connection.vendor != "postgresql":
        raise NationalScaleNeedsPostgreSQL(
            "The national-scale data set needs PostgreSQL (COPY); set DATABASE_URL."
        )
    if School.objects.filter(urn__gte=FIRST_URN).exists():
        log("National schools already loaded; nothing to add.")
        return
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    today = timezone.localdate()
    created = _schools(rng, schools)
    log(f"Schools: {len(created)}")
    cohorts_per_school = [7 if s.statutory_high_age == 18 else 5 for s in created]
    per_cohort = max(1, round(pupils / sum(cohorts_per_school)))
    types = list(
        EncounterType.objects.filter(is_meaningful_employer_encounter=True).values_list(
            "pk", "name"
        )
    )
    totals = [0, 0, 0]
    for start in range(0, len(created), SCHOOLS_PER_BATCH):
        batch = created[start : start + SCHOOLS_PER_BATCH]
        counts = _load_batch(batch, rng, per_cohort, types, today)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        log(
            f"  {start + len(batch)} schools: {totals[0]:,} pupils, {totals[1]:,} encounters, "
            f"{totals[2]:,} attendance rows"
        )
    with connection.cursor() as cursor:
        for model in (School, Pupil, Encounter, Attendance):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    log(f"Pupils: {totals[0]:,}; encounters: {totals[1]:,}; attendance rows: {totals[2]:,}")


def _schools(rng, count):
    areas = list(Area.objects.prefetch_related("local_authorities").order_by("name"))
    rows = []
    for n in range(count):
        area = areas[n % len(areas)]
        authority = area.local_authorities.all()[0]
        sixth_form = rng.random() < 0.2
        rows.append(
            School(
                urn=FIRST_URN + n,
                name=f"{area.name} Secondary School {n // len(areas) + 1}",
                la_code=authority.la_code,
                la_name=authority.la_name,
                establishment_type="Academy converter",
                phase="Secondary",
                status="Open",
                statutory_low_age=11,
                statutory_high_age=18 if sixth_form else 16,
                number_of_pupils=0,
                area=area,
            )
        )
    School.objects.bulk_create(rows, batch_size=1000)
    return list(School.objects.filter(urn__gte=FIRST_URN).order_by("urn"))


def _reserve_ids(cursor, model, count):
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, model, columns, lines):
    buffer = io.StringIO("".join(lines))
    cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)


def _load_batch(batch, rng, per_cohort, types, today):
    now = timezone.now().isoformat()
    year = AcademicYear.of(today)
    elapsed = (today - year.start).days / 365
    programmes = Programme.values
    pupils = []  # (school, reception_year, disadvantaged)
    for school in batch:
        for year_group in range(FIRST_SECONDARY_YEAR, school.statutory_high_age - 4):
            for _ in range(per_cohort):
                pupils.append((school, year.start_year - year_group, rng.random() < 0.3))
    with connection.cursor() as cursor:
        pupil_ids = _reserve_ids(cursor, Pupil, len(pupils))
        lines = []
        for pk, (school, reception_year, disadvantaged) in zip(pupil_ids, pupils, strict=True):
            entry = AcademicYear(reception_year + FIRST_SECONDARY_YEAR).start
            upn = upn_with_check_letter(f"{900000000000 + pk:012d}")
            lines.append(
                f"{pk}\t{now}\t{now}\t{school.pk}\t{school.urn}-{pk}\t{upn_hash(upn)}\t\t"
                f"{year.start_year - reception_year}\t{today}\t{reception_year}\t"
                f"{'t' if disadvantaged else 'f'}\tnone\t{min(entry, today)}\t\\N\n"
            )
        _copy(
            cursor,
            Pupil,
            [
                "id",
                "created_at",
                "updated_at",
                "school_id",
                "pupil_identifier",
                *ROSTER_FIELDS,
                "on_roll_from",
                "on_roll_until",
            ],
            lines,
        )
        cohorts = {}
        for pk, (school, reception_year, disadvantaged) in zip(pupil_ids, pupils, strict=True):
            cohorts.setdefault((school, reception_year), []).append((pk, disadvantaged))
        propensity = {school.pk: rng.uniform(0.55, 0.95) for school in batch}
        encounters = []  # (school, day, type, title, programme, members)
        for (school, reception_year), members in cohorts.items():
            for offset in range(YEARS_BACK):
                past = AcademicYear(year.start_year - offset)
                year_group = past.start_year - reception_year
                if year_group < FIRST_SECONDARY_YEAR:
                    continue
                events = rng.randint(13, 19)
                last_day = min(past.end, today)
                if offset == 0:
                    events = round(events * elapsed)
                span = (last_day - past.start).days
                for event in range(events):
                    day = past.start + timedelta(days=rng.randint(0, max(span, 0)))
                    type_id, type_name = rng.choice(types)
                    encounters.append(
                        (
                            school,
                            day,
                            past.start_year,
                            type_id,
                            f"{type_name} (Year {year_group}, {event + 1})",
                            rng.choice(programmes),
                            members,
                        )
                    )
        encounter_ids = _reserve_ids(cursor, Encounter, len(encounters))
        _copy(
            cursor,
            Encounter,
            [
                "id",
                "created_at",
                "updated_at",
                "school_id",
                "date",
                "academic_year",
                "encounter_type_id",
                "title",
                "delivered_through",
                "source_key",
            ],
            [
                f"{pk}\t{now}\t{now}\t{school.pk}\t{day}\t{academic_year}\t{type_id}\t{title}\t"
                f"{programme}\t\n"
                for pk, (school, day, academic_year, type_id, title, programme, _) in zip(
                    encounter_ids, encounters, strict=True
                )
            ],
        )
        random_share = rng.random
        attendance = []
        for pk, (school, *_, members) in zip(encounter_ids, encounters, strict=True):
            share = propensity[school.pk]
            lower = share * 0.8
            for pupil_id, disadvantaged in members:
                if random_share() < (lower if disadvantaged else share):
                    attendance.append(f"{pk}\t{pupil_id}\n")
        _copy(cursor, Attendance, ["encounter_id", "pupil_id"], attendance)
    return len(pupils), len(encounters), len(attendance)
