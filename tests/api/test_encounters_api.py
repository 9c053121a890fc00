"""Pupils, encounter types, encounters and coverage through the API: every
role against every endpoint in its own scope and another, for every method;
the bulk endpoint's all-or-nothing; mass assignment; UPNs and their hashes
never leave; small cohorts are suppressed in area aggregates.

Pupil-level rows (pupils, encounters) are for the school's own staff and
administrators only (core.scoping.visible_to): for every other role the lists
are empty and every address is a 404.
"""

import datetime
import importlib

import pytest
from django.apps import apps

from core.models import ChangeRecord, Role
from dashboard.services import summaries_rebuild
from encounters.models import Attendance, Encounter, Pupil
from tests.encounters.factories import (
    EmployerFactory,
    EncounterFactory,
    PupilFactory,
    attend,
    make_upn,
)
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

PUPIL_LEVEL = {Role.SCHOOL_STAFF, Role.ADMINISTRATOR}
AREA_AGGREGATES = {Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR}
UNSAFE = ["post", "put", "patch", "delete"]
KINDS = ["pupil", "encounter-type", "encounter", "area-coverage", "school-coverage"]
PREFIX = {
    "pupil": "pupils",
    "encounter-type": "encounter-types",
    "encounter": "encounters",
    "area-coverage": "coverage/areas",
    "school-coverage": "coverage/schools",
}
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def encounter_types(db):
    """The seeded types, put back if a transactional test flushed them."""
    migration = importlib.import_module("encounters.migrations.0002_encounter_types")
    migration.create_encounter_types(apps, None)


def _school_rows(school, n):
    pupil = PupilFactory(school=school, upn=make_upn(900 + n))
    encounter = EncounterFactory(school=school)
    attend(encounter, [pupil])
    return {"pupil": pupil, "encounter": encounter}


@pytest.fixture
def rows(area, other_area, school, other_school):
    """{scope: {kind: row}}: own is the school staff's school and area."""
    neighbour = SchoolFactory(area=area, name="Neighbour Academy")
    own = _school_rows(school, 1)
    other = _school_rows(other_school, 2)
    from encounters.models import EncounterType

    talk = EncounterType.objects.get(code="employer-talk")
    return {
        "own": {**own, "encounter-type": talk, "area-coverage": area, "school-coverage": school},
        "other": {
            **other,
            "encounter-type": talk,
            "area-coverage": other_area,
            "school-coverage": other_school,
        },
        "neighbour": _school_rows(neighbour, 3),
    }


def _key(kind, row):
    return {
        "encounter-type": lambda r: r.code,
        "area-coverage": lambda r: r.slug,
        "school-coverage": lambda r: r.urn,
    }.get(kind, lambda r: r.pk)(row)


def _list_url(kind):
    return f"/api/v1/{PREFIX[kind]}/"


def _detail_url(kind, row):
    return f"{_list_url(kind)}{_key(kind, row)}/"


def _sees(role, kind, scope):
    if kind == "encounter-type":
        return True
    if kind == "area-coverage":
        return (
            role in AREA_AGGREGATES
            and (scope == "own" or role != Role.AREA_LEAD)
            and (scope == "own" or role != Role.BOARD_MEMBER)
        )
    # Pupil-level: pupils, encounters and a school's own coverage.
    return role == Role.ADMINISTRATOR or (role == Role.SCHOOL_STAFF and scope == "own")


def test_the_endpoints_are_registered():
    from config.api_urls import router

    registered = {basename: prefix for prefix, _, basename in router.registry}
    assert {kind: registered[kind] for kind in KINDS} == PREFIX


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_lists_hold_own_scope_and_never_other_scope(kind, role, api, rows):
    response = api(role).get(_list_url(kind), {"page_size": 200})
    assert response.status_code == 200, response.content
    key = {"encounter-type": "code", "area-coverage": "slug", "school-coverage": "urn"}
    listed = {row[key.get(kind, "id")] for row in response.json()["results"]}
    for scope in ("own", "other"):
        assert (_key(kind, rows[scope][kind]) in listed) == _sees(role, kind, scope), scope
    if kind in ("pupil", "encounter"):
        # School staff see their own school, not a neighbour in the same area.
        neighbour = rows["neighbour"][kind].pk in listed
        assert neighbour == (role == Role.ADMINISTRATOR)
        if role not in PUPIL_LEVEL:
            assert listed == set()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_details_answer_in_scope_and_404_outside(kind, role, api, rows):
    for scope in ("own", "other"):
        response = api(role).get(_detail_url(kind, rows[scope][kind]))
        expected = 200 if _sees(role, kind, scope) else 404
        assert response.status_code == expected, (scope, response.content)
        if expected == 404:
            assert response.json() == {
                "status": 404,
                "code": "not_found",
                "message": "Not found.",
                "errors": [],
            }


@pytest.mark.parametrize("kind", ["pupil", "encounter", "school-coverage"])
def test_school_staff_get_404_for_a_neighbour_school_in_their_area(kind, api, rows):
    row = rows["neighbour"]["pupil" if kind == "school-coverage" else kind]
    target = row.school if kind == "school-coverage" else row
    assert api(Role.SCHOOL_STAFF).get(_detail_url(kind, target)).status_code == 404


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.ADMINISTRATOR])
@pytest.mark.parametrize("kind", ["pupil", "encounter"])
def test_a_school_filter_naming_another_school_finds_nothing_for_its_staff(kind, role, api, rows):
    other = rows["other"][kind].school.urn
    response = api(role).get(_list_url(kind), {"school": other})
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == ({rows["other"][kind].pk} if role == Role.ADMINISTRATOR else set())


# --- Writes ----------------------------------------------------------------------------


def _state():
    models = ["areas.Area", "areas.School", "encounters.Pupil", "encounters.Encounter"]
    state = {label: list(apps.get_model(label).objects.order_by("pk").values()) for label in models}
    state["attendance"] = list(Attendance.objects.order_by("pk").values())
    state["history"] = ChangeRecord.objects.count()
    return state


def _body(rows, scope):
    pupil = rows[scope]["pupil"]
    return {
        "school": pupil.school.urn,
        "date": TODAY.isoformat(),
        "type": "employer-talk",
        "title": "Careers talk",
        "pupils": [pupil.pk],
    }


def _expected_write(kind, role, scope, method, on_detail):
    if role == Role.DFE_STAFF:
        return 403  # read-only role
    if kind != "encounter":
        return 405  # read-only in the API
    if role not in PUPIL_LEVEL:
        return 403  # only a school's own staff record its encounters
    if on_detail or method != "post":
        return 405  # recorded encounters are changed on the pages
    if scope == "other" and role == Role.SCHOOL_STAFF:
        return 400  # the school reads as one that does not exist
    return 201


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", KINDS)
def test_every_unsafe_method_writes_only_in_scope(kind, role, api, rows):
    client = api(role)
    state = _state()
    for scope in ("own", "other"):
        body = _body(rows, scope)
        for on_detail in (False, True):
            url = _detail_url(kind, rows[scope][kind]) if on_detail else _list_url(kind)
            for method in UNSAFE:
                response = client.request(method, url, body)
                expected = _expected_write(kind, role, scope, method, on_detail)
                assert response.status_code == expected, (scope, method, url, response.content)
                if expected == 201:
                    state = _state()
                else:
                    assert set(response.json()) == {"status", "code", "message", "errors"}
                    assert _state() == state, (scope, method, url)


@pytest.mark.parametrize("role", list(Role))
def test_bulk_writes_only_for_a_schools_own_staff(role, api, rows):
    before = _state()
    response = api(role).post(
        "/api/v1/encounters/bulk/", {"records": [_body(rows, "own"), _body(rows, "own")]}
    )
    if role in PUPIL_LEVEL:
        assert response.status_code == 201, response.content
        assert len(response.json()["encounters"]) == 2
    else:
        assert response.status_code == 403
        assert _state() == before


def test_an_encounter_is_recorded_through_the_service_with_history(api, rows, users):
    employer = EmployerFactory()
    pupil = rows["own"]["pupil"]
    body = {**_body(rows, "own"), "employers": [employer.pk], "duration_minutes": 60}
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data == {
        "id": data["id"],
        "school": pupil.school.urn,
        "date": TODAY.isoformat(),
        "type": "employer-talk",
        "title": "Careers talk",
        "employers": [employer.pk],
        "delivered_through": "school",
        "duration_minutes": 60,
        "pupils": [pupil.pk],
    }
    encounter = Encounter.objects.get(pk=data["id"])
    assert encounter.recorded_by == users[Role.SCHOOL_STAFF]
    assert ChangeRecord.objects.filter(object_id=encounter.pk).exists()
    assert api(Role.SCHOOL_STAFF).get(f"/api/v1/encounters/{encounter.pk}/").json() == data


def test_another_school_reads_like_one_that_does_not_exist(api, rows):
    staff = api(Role.SCHOOL_STAFF)
    other = staff.post("/api/v1/encounters/", _body(rows, "other"))
    missing = staff.post("/api/v1/encounters/", {**_body(rows, "own"), "school": 999999})
    assert other.status_code == missing.status_code == 400
    for response in (other, missing):
        errors = response.json()["errors"]
        assert [(e["field"], e["code"]) for e in errors if e["field"] == "school"] == [
            ("school", "does_not_exist")
        ]
    other_urn = str(rows["other"]["pupil"].school.urn)
    message = other.json()["errors"][0]["message"]
    assert message.replace(other_urn, "999999") == missing.json()["errors"][0]["message"]


def test_another_schools_pupils_read_like_pupils_that_do_not_exist(api, rows):
    body = {**_body(rows, "own"), "pupils": [rows["other"]["pupil"].pk]}
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/", body)
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("pupils", "does_not_exist")
    ]


# --- Bulk --------------------------------------------------------------------------------


def test_bulk_writes_nothing_when_a_record_is_invalid_and_names_each(api, rows):
    good = _body(rows, "own")
    records = [
        good,
        {**good, "date": (TODAY + datetime.timedelta(days=30)).isoformat()},
        good,
        {**good, "date": "not a date", "type": "no-such-type"},
        {**good, "pupils": []},
    ]
    before = _state()
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/bulk/", {"records": records})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["records.3.date", "records.3.type", "records.4.pupils"]
    assert _state() == before
    # The serializer passes every record, the service refuses the second:
    records[3] = records[4] = good
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/bulk/", {"records": records})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["records.1.date"]
    assert "today or in the past" in errors[0]["message"]
    assert _state() == before


def test_bulk_checks_the_roll_and_the_school_in_the_service(api, rows):
    pupil = rows["own"]["pupil"]
    Pupil.objects.filter(pk=pupil.pk).update(on_roll_from=TODAY)
    good = _body(rows, "own")
    records = [good, {**good, "date": (TODAY - datetime.timedelta(days=10)).isoformat()}]
    before = _state()
    response = api(Role.ADMINISTRATOR).post("/api/v1/encounters/bulk/", {"records": records})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["records.1.pupils"]
    assert "not on roll" in errors[0]["message"]
    assert _state() == before


def test_bulk_records_every_record_in_one_go(api, rows):
    records = [{**_body(rows, "own"), "title": f"Talk {n}"} for n in range(3)]
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/bulk/", {"records": records})
    assert response.status_code == 201, response.content
    titles = [e["title"] for e in response.json()["encounters"]]
    assert titles == ["Talk 0", "Talk 1", "Talk 2"]
    assert Encounter.objects.filter(title__startswith="Talk ").count() == 3


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": "x"}, []])
def test_bulk_refuses_a_body_without_records(body, api, rows):
    response = api(Role.SCHOOL_STAFF).post("/api/v1/encounters/bulk/", body)
    assert response.status_code == 400
    assert response.json()["errors"]


# --- Mass assignment ----------------------------------------------------------------------


def test_posting_ids_schools_and_read_only_fields_changes_nothing_else(api, rows, users):
    existing = rows["own"]["encounter"]
    existing_before = Encounter.objects.filter(pk=existing.pk).values().get()
    response = api(Role.SCHOOL_STAFF).post(
        "/api/v1/encounters/",
        {
            **_body(rows, "own"),
            "id": existing.pk,
            "pk": existing.pk,
            "school_id": rows["other"]["pupil"].school_id,
            "recorded_by": users[Role.ADMINISTRATOR].pk,
            "academic_year": 1999,
            "source_key": "forged",
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.content
    created = Encounter.objects.get(pk=response.json()["id"])
    assert created.pk != existing.pk
    assert created.school == rows["own"]["pupil"].school
    assert created.recorded_by == users[Role.SCHOOL_STAFF]
    assert created.academic_year != 1999
    assert created.source_key == ""
    assert created.created_at.year > 2000
    assert Encounter.objects.filter(pk=existing.pk).values().get() == existing_before


@pytest.mark.parametrize("kind", ["pupil", "encounter-type", "encounter", "school-coverage"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_rows_cannot_be_changed_through_their_address(kind, method, api, rows):
    client = api(Role.ADMINISTRATOR)
    url = _detail_url(kind, rows["own"][kind])
    before = client.get(url).json()
    response = client.request(method, url, {"school": 1, "display_name": "X", "name": "X"})
    assert response.status_code == 405
    assert client.get(url).json() == before


# --- Personal data ----------------------------------------------------------------------


def test_pupils_show_display_names_to_the_schools_own_staff_only(api, rows):
    pupil = rows["own"]["pupil"]
    staff = api(Role.SCHOOL_STAFF).get(f"/api/v1/pupils/{pupil.pk}/").json()
    admin = api(Role.ADMINISTRATOR).get(f"/api/v1/pupils/{pupil.pk}/").json()
    assert staff["display_name"] == pupil.display_name
    assert admin["display_name"] is None
    assert set(staff) == {
        "id",
        "school",
        "pupil_identifier",
        "display_name",
        "year_group",
        "year_group_on",
        "current_year_group",
        "disadvantaged",
        "send",
        "on_roll_from",
        "on_roll_until",
    }
    assert staff["school"] == pupil.school.urn


@pytest.mark.parametrize("role", list(Role))
def test_no_upn_or_upn_hash_in_any_response(role, api, rows, area, school):
    pupils = Pupil.objects.all()
    secrets = [p.upn_hash for p in pupils] + [make_upn(900 + n) for n in (1, 2, 3)]
    secrets += ["upn_hash"]
    client = api(role)
    urls = [_list_url(k) for k in ("pupil", "encounter-type", "encounter")]
    urls += [_detail_url(k, rows[s][k]) for k in KINDS for s in ("own", "other")]
    urls += ["/api/schema/"]
    for url in urls:
        content = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in content, (url, secret)


# --- Coverage -------------------------------------------------------------------------------


def _cohort(school, n, year_group, reached):
    pupils = PupilFactory.create_batch(n, school=school, year_group=year_group)
    for k in range(4):
        encounter = EncounterFactory(school=school, date=TODAY - datetime.timedelta(days=k))
        attend(encounter, pupils[:reached])
    return pupils


@pytest.fixture
def small_cohorts(area, school):
    """Own school: 20 in Year 9, 3 in Year 10; second: 2 in Year 9, 30 in Year 10."""
    second = SchoolFactory(area=area, name="Second Academy")
    _cohort(school, 20, 9, reached=12)
    _cohort(school, 3, 10, reached=2)
    _cohort(second, 2, 9, reached=1)
    _cohort(second, 30, 10, reached=25)
    summaries_rebuild()
    return second


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR]
)
def test_small_cohorts_are_suppressed_in_area_coverage(role, api, area, school, small_cohorts):
    response = api(role).get(f"/api/v1/coverage/areas/{area.slug}/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [y["year_group"] for y in data["year_groups"]] == [9, 10]
    on_roll = next(m for m in data["measures"] if m["measure"] == "on_roll")
    by_urn = {row["urn"]: row for row in on_roll["schools"]}
    own, second = by_urn[school.urn], by_urn[small_cohorts.urn]
    # The small cells (3 and 2) are suppressed, and so are cells that would
    # give them away; nothing suppressed carries a value.
    assert own["cells"][1]["count"] == {"value": None, "symbol": "c"}
    assert second["cells"][0]["count"] == {"value": None, "symbol": "c"}
    shown = [
        cell["count"]
        for row in on_roll["schools"]
        for cell in [*row["cells"], row["total"]]
        if cell["count"]["symbol"] is None
    ]
    assert {c["value"] for c in shown}.isdisjoint({2, 3})
    for measure in data["measures"]:
        for row in measure["schools"]:
            for cell in [*row["cells"], row["total"]]:
                for figure in (cell["count"], cell["rate"]):
                    if figure and figure["symbol"]:
                        assert figure["value"] is None


def test_school_staff_see_their_own_schools_coverage_unsuppressed(api, school, small_cohorts):
    response = api(Role.SCHOOL_STAFF).get(f"/api/v1/coverage/schools/{school.urn}/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["school"] == school.urn
    by_year = {row["year_group"]: row for row in data["rows"]}
    assert by_year[10]["all"]["on_roll"] == {"value": 3, "symbol": None}
    assert by_year[10]["all"]["with_one"] == {"value": 2, "symbol": None}
    assert data["total"]["all"]["on_roll"] == {"value": 23, "symbol": None}
    assert (
        api(Role.SCHOOL_STAFF).get(f"/api/v1/coverage/schools/{small_cohorts.urn}/").status_code
        == 404
    )


def test_school_staff_get_404_for_area_coverage(api, area):
    assert api(Role.SCHOOL_STAFF).get(f"/api/v1/coverage/areas/{area.slug}/").status_code == 404


def test_the_schema_names_the_writable_encounter_fields(api):
    import yaml

    document = yaml.safe_load(api(Role.BOARD_MEMBER).get("/api/schema/").content)
    schemas = document["components"]["schemas"]
    assert set(schemas["EncounterRequest"]["properties"]) == {
        "school",
        "date",
        "type",
        "title",
        "employers",
        "delivered_through",
        "duration_minutes",
        "pupils",
    }
    assert set(schemas["EncounterBulkRequest"]["properties"]) == {"records"}
    bulk = document["paths"]["/api/v1/encounters/bulk/"]["post"]
    assert "400" in bulk["responses"]
    assert "201" in bulk["responses"]
