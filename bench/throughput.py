"""Benchmark: requests per second and latency of the service's pages and API
against a bare Django JSON view, both served by gunicorn with the same
settings, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oat_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/throughput.py [--seed demo|national] \\
            [--clients 8] [--seconds 8] [--workers 2]

With --seed it migrates the database and loads the demo (or the national
seed) first; otherwise the database must hold one. It signs in one user of
each kind the endpoints need (sessions with both factors for DfE staff; API
tokens), starts gunicorn twice (the service with production settings, and
bench/bare_django.py) with the same workers, and for each endpoint runs one
client, then N concurrent clients, for the given seconds each. It prints
requests/s, p50, p95 and p99 for each, the ratio of each endpoint's
requests/s to the bare view's, and the goals of issue 13:

- p95 under 50 ms with one client and under 100 ms with 8;
- throughput at least a fifth of bare Django for API lists, a tenth for pages.

Every response must be 200; the count of others is printed (and fails the run).
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("PUPIL_HASH_KEY", "bench-only-pupil-hash-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402

from areas.models import Area, School  # noqa: E402
from bench.sessions import signed_in_session  # noqa: E402
from core.models import Role, User  # noqa: E402
from core.tokens import api_token_create  # noqa: E402

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples, share):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def session_cookie(user):
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={signed_in_session(user)}"}


def token_header(user):
    _, raw = api_token_create(user=user, name="Throughput benchmark")
    return {"Authorization": f"Bearer {raw}"}


def endpoints():
    """(label, kind, path, headers) for the endpoints the issue names."""
    dfe = User.objects.filter(role=Role.DFE_STAFF, is_active=True).first()
    # The area with the most schools among those with a lead and a board member.
    area = (
        Area.objects.filter(users__role=Role.AREA_LEAD, users__is_active=True)
        .filter(users__role=Role.BOARD_MEMBER)
        .annotate(schools_n=Count("schools", distinct=True))
        .order_by("-schools_n", "slug")
        .first()
    )
    if dfe is None or area is None:
        sys.exit("The database needs DfE staff, an area lead and a board member: --seed demo")
    board = User.objects.filter(role=Role.BOARD_MEMBER, area=area, is_active=True).first()
    lead = User.objects.filter(role=Role.AREA_LEAD, area=area, is_active=True).first()
    school = (
        School.objects.filter(area=area)
        .annotate(encounters_n=Count("encounters"))
        .order_by("-encounters_n")
        .first()
    )
    staff = User.objects.filter(role=Role.SCHOOL_STAFF, schools=school, is_active=True).first()
    if staff is None:
        staff = User.objects.create_user(
            email=f"bench-staff-{school.urn}@example.org",
            password=None,
            role=Role.SCHOOL_STAFF,
        )
        staff.schools.add(school)
    dfe_session, board_session = session_cookie(dfe), session_cookie(board)
    lead_session, staff_session = session_cookie(lead), session_cookie(staff)
    dfe_token, staff_token = token_header(dfe), token_header(staff)
    return [
        ("API: areas (token)", "api", "/api/v1/areas/", dfe_token),
        ("API: a school's encounters (token)", "api", "/api/v1/encounters/", staff_token),
        ("API: area coverage (token)", "api", f"/api/v1/coverage/areas/{area.slug}/", dfe_token),
        ("API: dashboard areas (token)", "api", "/api/v1/dashboard/areas/", dfe_token),
        ("Page: dashboard (DfE)", "page", "/dashboard/", dfe_session),
        ("Page: area plan (board member)", "page", f"/areas/{area.slug}/plan/", board_session),
        ("Page: area encounters (lead)", "page", f"/areas/{area.slug}/encounters/", lead_session),
        (
            "Page: school encounters (staff)",
            "page",
            f"/schools/{school.urn}/encounters/",
            staff_session,
        ),
    ]


def serve(args, app, port, env):
    command = [
        GUNICORN,
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start: {' '.join(command)}")


def load(port, path, headers, clients, seconds):
    """Requests from `clients` threads for `seconds`: latencies and failures."""
    latencies, failures, lock = [], [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        mine, bad = [], []
        while time.monotonic() < stop_at:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                bad.append(response.status)
            connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "n": len(latencies),
        "failures": failures,
    }


def seed(scale):
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)  # noqa: S603
    command = [*manage, "seed_demo"] + (["--scale", "national"] if scale == "national" else [])
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", choices=["demo", "national"])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"] or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL to a PostgreSQL database and REDIS_URL to Redis")
    if args.seed:
        seed(args.seed)
    targets = endpoints()
    rows = {
        "schools": School.objects.count(),
        "attendance": User.objects.none()
        .model._meta.apps.get_model("encounters", "Attendance")
        .objects.count(),
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", settings.SECRET_KEY),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        # The throttle still counts every request (one cache round trip),
        # at a rate the benchmark's own load does not reach.
        "API_TOKEN_THROTTLE_RATE": "1000000/hour",
    }
    # Production settings serve static files from the collected manifest.
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    service_port, bare_port = free_port(), free_port()
    service = serve(args, "config.wsgi:application", service_port, env)
    bare = serve(args, "bench.bare_django:application", bare_port, env)
    results = {}
    try:
        for label, port, path, headers in [
            ("Bare Django JSON view", bare_port, "/rows/", {}),
            *[(label, service_port, path, headers) for label, _, path, headers in targets],
        ]:
            load(port, path, headers, 1, 1)  # warm up: imports, caches, connections
            results[label] = (
                load(port, path, headers, 1, args.seconds),
                load(port, path, headers, args.clients, args.seconds),
            )
    finally:
        for process in (service, bare):
            process.terminate()
            process.wait(30)

    kinds = {label: kind for label, kind, _, _ in targets}
    bare_rps = results["Bare Django JSON view"][1]["rps"]
    print(
        f"Throughput: gunicorn --workers {args.workers}, 1 and {args.clients} clients, "
        f"{args.seconds:g} s each; {rows['schools']:,} schools, "
        f"{rows['attendance']:,} attendance rows"
    )
    header = (
        f"{'endpoint':38} {'1 client p50/p95 ms':>20} "
        f"{f'{args.clients} clients req/s':>16} {'p50/p95/p99 ms':>18} {'÷ bare':>7}  goals"
    )
    print(header)
    failed = 0
    for label, (single, many) in results.items():
        ratio = many["rps"] / bare_rps
        goals = ""
        if label in kinds:
            floor = 1 / 5 if kinds[label] == "api" else 1 / 10
            checks = [
                ("p95(1)<50", single["p95"] < 50),
                (f"p95({args.clients})<100", many["p95"] < 100),
                (f"ratio≥1/{round(1 / floor)}", ratio >= floor),
            ]
            goals = " ".join(f"{name}:{'met' if ok else 'NOT met'}" for name, ok in checks)
        failed += len(single["failures"]) + len(many["failures"])
        print(
            f"{label:38} {single['p50']:>9.1f}/{single['p95']:<9.1f} "
            f"{many['rps']:>16.1f} "
            f"{many['p50']:>6.1f}/{many['p95']:.1f}/{many['p99']:<6.1f} "
            f"{ratio:>7.3f}  {goals}"
        )
    print(f"Responses other than 200: {failed}")
    ratios = [many["rps"] / bare_rps for label, (_, many) in results.items() if label in kinds]
    print(f"Median of the service's ratios to bare Django: {statistics.median(ratios):.3f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
