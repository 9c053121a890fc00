"""Every role against every endpoint, in its own scope and another: what it
may read (lists, details, filters, counts) and what it may write, with
every method. Every request is made with the role's API token.

Own scope is Blackpool (the area of the school staff's school, the area of
the board member and lead); other scope is Hastings.
"""

from decimal import Decimal

import pytest
from django.apps import apps

from config.api_urls import router
from core.models import ChangeRecord, Role

pytestmark = pytest.mark.django_db

ALL_AREAS = {Role.DFE_STAFF, Role.ADMINISTRATOR}
SHARED = {"organisation"}  # reference data every signed-in user reads
LOOKUP = {"area": "slug", "school": "urn"}
WRITABLE = {"measurement", "action-update"}  # POST only
UNSAFE = ["post", "put", "patch", "delete"]
KINDS = [
    "area",
    "school",
    "organisation",
    "board",
    "board-membership",
    "board-meeting",
    "board-decision",
    "plan",
    "priority",
    "indicator",
    "target",
    "action",
    "measurement",
    "action-update",
]
DRAFT_KINDS = ["plan", "priority", "indicator", "target", "action"]
# Pupil-level endpoints and coverage: their matrix is in test_encounters_api.py.
ENCOUNTER_KINDS = ["pupil", "encounter-type", "encounter", "area-coverage", "school-coverage"]
REPORT_DASHBOARD_KINDS = ["report-run", "dashboard-area"]  # test_reports_dashboard_api.py


def test_the_matrix_covers_every_endpoint():
    assert sorted(basename for _, _, basename in router.registry) == sorted(
        KINDS + ENCOUNTER_KINDS + REPORT_DASHBOARD_KINDS
    )


def _prefix(kind):
    return next(prefix for prefix, _, basename in router.registry if basename == kind)


def _list_url(kind):
    return f"/api/v1/{_prefix(kind)}/"


def _id(kind, row):
    return getattr(row, LOOKUP.get(kind, "pk"))


def _detail_url(kind, row):
    return f"{_list_url(kind)}{_id(kind, row)}/"


def _ids(response, kind):
    assert response.status_code == 200, response.content
    key = LOOKUP.get(kind, "id")
    return {row[key] for row in response.json()["results"]}


def _sees(role, kind, scope):
    if kind in SHARED or role in ALL_AREAS:
        return True
    return scope == "own"


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_lists_hold_own_scope_and_never_other_scope(kind, role, api, world):
    listed = _ids(api(role).get(_list_url(kind), {"page_size": 200}), kind)
    for scope in ("own", "other"):
        row = getattr(world, scope).rows[kind]
        assert (_id(kind, row) in listed) == _sees(role, kind, scope), (kind, role, scope)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_details_answer_in_scope_and_404_outside(kind, role, api, world):
    for scope in ("own", "other"):
        row = getattr(world, scope).rows[kind]
        response = api(role).get(_detail_url(kind, row))
        expected = 200 if _sees(role, kind, scope) else 404
        assert response.status_code == expected, (kind, role, scope)
        if expected == 404:
            assert response.json() == {
                "status": 404,
                "code": "not_found",
                "message": "Not found.",
                "errors": [],
            }


def _sees_draft(role, scope):
    return role == Role.ADMINISTRATOR or (role == Role.AREA_LEAD and scope == "own")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", DRAFT_KINDS)
def test_drafts_only_for_those_who_may_edit_the_plan(kind, role, api, world):
    listed = _ids(api(role).get(_list_url(kind), {"page_size": 200}), kind)
    for scope in ("own", "other"):
        row = getattr(world, scope).draft_rows[kind]
        assert (row.pk in listed) == _sees_draft(role, scope), (kind, role, scope)
        status = api(role).get(_detail_url(kind, row)).status_code
        assert status == (200 if _sees_draft(role, scope) else 404)


def _filters_naming(world_rows, kind):
    """Every filter that names a row of the other scope, for this endpoint."""
    area = world_rows["area"]
    rows = world_rows
    by_kind = {
        "school": {"area": area.slug, "la_code": rows["school"].la_code},
        "organisation": {"area": area.slug},
        "board": {"area": area.slug},
        "board-membership": {"area": area.slug, "board": rows["board"].pk},
        "board-meeting": {"area": area.slug, "board": rows["board"].pk},
        "board-decision": {
            "area": area.slug,
            "board": rows["board"].pk,
            "meeting": rows["board-meeting"].pk,
        },
        "plan": {"area": area.slug},
        "priority": {"area": area.slug, "plan": rows["plan"].pk},
        "indicator": {"area": area.slug, "plan": rows["plan"].pk},
        "target": {"area": area.slug, "indicator": rows["indicator"].pk},
        "action": {"area": area.slug, "plan": rows["plan"].pk},
        "measurement": {"area": area.slug, "lineage": rows["indicator"].lineage_id},
        "action-update": {"area": area.slug, "lineage": rows["action"].lineage_id},
    }
    return by_kind.get(kind, {})


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD])
@pytest.mark.parametrize("kind", [k for k in KINDS if k not in SHARED and k != "area"])
def test_filters_naming_other_scope_find_nothing(kind, role, api, world):
    """A filter is applied to the scoped rows: naming another area's rows
    finds nothing, exactly as naming rows that do not exist does."""
    filters = _filters_naming(world.other.rows, kind)
    assert filters, kind
    for name, value in filters.items():
        assert _ids(api(role).get(_list_url(kind), {name: value}), kind) == set(), name
        assert _ids(api(role).get(_list_url(kind), {name: 987654}), kind) == set(), name


@pytest.mark.parametrize("role", list(Role))
def test_area_counts_count_only_schools_in_scope(role, api, world, users):
    """The counts on areas are aggregates of scoped rows: school staff count
    their own school, not the neighbour in the same area."""
    response = api(role).get(_detail_url("area", world.own.area))
    assert response.status_code == 200
    own_school, neighbour = world.own.rows["school"], world.neighbour_school
    expected = [own_school] if role == Role.SCHOOL_STAFF else [own_school, neighbour]
    assert response.json()["school_count"] == len(expected)
    assert response.json()["pupil_count"] == sum(s.number_of_pupils for s in expected)


def test_school_staff_see_only_their_own_school(api, world):
    listed = _ids(api(Role.SCHOOL_STAFF).get(_list_url("school")), "school")
    assert listed == {world.own.rows["school"].urn}
    neighbour = api(Role.SCHOOL_STAFF).get(_detail_url("school", world.neighbour_school))
    assert neighbour.status_code == 404


# --- Writes ----------------------------------------------------------------------------


def _table_state():
    """Every row of every model the API shows, and the history."""
    models = [
        apps.get_model(label)
        for label in [
            "areas.Area",
            "areas.School",
            "partners.Organisation",
            "partners.PartnershipBoard",
            "partners.BoardMembership",
            "partners.BoardMeeting",
            "partners.Decision",
            "plans.DeliveryPlan",
            "plans.Priority",
            "plans.Indicator",
            "plans.Target",
            "plans.Action",
            "plans.Measurement",
            "plans.ActionUpdate",
        ]
    ]
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    state["ChangeRecord"] = ChangeRecord.objects.count()
    return state


def _attempt(kind, world_rows):
    """A body that would change a row of this kind, if anything let it."""
    rows = world_rows
    if kind == "measurement":
        return {
            "lineage": rows["indicator"].lineage_id,
            "date": "2019-07-31",
            "value": "61.5",
            "status": "final",
        }
    if kind == "action-update":
        return {
            "lineage": rows["action"].lineage_id,
            "date": "2019-01-31",
            "status": "at_risk",
            "narrative": "Two schools dropped out.",
            "spend_to_date": "12500.00",
        }
    return {"name": "Changed", "title": "Changed", "status": "published", "area": "hastings"}


def _expected_write_status(kind, role, scope, method, on_detail):
    if role == Role.DFE_STAFF:
        return 403  # read-only role, whatever the endpoint
    if kind in WRITABLE and role == Role.SCHOOL_STAFF:
        return 403  # school staff never log plan progress
    if kind not in WRITABLE or on_detail or method != "post":
        return 405
    if role == Role.SCHOOL_STAFF:
        return 403
    if scope == "other" and role != Role.ADMINISTRATOR:
        return 400  # the lineage is not one the user can see: "does not exist"
    return 201


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_every_unsafe_method_writes_only_in_scope(kind, role, api, world):
    client = api(role)
    state = _table_state()
    for scope in ("own", "other"):
        rows = getattr(world, scope).rows
        body = _attempt(kind, rows)
        for on_detail in (False, True):
            url = _detail_url(kind, rows[kind]) if on_detail else _list_url(kind)
            for method in UNSAFE:
                response = client.request(method, url, body)
                expected = _expected_write_status(kind, role, scope, method, on_detail)
                assert response.status_code == expected, (kind, role, scope, method, url)
                if expected == 201:
                    state = _table_state()
                else:
                    assert set(response.json()) == {"status", "code", "message", "errors"}
                    assert _table_state() == state, (kind, role, scope, method, url)


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.ADMINISTRATOR])
def test_a_measurement_written_in_scope_is_recorded_with_history(role, api, world, users):
    indicator = world.own.rows["indicator"]
    response = api(role).post(
        _list_url("measurement"),
        {"lineage": indicator.lineage_id, "date": "2019-07-31", "value": "61.5", "status": "final"},
    )
    assert response.status_code == 201, response.content
    measurement = indicator.lineage.measurements.get(date="2019-07-31")
    assert measurement.value == Decimal("61.5")
    assert measurement.entered_by == users[role]
    assert ChangeRecord.objects.filter(object_id=measurement.pk, changed_by=users[role]).exists()
    again = api(role).post(
        _list_url("measurement"),
        {"lineage": indicator.lineage_id, "date": "2019-07-31", "value": "62", "status": "revised"},
    )
    assert again.status_code == 200
    assert indicator.lineage.measurements.get(date="2019-07-31").value == Decimal("62")


def test_progress_cannot_be_logged_against_a_draft_only_row(api, world):
    """A board member cannot see the draft, so cannot write to it either."""
    draft_indicator = world.own.draft_rows["indicator"]
    draft_action = world.own.draft_rows["action"]
    member = api(Role.BOARD_MEMBER)
    measurement = member.post(
        _list_url("measurement"),
        {
            "lineage": draft_indicator.lineage_id,
            "date": "2019-07-31",
            "value": "1",
            "status": "final",
        },
    )
    assert measurement.status_code == 400
    assert measurement.json()["errors"][0]["field"] == "lineage"
    update = member.post(
        _list_url("action-update"),
        {
            "lineage": draft_action.lineage_id,
            "date": "2019-01-31",
            "status": "on_track",
            "narrative": "Started.",
            "spend_to_date": "0",
        },
    )
    assert update.status_code == 400
    assert not draft_indicator.lineage.measurements.exists()
    assert not draft_action.lineage.updates.exists()


def test_a_write_outside_scope_reads_like_a_row_that_does_not_exist(api, world):
    member = api(Role.BOARD_MEMBER)
    body = {"date": "2019-07-31", "value": "1", "status": "final"}
    other = member.post(
        _list_url("measurement"), {**body, "lineage": world.other.rows["indicator"].lineage_id}
    )
    missing = member.post(_list_url("measurement"), {**body, "lineage": 987654})
    assert other.status_code == missing.status_code == 400
    assert [e["code"] for e in other.json()["errors"]] == ["does_not_exist"]
    assert [e["code"] for e in missing.json()["errors"]] == ["does_not_exist"]
