import pytest

from core.models import Role
from tests.factories import SECOND_FACTOR_QUERIES, SchoolFactory

pytestmark = pytest.mark.django_db


def test_area_page_shows_schools_and_counts(client, users, area):
    SchoolFactory(area=area, name="Highfield Primary School", phase="Primary", number_of_pupils=300)
    SchoolFactory(area=area, name="Kingsway Academy", phase="Secondary", number_of_pupils=1200)
    SchoolFactory(area=area, name="Closed Down School", status="Closed", number_of_pupils=99)
    client.force_login(users[Role.BOARD_MEMBER])
    html = client.get(f"/areas/{area.slug}/").content.decode()
    assert "Highfield Primary School" in html
    assert "Kingsway Academy" in html
    assert "Closed Down School" not in html
    # The `school` fixture (users' school) is a third open school.
    assert '<dd class="govuk-summary-list__value">3</dd>' in html


def test_school_page_shows_the_profile(client, users, school):
    school.trust_name = "Coastal Academies Trust"
    school.percentage_fsm = "23.4"
    school.save()
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/").content.decode()
    for text in ("Coastal Academies Trust", "23.4%", "Secondary", "Blackpool"):
        assert text in html


@pytest.mark.parametrize("rows", [1, 40])
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/home/", 8 + SECOND_FACTOR_QUERIES),
        ("/areas/", 7 + SECOND_FACTOR_QUERIES),
        ("/areas/blackpool/", 9 + SECOND_FACTOR_QUERIES),
        ("/schools/", 7 + SECOND_FACTOR_QUERIES),
    ],
)
def test_list_pages_have_a_query_budget(
    client, users, area, rows, path, budget, django_assert_max_num_queries
):
    SchoolFactory.create_batch(rows, area=area)
    client.force_login(users[Role.DFE_STAFF])
    with django_assert_max_num_queries(budget):
        assert client.get(path).status_code == 200


def test_school_list_is_paginated(client, users, area):
    SchoolFactory.create_batch(60, area=area)
    client.force_login(users[Role.DFE_STAFF])
    first = client.get("/schools/").content.decode()
    assert 'rel="next"' in first
    assert client.get("/schools/?page=2").status_code == 200
