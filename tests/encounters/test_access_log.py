"""Every request to a pupil-level page, export or API endpoint is recorded:
who, when, which school, what (ADR 0013).

The pupil-level views are found by walking the URL conf as
tests/core/test_url_scoping.py does, and by what they serve, not by whether
they record: a page of a school's pupil-level data (PupilPageMixin's
``school_roles`` gate) or of a pupil-level model, and an API view whose rows
DfE staff, who see everything else, can never see. So a new pupil-level
view that does not record fails here. A second net reads every other
address that needs no object id and fails if one touches a pupil-level
table without being a disclosure-controlled area aggregate.
"""

import datetime
import json
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.api import ScopedAPIMixin
from core.models import Role, User
from core.scoping import ScopeRule
from core.tokens import api_token_create
from core.upload_previews import upload_preview_store
from encounters import tasks
from encounters.access_log import PupilDataAccessAPIMixin, PupilDataAccessMixin
from encounters.models import AccessChannel, AttendanceUpload, Encounter, PupilDataAccess
from encounters.views import PupilPageMixin
from tests.core.test_url_scoping import _app_patterns, _scoping
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2018, 3, 20)


def _pupil_level_model(model) -> bool:
    rule = getattr(model, "scope_rule", None)
    return isinstance(rule, ScopeRule) and rule.pupil_level


def _hidden_from_dfe_staff(view_class) -> bool:
    """DfE staff see every area's rows but no pupil-level ones, so an API
    view that can never give them a row serves pupil-level data."""
    if getattr(view_class, "queryset", None) is None:
        return False
    view = view_class()
    view.request = SimpleNamespace(user=User(role=Role.DFE_STAFF), query_params={})
    view.kwargs, view.action, view.format_kwarg = {}, "list", None
    return view.get_queryset().query.is_empty()


def _serves_pupil_level_data(view_class) -> bool:
    if view_class is None:
        return False
    if issubclass(view_class, PupilPageMixin):
        return True
    model = getattr(view_class, "model", None) or getattr(
        getattr(view_class, "queryset", None), "model", None
    )
    if model is not None and _pupil_level_model(model):
        return True
    return issubclass(view_class, ScopedAPIMixin) and _hidden_from_dfe_staff(view_class)


def _pupil_level_routes():
    routes = []
    for _, namespace, pattern in _app_patterns():
        view_class = _scoping(pattern.callback)[1]
        if _serves_pupil_level_data(view_class):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            routes.append((name, pattern, view_class))
    return routes


PUPIL_LEVEL_ROUTES = _pupil_level_routes()
ROUTE_IDS = [name for name, _, _ in PUPIL_LEVEL_ROUTES]

# The object each address names by its pk.
OBJECT_NAMED = {
    "encounters:pupil": "pupil",
    "encounters:roster-preview": "roster_import",
    "encounters:upload-status": "upload",
    "encounters:encounter": "encounter",
    "encounters:edit": "encounter",
    "encounters:delete": "encounter",
    "pupil-detail": "pupil",
    "encounter-detail": "encounter",
}
# Pupils each response names, in the own world below (three pupils, two at
# the encounter, a roster preview naming two); None: counts or a form only.
PUPILS_RETURNED = {
    "encounters:pupils": 3,
    "encounters:roster-upload": None,
    "encounters:roster-template": None,
    "encounters:roster-preview": 2,
    "encounters:pupil": 1,
    "encounters:list": None,
    "encounters:list-csv": None,
    "encounters:new": None,
    "encounters:upload": None,
    "encounters:upload-template": None,
    "encounters:upload-status": None,
    "encounters:encounter": 2,
    "encounters:edit": None,
    "encounters:delete": None,
    "encounters:coverage": 3,
    "encounters:coverage-csv": None,
    "encounters:coverage-meta": None,
    "encounters:coverage-zip": None,
    "encounters:below-pledge-csv": 3,
    "encounters:school-gatsby": 3,
    "pupil-list": 3,
    "pupil-detail": 1,
    "encounter-list": 2,
    "encounter-bulk": 1,
    "encounter-detail": 2,
    "school-coverage-list": None,
    "school-coverage-detail": None,
}


# Aggregates that count pupil rows on request, as counts only, for want of
# a summary table (ADR 0025 names this as a limit to remove).
COUNTS_FROM_PUPIL_ROWS = {"encounters:area-gatsby", "encounters:programme-gatsby"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


def _school_world(school, staff):
    pupils = PupilFactory.create_batch(
        3, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )
    encounter = EncounterFactory(school=school, date=datetime.date(2018, 3, 1))
    attend(encounter, pupils[:2])
    summary = {
        "creates": [{"identifier": "NEW1", "name": "", "year": 9}],
        "updates": [{"identifier": pupils[0].pupil_identifier, "name": "", "changes": ["FSM"]}],
        "leavers": [],
        "unchanged": 2,
    }
    return SimpleNamespace(
        school=school,
        staff=staff,
        pupils=pupils,
        pupil=pupils[0],
        encounter=encounter,
        roster_import=upload_preview_store(
            kind="roster",
            user=staff,
            school=school,
            file_name="roster.csv",
            content={"rows": []},
            options={"full_roster": False},
            summary=summary,
        ),
        upload=AttendanceUpload.objects.create(
            school=school, uploaded_by=staff, file_name="attendance.csv"
        ),
    )


@pytest.fixture
def world(users, school, other_school):
    other_staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[other_school])
    return SimpleNamespace(
        own=_school_world(school, users[Role.SCHOOL_STAFF]),
        other=_school_world(other_school, other_staff),
    )


def _method(pattern) -> str:
    actions = getattr(pattern.callback, "actions", None)
    return "get" if actions is None or "get" in actions else "post"


def _path(name, pattern, scope) -> str:
    kwargs = {}
    for kwarg in pattern.pattern.regex.groupindex:
        if kwarg == "urn":
            kwargs[kwarg] = scope.school.urn
        elif kwarg == "pk":
            assert name in OBJECT_NAMED, f"{name}: say which object its pk names"
            kwargs[kwarg] = getattr(scope, OBJECT_NAMED[name]).pk
        else:
            pytest.fail(f"{name}: no sample value for <{kwarg}>")
    return reverse(name, kwargs=kwargs)


def _request(client, name, pattern, scope):
    path = _path(name, pattern, scope)
    if _method(pattern) == "get":
        return client.get(path)
    body = {
        "records": [
            {
                "school": scope.school.urn,
                "date": "2018-03-01",
                "type": "employer-talk",
                "title": "Careers talk",
                "pupils": [scope.pupil.pk],
            }
        ]
    }
    return client.post(path, json.dumps(body), content_type="application/json")


def _channel(pattern, view_class) -> str:
    if issubclass(view_class, ScopedAPIMixin):
        return AccessChannel.API
    return (
        AccessChannel.EXPORT
        if str(pattern.pattern).endswith((".csv", ".zip"))
        else AccessChannel.PAGE
    )


def test_the_walk_finds_the_pupil_level_pages_and_endpoints():
    assert sorted(ROUTE_IDS) == sorted(PUPILS_RETURNED)


@pytest.mark.parametrize(("name", "pattern", "view_class"), PUPIL_LEVEL_ROUTES, ids=ROUTE_IDS)
def test_every_pupil_level_view_uses_the_access_log(name, pattern, view_class):
    expected = (
        PupilDataAccessAPIMixin if issubclass(view_class, ScopedAPIMixin) else PupilDataAccessMixin
    )
    assert issubclass(view_class, expected), f"{name} does not record access"


@pytest.mark.parametrize(("name", "pattern", "view_class"), PUPIL_LEVEL_ROUTES, ids=ROUTE_IDS)
def test_every_pupil_level_request_adds_one_access_row(client, world, name, pattern, view_class):
    staff = world.own.staff
    client.force_login(staff)
    response = _request(client, name, pattern, world.own)
    assert response.status_code in (200, 201), (name, response.content[:300])
    row = PupilDataAccess.objects.get()
    assert row.user == staff
    assert row.role == Role.SCHOOL_STAFF
    assert row.school == world.own.school
    assert row.accessed_at == datetime.datetime(2018, 3, 20, 12, 0, tzinfo=datetime.UTC)
    assert row.view_name == name
    assert row.method == _method(pattern).upper()
    assert row.path == _path(name, pattern, world.own)
    assert row.channel == _channel(pattern, view_class)
    assert row.status_code == response.status_code
    assert row.pupil_count == PUPILS_RETURNED[name]
    # The object in the address: its pk, or the URN an API detail is looked up by.
    kwargs = response.wsgi_request.resolver_match.kwargs
    api_detail_by_urn = issubclass(view_class, ScopedAPIMixin) and "urn" in kwargs
    assert row.object_id == str(kwargs.get("pk", kwargs["urn"] if api_detail_by_urn else ""))


@pytest.mark.parametrize(("name", "pattern", "view_class"), PUPIL_LEVEL_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("intruder", ["other school's staff", "DfE staff"])
def test_a_refused_request_is_recorded_as_refused_naming_no_school_or_pupils(
    client, world, users, name, pattern, view_class, intruder
):
    """Another school's staff asking for this school's addresses, and DfE
    staff (who never see pupil-level data), are refused; the row says so
    and claims nothing was seen."""
    user = world.other.staff if intruder == "other school's staff" else users[Role.DFE_STAFF]
    client.force_login(user)
    response = _request(client, name, pattern, world.own)
    row = PupilDataAccess.objects.get()
    assert row.user == user
    assert row.status_code == response.status_code
    assert row.channel == _channel(pattern, view_class)
    if response.status_code < 400:
        # A list with no address: it holds the user's own rows, never these.
        assert _method(pattern) == "get", name
        assert not pattern.pattern.regex.groupindex, name
        assert row.school in (None, world.other.school)
        assert row.school != world.own.school
        return
    assert response.status_code in (400, 403, 404), name
    assert row.school is None
    assert row.pupil_count == 0


def test_a_filter_naming_another_school_records_no_school_and_no_pupils(client, world):
    client.force_login(world.own.staff)
    response = client.get("/api/v1/pupils/", {"school": world.other.school.urn})
    assert response.json()["results"] == []
    row = PupilDataAccess.objects.get()
    assert (row.school, row.pupil_count, row.query) == (
        None,
        0,
        {"school": str(world.other.school.urn)},
    )


def test_a_list_across_schools_names_no_single_school(client, world, users):
    client.force_login(users[Role.ADMINISTRATOR])
    assert client.get("/api/v1/pupils/").status_code == 200
    row = PupilDataAccess.objects.get()
    assert (row.role, row.school, row.pupil_count) == (Role.ADMINISTRATOR, None, 6)


def test_a_token_request_records_the_tokens_owner(client, world):
    _, raw = api_token_create(user=world.own.staff, name="MIS")
    response = client.get(
        f"/api/v1/pupils/{world.own.pupil.pk}/", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    row = PupilDataAccess.objects.get()
    assert (row.user, row.school, row.object_id) == (
        world.own.staff,
        world.own.school,
        str(world.own.pupil.pk),
    )


def test_a_signed_out_request_records_nothing(client, world):
    assert client.get(f"/schools/{world.own.school.urn}/pupils/").status_code == 302
    assert client.get("/api/v1/pupils/").status_code == 401
    assert not PupilDataAccess.objects.exists()


def test_filters_and_pages_are_recorded(client, world):
    client.force_login(world.own.staff)
    client.get(f"/schools/{world.own.school.urn}/pupils/", {"year_group": 9, "page": 1})
    assert PupilDataAccess.objects.get().query == {"year_group": "9", "page": "1"}


@pytest.mark.parametrize(
    ("query", "recorded"),
    [
        ("year=%00x", {"year": "\\x00x"}),
        ("%00=1", {"\\x00": "1"}),
        ("year=%F0%9F%98%80", {"year": "\U0001f600"}),
    ],
)
def test_a_query_postgresql_cannot_store_as_typed_is_recorded_escaped(
    client, world, query, recorded
):
    client.force_login(world.own.staff)
    assert client.get(f"/api/v1/pupils/?{query}").status_code == 200
    assert client.get(f"/schools/{world.own.school.urn}/pupils/?{query}").status_code == 200
    assert [row.query for row in PupilDataAccess.objects.all()] == [recorded, recorded]


def test_an_over_long_id_in_the_address_is_recorded_cut_short(client, world):
    client.force_login(world.own.staff)
    pk = "9" * 60
    assert client.get(f"/api/v1/pupils/{pk}/").status_code == 404
    row = PupilDataAccess.objects.get()
    assert (row.object_id, row.path, row.status_code) == (pk[:40], f"/api/v1/pupils/{pk}/", 404)


def test_the_log_holds_no_pupil_identifier_name_or_upn_hash(client, world):
    client.force_login(world.own.staff)
    for name, pattern, _ in PUPIL_LEVEL_ROUTES:
        _request(client, name, pattern, world.own)
    logged = json.dumps(list(PupilDataAccess.objects.values()), default=str)
    for pupil in world.own.pupils:
        for value in (pupil.display_name, pupil.pupil_identifier, pupil.upn_hash):
            assert value not in logged


@pytest.mark.parametrize(
    "path",
    [
        "/schools/{urn}/pupils/",
        "/schools/{urn}/coverage/below-pledge.csv",
        "/api/v1/pupils/",
        "/api/v1/encounters/{encounter}/",
    ],
)
def test_the_log_write_is_one_insert(client, world, path):
    client.force_login(world.own.staff)
    url = path.format(urn=world.own.school.urn, encounter=world.own.encounter.pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    touching = [q["sql"] for q in queries if PupilDataAccess._meta.db_table in q["sql"]]
    assert len(touching) == 1
    assert touching[0].startswith(f'INSERT INTO "{PupilDataAccess._meta.db_table}"')


# --- Retention ----------------------------------------------------------------------


def test_the_retention_job_removes_rows_older_than_the_retention_period(world, settings):
    settings.PUPIL_RETENTION_DAYS = 30
    now = datetime.datetime(2018, 3, 20, 12, 0, tzinfo=datetime.UTC)
    ages = {"old": 31, "older": 400, "recent": 29, "today": 0}
    for label, days in ages.items():
        PupilDataAccess.objects.create(
            user=world.own.staff,
            role=Role.SCHOOL_STAFF,
            school=world.own.school,
            channel=AccessChannel.PAGE,
            view_name="encounters:pupils",
            method="GET",
            path=f"/{label}/",
            status_code=200,
            accessed_at=now - datetime.timedelta(days=days),
        )
    tasks.pupils_remove_expired()
    assert sorted(PupilDataAccess.objects.values_list("path", flat=True)) == [
        "/recent/",
        "/today/",
    ]


# --- The admin ----------------------------------------------------------------------

CHANGELIST = "/admin/encounters/pupildataaccess/"
EXPORT = "/admin/encounters/pupildataaccess/export.csv"


@pytest.fixture
def logged(client, world, users):
    """A page, an export and an API read by the school's staff, and a
    refused request by DfE staff; then the client is signed out."""
    client.force_login(world.own.staff)
    urn = world.own.school.urn
    client.get(f"/schools/{urn}/pupils/", {"=HYPERLINK(evil)": "1"})
    client.get(f"/schools/{urn}/coverage/below-pledge.csv")
    client.get("/api/v1/pupils/")
    client.force_login(users[Role.DFE_STAFF])
    client.get(f"/schools/{urn}/pupils/")
    client.logout()
    return PupilDataAccess.objects.all()


def _csv(response):
    return response.content.decode("utf-8-sig").splitlines()


def test_administrators_list_and_filter_the_log(client, users, world, logged):
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(logged.order_by("-accessed_at", "-pk"))
    refused = client.get(CHANGELIST, {"outcome": "refused"}).context["cl"].result_list
    assert [row.role for row in refused] == [Role.DFE_STAFF]
    api = client.get(CHANGELIST, {"channel__exact": "api"}).context["cl"].result_list
    assert [row.view_name for row in api] == ["pupil-list"]
    searched = client.get(CHANGELIST, {"q": world.own.staff.email}).context["cl"].result_list
    assert len(searched) == 3


def test_administrators_export_the_filtered_log_as_safe_csv(client, users, world, logged):
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    lines = _csv(response)
    assert lines[0] == (
        "accessed_at,user,role,school_urn,school_name,channel,view,method,path,object,"
        "filters,status,pupils_returned"
    )
    assert len(lines) == 1 + logged.count()
    page = next(line for line in lines if ",encounters:pupils,GET," in line and ",200," in line)
    assert ",'=HYPERLINK(evil)=1,200,3" in page
    assert f",{world.own.school.urn}," in page
    refused = _csv(client.get(EXPORT, {"outcome": "refused"}))
    assert len(refused) == 2
    assert refused[1].split(",")[2:4] == ["dfe_staff", ""]
    assert refused[1].endswith(",404,0")


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF]
)
def test_nobody_else_reaches_the_log(client, users, logged, role):
    client.force_login(users[role])
    for path in (CHANGELIST, EXPORT, f"{CHANGELIST}{logged.first().pk}/change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")


def test_nobody_adds_changes_or_deletes_log_rows_in_the_admin(client, users, logged):
    client.force_login(users[Role.ADMINISTRATOR])
    row = logged.first()
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{CHANGELIST}{row.pk}/change/", {"path": "/x/"}).status_code == 403
    assert PupilDataAccess.objects.filter(pk=row.pk, path=row.path).exists()


def _pupil_level_tables():
    return {model._meta.db_table for model in apps.get_models() if _pupil_level_model(model)}


# The area's employer pages count encounters per employer (ADR 0022): they
# read the encounter table for its school, year and employers, and no table
# that names or counts pupils.
ENCOUNTER_COUNTERS = {"encounters:employers", "encounters:employers-csv"}


def test_no_other_page_or_endpoint_reads_pupil_level_tables(client, users, world):
    """A second net under the walk: every other address that needs no object
    id, read by an administrator, touches no pupil-level table. The area
    aggregates (ADR 0006) read the summary tables' counts, not pupils."""
    client.force_login(users[Role.ADMINISTRATOR])
    tables = _pupil_level_tables()
    without_encounters = tables - {Encounter._meta.db_table}
    sample = {"urn": world.own.school.urn, "slug": world.own.school.area.slug}
    probed, readers = 0, set()
    for _, namespace, pattern in _app_patterns():
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        kwargs = set(pattern.pattern.regex.groupindex)
        if name in ROUTE_IDS or kwargs - set(sample):
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(name, kwargs={kwarg: sample[kwarg] for kwarg in kwargs}))
        probed += 1
        read = without_encounters if name in ENCOUNTER_COUNTERS else tables
        if any(f'"{table}"' in query["sql"] for query in queries for table in read):
            readers.add(name)
    assert probed > 40
    assert readers == COUNTS_FROM_PUPIL_ROWS
