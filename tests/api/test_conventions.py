"""API conventions: one error format, pagination, ordering, ISO dates, and
the validation the pages apply to progress."""

import pytest
from django.test import Client

from core.models import Role
from tests.api.conftest import results

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"status", "code", "message", "errors"}


def _measurement(world, **values):
    return {
        "lineage": world.own.rows["indicator"].lineage_id,
        "date": "2019-07-31",
        "value": "61.5",
        "status": "final",
        **values,
    }


def test_validation_errors_name_each_field(api, world):
    response = api(Role.BOARD_MEMBER).post(
        "/api/v1/measurements/",
        _measurement(world, value="lots", status="guess", date="2019-13-01"),
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert {error["field"] for error in body["errors"]} == {"value", "status", "date"}
    assert all(error["code"] and error["message"] for error in body["errors"])


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2017-07-31", "Date must be after the baseline date, 31 July 2017"),
        ("2999-01-01", "Date must be today or in the past"),
    ],
)
def test_measurement_dates_follow_the_page_rules(date, message, api, world):
    response = api(Role.BOARD_MEMBER).post("/api/v1/measurements/", _measurement(world, date=date))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "date", "code": "invalid", "message": message}]


@pytest.mark.parametrize(
    ("value", "stored"), [("61.5%", "61.500"), ("9,100", "9100.000"), (61.5, "61.500")]
)
def test_a_measurement_value_is_read_as_the_forms_and_imports_read_it(value, stored, api, world):
    response = api(Role.BOARD_MEMBER).post(
        "/api/v1/measurements/", _measurement(world, value=value)
    )

    assert response.status_code == 201, response.content
    assert response.json()["value"] == stored


def test_a_percent_sign_is_refused_for_an_indicator_that_is_no_percentage(api, world):
    indicator = world.own.rows["indicator"]
    type(indicator).objects.filter(lineage=indicator.lineage).update(unit="count")

    response = api(Role.BOARD_MEMBER).post("/api/v1/measurements/", _measurement(world))
    refused = api(Role.BOARD_MEMBER).post(
        "/api/v1/measurements/", _measurement(world, value="61.5%")
    )

    assert response.status_code == 201, response.content
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "field": "value",
            "code": "percent",
            "message": "Value cannot end in %: it is not a percentage",
        }
    ]


@pytest.mark.parametrize(
    ("spend", "status", "stored_or_code"),
    [
        ("£12,500", 201, "12500.00"),
        ("12,500.50", 201, "12500.50"),
        ("1e3", 400, "exponent"),
        ("61.5%", 400, "percent"),
        ("1,2,00", 400, "separators"),
    ],
)
def test_spend_is_read_as_the_forms_and_imports_read_it(spend, status, stored_or_code, api, world):
    response = api(Role.BOARD_MEMBER).post(
        "/api/v1/action-updates/",
        {
            "lineage": world.own.rows["action"].lineage_id,
            "date": "2019-07-31",
            "status": "on_track",
            "narrative": "Going well",
            "spend_to_date": spend,
        },
    )

    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["spend_to_date"] == stored_or_code
    else:
        assert [error["code"] for error in response.json()["errors"]] == [stored_or_code]


def test_an_action_update_follows_the_page_rules(api, world):
    response = api(Role.BOARD_MEMBER).post(
        "/api/v1/action-updates/",
        {
            "lineage": world.own.rows["action"].lineage_id,
            "date": "2999-01-01",
            "status": "on_track",
            "narrative": "x" * 5001,
            "spend_to_date": "-1",
            "evidence_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"date", "narrative", "spend_to_date", "evidence_url"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "parse_error"),
        ('{"note": "\\ud800"}', "application/json", 400, "parse_error"),
        ("lineage=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_bodies_that_are_not_json_are_refused_in_the_error_format(
    body, content_type, status, code, tokens
):
    response = Client().post(
        "/api/v1/measurements/",
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {tokens[Role.BOARD_MEMBER]}"},
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == ERROR_KEYS


def test_unknown_api_addresses_are_404_in_the_error_format(api):
    for path in ["/api/", "/api/v1/", "/api/v1/nothing/", "/api/v2/areas/", "/api/v1/plans/x/"]:
        response = api(Role.ADMINISTRATOR).get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_bad_filter_values_and_pages_are_errors_not_surprises(api, world):
    client = api(Role.ADMINISTRATOR)
    bad_filter = client.get("/api/v1/measurements/", {"date_from": "yesterday"})
    assert bad_filter.status_code == 400
    assert bad_filter.json()["errors"][0]["field"] == "date_from"
    assert client.get("/api/v1/plans/", {"page": 99}).status_code == 404


def test_lists_are_paginated_and_ordered_with_stable_ties(api, world):
    client = api(Role.ADMINISTRATOR)
    first = client.get("/api/v1/areas/", {"page_size": 5, "ordering": "wave"}).json()
    assert first["count"] == 12
    assert len(first["results"]) == 5
    assert first["next"].endswith("page=2&page_size=5") or "page=2" in first["next"]
    every = []
    page = 1
    while True:
        body = client.get(
            "/api/v1/areas/", {"page_size": 5, "ordering": "wave", "page": page}
        ).json()
        every += [area["slug"] for area in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert len(every) == len(set(every)) == 12
    waves = [area["wave"] for area in results(client.get("/api/v1/areas/", {"ordering": "-wave"}))]
    assert waves == sorted(waves, reverse=True)


def test_dates_are_iso_8601(api, world):
    plan = api(Role.ADMINISTRATOR).get(f"/api/v1/plans/{world.own.rows['plan'].pk}/").json()
    assert plan["published_at"].startswith(str(world.own.rows["plan"].published_at.year))
    assert "T" in plan["published_at"]
    measurement = results(api(Role.ADMINISTRATOR).get("/api/v1/measurements/"))[0]
    assert measurement["date"] == "2018-07-31"


def test_board_members_are_shown_as_on_the_board_page(api, world):
    """No contact email, no account: what the board page shows."""
    membership = results(api(Role.BOARD_MEMBER).get("/api/v1/board-memberships/"))[0]
    assert membership["name"] == "Pat Chair"
    assert "contact_email" not in membership
    assert "user" not in membership
    assert "@" not in str(membership)
