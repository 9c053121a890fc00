"""Every API list and detail reads a fixed number of queries, whatever the
number of rows: measured with the small world, then with many more rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api_urls import router
from core.models import Role
from partners.models import BoardMeeting, BoardMembership, Decision
from tests.factories import SchoolFactory, UserFactory
from tests.plans.factories import OrganisationFactory, published_plan_with

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, (url, response.content)
    return len(queries)


def _many_more_rows(world, reference_areas):
    area = world.own.area
    third = reference_areas["derby"]
    published_plan_with(
        third,
        priorities=4,
        indicators_per_priority=3,
        actions_per_priority=3,
        measurements_per_indicator=3,
        updates_per_action=3,
        user=UserFactory(role=Role.ADMINISTRATOR),
    )
    board = world.own.rows["board"]
    people = [UserFactory(role=Role.BOARD_MEMBER, area=area) for _ in range(3)]
    for n in range(6):
        organisation = OrganisationFactory(area=area)
        BoardMembership.objects.create(
            board=board,
            user=people[n % 3] if n < 3 else None,
            contact_name="" if n < 3 else f"Contact {n}",
            organisation=organisation,
            sector_represented="Employers",
            start_date=date(2017, 1, 1),
        )
        meeting = BoardMeeting.objects.create(board=board, date=date(2018, 1 + n, 1))
        for _ in range(3):
            Decision.objects.create(meeting=meeting, decision="Next step", owner="Chair")
    for _ in range(10):
        SchoolFactory(area=area)


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.ADMINISTRATOR])
def test_lists_read_a_fixed_number_of_queries(role, api, world, reference_areas):
    client = api(role)
    client.get("/api/v1/areas/")  # the token's first use records last_used_at
    urls = [f"/api/v1/{prefix}/" for prefix, _, _ in router.registry]
    few = {url: _queries(client, url) for url in urls}
    _many_more_rows(world, reference_areas)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many
