"""Benchmark: the cross-area dashboard on summary tables against the same
aggregates computed by raw SQL over the attendance table, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oat_national \\
        .venv/bin/python manage.py seed_demo --scale national
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oat_national \\
        .venv/bin/python bench/dashboard.py [--requests 200] [--reports 12]

Times, in this process (server time: URL routing, middleware, queries,
template; no network):

- the dashboard page and its CSV as DfE staff, p50 and p95 over N requests;
- one set-based SQL query computing the same coverage aggregates straight
  from the attendance table (what the page would cost without summaries);
- one school's incremental coverage refresh and one area's summary refresh;
- one area's coverage by school (what a report publishes) from the summary
  rows and from attendance;
- one area's report (snapshot and rendered files, as the report task builds
  them, without storing them) and all 12 one after another, each split into
  snapshot, HTML, PDF and CSV with JSON. The first report in the process
  also pays one-off costs (importing WeasyPrint, compiling the template), so
  the median of the others is given too.

Goals: dashboard p95 under 50 ms; one area's report under 5 s; all 12 under
60 s on one worker. PostgreSQL only.
"""

import argparse
import os
import statistics
import sys
import time
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from areas.models import Area, School  # noqa: E402
from bench.sessions import signed_in_session  # noqa: E402
from core.models import Role, User  # noqa: E402
from dashboard import services  # noqa: E402
from dashboard.models import AreaSummary  # noqa: E402
from encounters.academic_years import AcademicYear  # noqa: E402
from encounters.models import Attendance  # noqa: E402


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_requests(client, url, n):
    for _ in range(5):
        client.get(url, HTTP_HOST="localhost")
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return percentile(samples, 0.5), percentile(samples, 0.95)


def time_raw_sql(repeats=3):
    """The dashboard's coverage aggregates straight from attendance: every
    school's pupils on roll with their encounter counts, grouped as the
    summaries are, for the current academic year."""
    year = AcademicYear.current()
    sql = services.coverage_sql(scope="all", years=1)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, services.coverage_params([year]))
            rows = cursor.fetchall()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(rows)


def time_reports(areas):
    """(area name, {stage: seconds}) per area, in order. The stages inside
    report_files are told apart by its progress callbacks, so the files are
    made exactly as the report task makes them."""
    try:
        from reports.render import report_files
        from reports.snapshot import report_snapshot
    except ImportError as error:
        return None, f"reports are not available ({error})"
    today = timezone.localdate()
    start_of_month = today.replace(day=1)
    stage_after = {55: "html", 85: "pdf", 95: "csv"}
    times = []
    for area in areas:
        marks = [("start", time.perf_counter())]
        data = report_snapshot(
            area=area, period_start=start_of_month, period_end=today, generated_at=timezone.now()
        )
        marks.append(("snapshot", time.perf_counter()))

        def progress(percent, marks=marks):
            if percent in stage_after:
                marks.append((stage_after[percent], time.perf_counter()))

        report_files(data, stem=f"bench-{area.slug}", on_progress=progress)
        end = time.perf_counter()
        split = {name: at - before for (_, before), (name, at) in pairwise(marks)}
        split["total"] = end - marks[0][1]
        times.append((area.name, split))
    return times, ""


def print_reports(times):
    stages = ("snapshot", "html", "pdf", "csv", "total")
    print(f"  {'area':34s}" + "".join(f"{s if s != 'csv' else 'csv+json':>10s}" for s in stages))
    for name, split in times:
        print(f"  {name:34s}" + "".join(f"{split[s]:9.2f}s" for s in stages))
    first_name, first = times[0]
    print(f"One area's report ({first_name}): {first['total']:.2f} s (first in this process)")
    if len(times) > 1:
        later = {s: statistics.median(split[s] for _, split in times[1:]) for s in stages}
        print(
            f"One area's report, median of the other {len(times) - 1}: {later['total']:.2f} s "
            f"(snapshot {later['snapshot']:.2f}, HTML {later['html']:.2f}, "
            f"PDF {later['pdf']:.2f}, CSV+JSON {later['csv']:.2f})"
        )
    print(
        f"{len(times)} areas' reports one after another: "
        f"{sum(split['total'] for _, split in times):.1f} s"
    )
    slowest = sorted(times, key=lambda item: -item[1]["total"])[:3]
    print("  slowest: " + ", ".join(f"{n} {split['total']:.2f} s" for n, split in slowest))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reports", type=int, default=12, help="areas to build reports for")
    parser.add_argument("--raw-repeats", type=int, default=3, help="runs of the raw SQL")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL (DATABASE_URL).")

    print(
        f"Data: {School.objects.count():,} schools, {Attendance.objects.count():,} attendance rows"
    )
    if AreaSummary.objects.filter(as_of=timezone.localdate()).count() < Area.objects.count():
        start = time.perf_counter()
        services.summaries_rebuild()
        print(f"Summaries were not up to date: rebuilt in {time.perf_counter() - start:.1f} s")

    user = User.objects.filter(role=Role.DFE_STAFF, is_active=True).first()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user)
    url = reverse("dashboard:dashboard")
    p50, p95 = time_requests(client, url, args.requests)
    print(f"Dashboard page:            p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms")
    f50, f95 = time_requests(client, url + "?wave=2&sort=four_rate&order=desc", args.requests)
    print(f"Dashboard, wave 2, sorted: p50 {f50 * 1000:7.1f} ms   p95 {f95 * 1000:7.1f} ms")
    c50, c95 = time_requests(client, reverse("dashboard:csv"), args.requests)
    print(f"Dashboard CSV:             p50 {c50 * 1000:7.1f} ms   p95 {c95 * 1000:7.1f} ms")

    raw, groups = time_raw_sql(args.raw_repeats)
    print(
        f"Raw SQL over attendance:   {raw * 1000:9.1f} ms "
        f"({groups:,} groups, median of {args.raw_repeats})"
    )
    print(f"Ratio raw SQL / dashboard p50: {raw / p50:,.0f}x; / p95: {raw / p95:,.0f}x")

    school = School.objects.filter(pupils__isnull=False).order_by("urn").first()
    year = AcademicYear.current()
    start = time.perf_counter()
    services.summary_school_refresh(school_id=school.pk, academic_year=year.start_year)
    print(
        f"One school's coverage refresh (one year): {(time.perf_counter() - start) * 1000:.1f} ms"
    )
    area = Area.objects.order_by("name").first()
    start = time.perf_counter()
    services.summary_area_refresh(area_id=area.pk)
    print(f"One area's summary refresh: {(time.perf_counter() - start) * 1000:.1f} ms")

    from dashboard.coverage import area_school_coverage

    for label, read in (
        ("summaries", lambda: area_school_coverage(user=user, area=area, year=year)),
        (
            "attendance (one set-based query)",
            lambda: services.coverage_as_at(area_id=area.pk, day=year.census_date()),
        ),
    ):
        start = time.perf_counter()
        read()
        print(
            f"One area's coverage by school for reports, from {label}: "
            f"{(time.perf_counter() - start) * 1000:,.1f} ms"
        )

    if args.reports:
        times, problem = time_reports(list(Area.objects.order_by("name")[: args.reports]))
        if problem:
            print(f"Reports: {problem}")
        else:
            print_reports(times)


if __name__ == "__main__":
    main()
