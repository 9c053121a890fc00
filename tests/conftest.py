"""Fixtures every test shares.

The suite runs against real PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
A missing service stops the run with an error; nothing is silently skipped.
"""

import importlib
import os

import pytest
import redis
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tests.factories import AuthenticatorFactory, SchoolFactory, UserFactory
from tests.workers import start_worker  # noqa: F401 - a fixture for the worker tests


def _replica_problems(replica):
    import psycopg2

    address = f"{replica['HOST']}:{replica['PORT']}"
    try:
        with (
            psycopg2.connect(
                host=replica["HOST"],
                port=replica["PORT"],
                user=replica["USER"],
                dbname="postgres",
                connect_timeout=3,
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("select pg_is_in_recovery()")
            if not cursor.fetchone()[0]:
                return [f"The database at {address} (DATABASE_REPLICA_URL) is not a replica"]
    except psycopg2.Error as error:
        return [f"The replica at {address} (DATABASE_REPLICA_URL) is not reachable: {error}"]
    return []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The replica's alias mirrors the test database; point it at the real
    replica, which has the test database because it streams the whole
    cluster from the primary."""
    from django.db import connections

    replica = settings.DATABASES["replica"]
    test_database = {
        **connections["default"].settings_dict,
        "HOST": replica["HOST"],
        "PORT": replica["PORT"],
        "USER": replica["USER"],
        "PASSWORD": replica["PASSWORD"],
    }
    connections["replica"].close()
    connections["replica"].settings_dict = test_database
    connections.settings["replica"] = test_database


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    problems = []
    if "postgresql" not in engine:
        problems.append(f"DATABASE_URL must point at PostgreSQL (the engine is {engine})")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must point at Redis")
    else:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3)
        try:
            client.ping()
        except redis.RedisError as error:
            problems.append(f"Redis at {settings.REDIS_URL} is not reachable: {error}")
        finally:
            client.close()
    replica = settings.DATABASES.get("replica")
    if replica is None:
        problems.append(
            "DATABASE_REPLICA_URL must point at a streaming replica of DATABASE_URL's cluster"
            " (bin/pg-replica starts one on port 5433)"
        )
    else:
        problems += _replica_problems(replica)
    if problems:
        pytest.exit("The test suite needs its services:\n  " + "\n  ".join(problems), returncode=3)


def verify_second_factor(client, user):
    """Mark ``client``'s session as having passed the second factor, with an
    authenticator app set up for ``user`` if they have none."""
    from core.services import authenticator_for

    device = authenticator_for(user) or AuthenticatorFactory(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _force_login_signs_in_fully(monkeypatch):
    """``client.force_login(user)`` skips the sign-in pages, so it skips them
    whole: a user whose role needs a second factor is also verified with one
    (verify_second_factor). A test of the second factor itself signs in
    through the pages, with the password and then the code."""
    force_login = Client.force_login

    def force_login_verified(client, user, backend=None):
        force_login(client, user, backend)
        if user.second_factor_required:
            verify_second_factor(client, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture
def reference_areas(db):
    """The 12 areas from the data migration. Transactional tests flush the
    database, so they are put back (idempotently) from the migration itself."""
    from django.apps import apps

    from areas.models import Area

    migration = importlib.import_module("areas.migrations.0005_area_rules_with_validity")
    migration.create_areas_with_rules(apps, None)
    return {area.slug: area for area in Area.objects.all()}


@pytest.fixture
def area(reference_areas):
    return reference_areas["blackpool"]


@pytest.fixture
def other_area(reference_areas):
    return reference_areas["hastings"]


@pytest.fixture
def school(area):
    return SchoolFactory(area=area, name="Own Scope Academy")


@pytest.fixture
def other_school(other_area):
    return SchoolFactory(area=other_area, name="Other Scope Academy")


@pytest.fixture
def users(area, school):
    """One user per role, scoped to `area` and `school`."""
    from core.models import Role

    return {
        Role.SCHOOL_STAFF: UserFactory(role=Role.SCHOOL_STAFF, schools=[school]),
        Role.BOARD_MEMBER: UserFactory(role=Role.BOARD_MEMBER, area=area),
        Role.AREA_LEAD: UserFactory(role=Role.AREA_LEAD, area=area),
        Role.DFE_STAFF: UserFactory(role=Role.DFE_STAFF),
        Role.ADMINISTRATOR: UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }


# --- Browser tests: Debian's Chromium, never a downloaded browser ---------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def every_data_set_is_screened(monkeypatch):
    """Every EES data set any test builds (a page's download, a report's
    files) goes through the screener port: a test that makes the service
    write a file DfE's screener would refuse fails, whatever it tests
    (ADR 0010)."""
    from core.ees import DataSet
    from tests.ees.screener import screen

    files = DataSet.files

    def screened(data_set):
        written = files(data_set)
        data_name, meta_name = data_set.file_names
        result = screen(written[data_name], written[meta_name], data_name=data_name)
        assert result.passed, f"{data_name} fails the EES screener:\n{result}"
        return written

    monkeypatch.setattr(DataSet, "files", screened)
