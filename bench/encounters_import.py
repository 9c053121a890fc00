"""Benchmark: the attendance import against a raw COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oatracker \\
        .venv/bin/python bench/encounters_import.py [--rows 1000000] [--pupils 2000]

Generates N attendance rows (pupil identifier or UPN, date, type, employer,
title) for one school, then in a throwaway database times:

- the service's import end to end (`encounters.services.attendance_import`:
  pseudonymise the UPNs, COPY into staging, check, create the encounters,
  insert the attendance rows, refresh the school's coverage summaries), and
- a raw COPY of the same CSV into an equivalent bare table (text columns, no
  keys or indexes),

and prints rows per second for both and their ratio. The goal is an import
within 1.5x of raw COPY. To show how much of the gap is the attendance
table itself, it also times a plain INSERT ... SELECT of as many id pairs
from an unindexed table into a copy of the attendance table (its primary
key, unique pupil-and-encounter constraint and encounter index), the least
any import must spend to add those rows. On SQLite only the import is timed.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("PUPIL_HASH_KEY", "bench-only-pupil-hash-key")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

UPN_SHARE = 0.1


def generate_csv(*, rows: int, pupils: list[tuple[str, str]], employers: list[str], seed: int):
    """One row per pupil per encounter; every pupil attends each encounter,
    so rows / pupils encounters in all."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    types = [
        "Employer talk",
        "Careers fair",
        "Workplace visit",
        "Work experience",
        "Mentoring",
        "Enterprise activity or competition",
    ]
    first_day = date(2017, 9, 4)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Pupil identifier", "UPN", "Date", "Type", "Employer", "Title"])
    written, group = 0, 0
    while written < rows:
        day = first_day + timedelta(days=group % 280)
        kind = types[group % len(types)]
        employer = employers[group % len(employers)]
        title = f"{kind} {group}"
        for identifier, upn in pupils:
            if written == rows:
                break
            if rng.random() < UPN_SHARE:
                writer.writerow(["", upn, day.isoformat(), kind, employer, title])
            else:
                writer.writerow([identifier, "", day.isoformat(), kind, employer, title])
            written += 1
        group += 1
    return buffer.getvalue(), group


def set_up_school(pupil_count: int):
    from areas.models import Area, School
    from encounters.models import Pupil
    from encounters.pseudonymisation import upn_hash, upn_with_check_letter
    from partners.models import Organisation, OrganisationKind

    area = Area.objects.get(slug="blackpool")
    school = School.objects.create(
        urn=999001, name="Bench Academy", la_code=890, la_name="Blackpool", status="Open", area=area
    )
    pupils = []
    for n in range(pupil_count):
        upn = upn_with_check_letter(f"{890400117000 + n:012d}")
        pupils.append((f"B{n:06d}", upn))
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                pupil_identifier=identifier,
                upn_hash=upn_hash(upn),
                year_group=7 + n % 5,
                year_group_on=date(2017, 9, 1),
                reception_year=Pupil.derive_reception_year(7 + n % 5, date(2017, 9, 1)),
                on_roll_from=date(2015, 9, 1),
            )
            for n, (identifier, upn) in enumerate(pupils)
        ]
    )
    employers = [f"Bench Employer {n}" for n in range(10)]
    Organisation.objects.bulk_create(
        [Organisation(name=name, kind=OrganisationKind.EMPLOYER) for name in employers]
    )
    return school, pupils, employers


def time_raw_copy(text: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_attendance")
        cursor.execute(
            "CREATE TABLE bench_raw_attendance (pupil_identifier text, upn text, "
            "date text, type text, employer text, title text)"
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY bench_raw_attendance FROM STDIN WITH (FORMAT csv, HEADER true)",
            io.StringIO(text),
        )
    return time.perf_counter() - started


def time_attendance_floor(rows: int) -> float:
    """INSERT ... SELECT of `rows` id pairs into a copy of the attendance
    table: its index upkeep, with no parsing, checking or joining."""
    from encounters.models import Attendance

    table = Attendance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_pairs, bench_attendance")
        cursor.execute(
            "CREATE TABLE bench_pairs AS SELECT n / 2000 + 1 AS encounter_id, "
            "n %% 2000 + 1 AS pupil_id FROM generate_series(0, %s - 1) AS n",
            [rows],
        )
        cursor.execute(f"CREATE TABLE bench_attendance (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_attendance (encounter_id, pupil_id) "
            "SELECT encounter_id, pupil_id FROM bench_pairs"
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_pairs, bench_attendance")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()

    from encounters.models import Attendance
    from encounters.services import attendance_import

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    test_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        school, pupils, employers = set_up_school(args.pupils)
        started = time.perf_counter()
        text, encounters = generate_csv(
            rows=args.rows, pupils=pupils, employers=employers, seed=args.seed
        )
        print(
            f"Generated {args.rows:,} rows ({len(text) / 1e6:.1f} MB, {encounters:,} encounters, "
            f"{args.pupils:,} pupils) in {time.perf_counter() - started:.1f}s"
        )
        postgres = connection.vendor == "postgresql"
        raw_seconds = []
        if postgres:
            raw_seconds.append(time_raw_copy(text))

        started = time.perf_counter()
        result = attendance_import(school=school, text=text, today=date(2018, 8, 31))
        service_seconds = time.perf_counter() - started
        assert result.ok, result.errors[:5]
        assert Attendance.objects.count() == args.rows

        if postgres:
            raw_seconds.append(time_raw_copy(text))
        service_rate = args.rows / service_seconds
        print(
            f"Service import: {service_seconds:.2f}s, {service_rate:,.0f} rows/s "
            f"({result.encounters_created:,} encounters, {result.attendances_created:,} "
            "attendances created)"
        )
        if postgres:
            raw = min(raw_seconds)
            raw_rate = args.rows / raw
            print(
                f"Raw COPY into a bare table: {raw:.2f}s, {raw_rate:,.0f} rows/s "
                f"(runs: {', '.join(f'{s:.2f}s' for s in raw_seconds)})"
            )
            print(f"Ratio (service time / raw COPY time): {service_seconds / raw:.2f}x")
            floor = time_attendance_floor(args.rows)
            print(
                f"Plain INSERT of {args.rows:,} id pairs into a copy of the attendance table: "
                f"{floor:.2f}s ({floor / raw:.2f}x raw COPY)"
            )
        started = time.perf_counter()
        again = attendance_import(school=school, text=text, today=date(2018, 8, 31))
        print(
            f"Same file again: {time.perf_counter() - started:.2f}s, "
            f"{again.attendances_created} attendances created"
        )
    finally:
        connection.close()
        creation.destroy_test_db(old_name, verbosity=0)
        del test_name


if __name__ == "__main__":
    main()
