"""The heavy read-only aggregates read from a real PostgreSQL streaming
replica (bin/pg-replica, DATABASE_REPLICA_URL), and a user's own writes
still show in them at once: until the replica has replayed a user's last
write, their aggregates read from the primary."""

import datetime
import time

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from areas.models import School
from core.models import Role
from core.replica import reading_from, replica_reads
from tests.encounters.factories import PupilFactory
from tests.encounters.test_pages import form_data
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = "replica"
    with connections["replica"].cursor() as cursor:
        cursor.execute("select pg_is_in_recovery()")
        assert cursor.fetchone()[0], "DATABASE_REPLICA_URL is not a replica"
    yield connections["replica"]
    _replay("resume")


def _replay(verb):
    with connections["replica"].cursor() as cursor:
        cursor.execute(f"select pg_wal_replay_{verb}()")


def _caught_up(timeout=30):
    """Wait until the replica has replayed everything committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()::text")
        position = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail("the replica did not catch up")


def test_named_reads_go_to_the_replica_and_writes_never_do(replica, area):
    SchoolFactory(area=area, name="Replicated Academy")
    _caught_up()
    with CaptureQueriesContext(replica) as on_replica, replica_reads():
        assert reading_from() == "replica"
        assert School.objects.filter(name="Replicated Academy").count() == 1
        # A write inside the block still goes to the primary (the replica
        # would refuse it).
        SchoolFactory(area=area, name="Written Academy")
    assert any("Replicated Academy" in query["sql"] for query in on_replica.captured_queries)
    assert not any("INSERT" in query["sql"] for query in on_replica.captured_queries)
    assert School.objects.filter(name="Written Academy").exists()
    assert reading_from() == "default"


def test_outside_a_request_the_replica_must_have_everything_committed(replica, area):
    _replay("pause")
    SchoolFactory(area=area, name="Not Yet Replayed Academy")
    with replica_reads():
        assert reading_from() == "default"
        assert School.objects.filter(name="Not Yet Replayed Academy").count() == 1
    _replay("resume")
    _caught_up()
    with replica_reads():
        assert reading_from() == "replica"


def test_reads_in_a_transaction_or_without_a_replica_stay_on_the_primary(replica, area, settings):
    _caught_up()
    with transaction.atomic(), replica_reads():
        assert reading_from() == "default"
    replica.close()
    port = replica.settings_dict["PORT"]
    replica.settings_dict["PORT"] = 1
    try:
        with replica_reads():
            assert reading_from() == "default"
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
    settings.READ_REPLICA = None
    with replica_reads():
        assert reading_from() == "default"


def test_a_users_own_write_shows_at_once_while_the_replica_lags(
    replica, client, school, encounter_types
):
    """Two members of staff at one school; the replica stops replaying. The
    one who records an encounter sees it in the school's coverage at once
    (read from the primary); the other, who wrote nothing, reads the replica
    and sees the figures before it, until the replica catches up."""
    pupils = PupilFactory.create_batch(
        10, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )
    writer = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    reader = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    coverage = f"/schools/{school.urn}/coverage/?year=2017"

    def coverage_for(user):
        client.force_login(user)
        with CaptureQueriesContext(replica) as on_replica:
            response = client.get(coverage)
        assert response.status_code == 200
        aggregate_on_replica = any(
            "encounters_pupil" in query["sql"] for query in on_replica.captured_queries
        )
        return response.context["coverage"]["total"].all.with_one, aggregate_on_replica

    _caught_up()
    assert coverage_for(reader) == (0, True)
    _replay("pause")
    client.force_login(writer)
    data = form_data(pupils[:6], encounter_type=encounter_types["employer-talk"].pk)
    assert client.post(f"/schools/{school.urn}/encounters/new/", data).status_code == 302

    assert coverage_for(writer) == (6, False)
    assert coverage_for(reader) == (0, True)
    _replay("resume")
    _caught_up()
    assert coverage_for(reader) == (6, True)
    assert coverage_for(writer) == (6, True)
