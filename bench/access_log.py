"""Benchmark: what the pupil data access log costs, with and without it in
the same run, and what the retention job's delete costs at volume.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oat_bench \\
        .venv/bin/python manage.py seed_demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oat_bench \\
        .venv/bin/python bench/access_log.py [--requests 300] [--rows 1000000]

Times, in this process (server time, no network), p50 and p95 over N
requests by one school's staff, alternating with and without the log
(``services.pupil_data_access_record`` replaced by a no-op for "without"):
the school's pupil list page and the API's pupil list; then the service's
INSERT on its own, a thousand times. Then fills the log
with ROWS rows spread over three years and times the retention job's delete
of the rows past the retention period, and the next night's (one day's
rows). Leaves the log as it found it (apart from VACUUM).
PostgreSQL only.
"""

import argparse
import os
import sys
import time
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.models import Role, User  # noqa: E402
from encounters import services  # noqa: E402
from encounters.models import PupilDataAccess  # noqa: E402


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_both(client, url, n):
    """p50 and p95 with the log and without it, requests interleaved so both
    see the same cache and load."""
    samples = {"with": [], "without": []}
    for _ in range(5):
        client.get(url, HTTP_HOST="localhost")
    for _ in range(n):
        for kind in ("with", "without"):
            patch = mock.patch.object(services, "pupil_data_access_record", return_value=None)
            with patch if kind == "without" else nullcontext():
                start = time.perf_counter()
                response = client.get(url, HTTP_HOST="localhost")
                samples[kind].append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
    return {kind: (percentile(s, 0.5), percentile(s, 0.95)) for kind, s in samples.items()}


def time_inserts(user, school, n):
    """The log write on its own: the service's INSERT, n times in a row."""
    start = time.perf_counter()
    for _ in range(n):
        services.pupil_data_access_record(
            user=user,
            school_id=school.pk,
            channel="page",
            view_name="encounters:pupils",
            method="GET",
            path=f"/schools/{school.urn}/pupils/",
            object_id="",
            query={"year": "2024"},
            status_code=200,
            pupil_count=50,
        )
    return (time.perf_counter() - start) / n


def fill_log(user, school, rows):
    """ROWS rows spread evenly over the last three years, with one INSERT ...
    SELECT from generate_series."""
    table = PupilDataAccess._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO "{table}" (accessed_at, user_id, role, school_id, channel, view_name,
                method, path, object_id, query, status_code, pupil_count)
            SELECT now() - (n * interval '1095 days' / %s), %s, 'school_staff', %s, 'page',
                'encounters:pupils', 'GET', '/schools/' || %s || '/pupils/', '', '{{}}', 200, 50
            FROM generate_series(1, %s) AS n
            """,  # noqa: S608 (the table name is the model's)
            [rows, user.pk, school.pk, school.urn, rows],
        )


def vacuum_analyze():
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{PupilDataAccess._meta.db_table}"')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    user = User.objects.filter(role=Role.SCHOOL_STAFF, is_active=True).first()
    if user is None:
        sys.exit("No school staff: run manage.py seed_demo first")
    school = user.schools.order_by("urn").first()
    client = Client()
    client.force_login(user)
    before = PupilDataAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    print(f"{args.requests} requests each, as {user.email} ({school.name}):")
    for label, url in [
        ("pupil list page", f"/schools/{school.urn}/pupils/"),
        ("API pupil list", "/api/v1/pupils/"),
    ]:
        times = time_both(client, url, args.requests)
        (w50, w95), (o50, o95) = times["with"], times["without"]
        print(
            f"  {label:16s} with the log p50 {w50 * 1000:6.1f} ms p95 {w95 * 1000:6.1f} ms; "
            f"without p50 {o50 * 1000:6.1f} ms p95 {o95 * 1000:6.1f} ms"
        )

    print(f"The log's INSERT alone: {time_inserts(user, school, 1000) * 1000:.2f} ms each")

    fill_log(user, school, args.rows)
    vacuum_analyze()
    cutoff = timezone.now() - timedelta(days=settings.PUPIL_RETENTION_DAYS)
    start = time.perf_counter()
    deleted, _ = PupilDataAccess.objects.filter(accessed_at__lt=cutoff).delete()
    print(
        f"Retention delete: {deleted:,} of {args.rows:,} rows older than "
        f"{settings.PUPIL_RETENTION_DAYS} days in {time.perf_counter() - start:.2f} s"
    )
    vacuum_analyze()
    a_day_later = cutoff + timedelta(days=1)
    start = time.perf_counter()
    deleted, _ = PupilDataAccess.objects.filter(accessed_at__lt=a_day_later).delete()
    print(f"  the next night's delete: {deleted:,} rows in {time.perf_counter() - start:.3f} s")
    PupilDataAccess.objects.filter(pk__gt=before).delete()


if __name__ == "__main__":
    main()
