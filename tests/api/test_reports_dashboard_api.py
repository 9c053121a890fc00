"""Report runs and the dashboard's figures in the API: every role against
each endpoint in its own scope (Blackpool) and another (Hastings)."""

import pytest
from django.utils import timezone

from core.models import Role
from dashboard import services as dashboard_services
from reports.models import ReportRun, ReportStatus, ReportTrigger
from reports.periods import month_to_date
from tests.dashboard.conftest import encounter_types, school_with_coverage  # noqa: F401
from tests.reports.factories import report_run

from .conftest import results

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/report-runs/"
DASHBOARD = "/api/v1/dashboard/areas/"
READERS = {Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR}
ALL_AREAS = {Role.DFE_STAFF, Role.ADMINISTRATOR}
NOT_FOUND = {"status": 404, "code": "not_found", "message": "Not found.", "errors": []}


@pytest.fixture
def runs(area, other_area):
    return {
        "own": report_run(area, status=ReportStatus.SUCCEEDED),
        "other": report_run(other_area, status=ReportStatus.RUNNING, progress=40),
    }


def _sees(role, scope):
    return role in ALL_AREAS or (role in READERS and scope == "own")


def _may_generate(role, scope):
    return role in ALL_AREAS or (role == Role.AREA_LEAD and scope == "own")


# --- Report runs: reading ------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_run_lists_hold_own_scope_and_never_other_scope(role, api, runs):
    listed = {row["id"] for row in results(api(role).get(RUNS, {"page_size": 200}))}
    for scope, run in runs.items():
        assert (run.pk in listed) == _sees(role, scope), (role, scope)


@pytest.mark.parametrize("role", list(Role))
def test_run_details_answer_in_scope_and_404_outside(role, api, runs):
    for scope, run in runs.items():
        response = api(role).get(f"{RUNS}{run.pk}/")
        expected = 200 if _sees(role, scope) else 404
        assert response.status_code == expected, (role, scope)
        if expected == 404:
            assert response.json() == NOT_FOUND


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_filtering_by_another_area_finds_nothing(role, api, runs, other_area):
    assert results(api(role).get(RUNS, {"area": other_area.slug})) == []


def test_a_succeeded_run_links_to_its_download_pages(api, runs, area, users, client):
    run = runs["own"]
    body = api(Role.BOARD_MEMBER).get(f"{RUNS}{run.pk}/").json()
    assert body["status"] == "succeeded"
    assert body["progress"] == 100
    assert body["finished"] is True
    assert body["finished_at"]
    assert body["started_at"]
    assert body["requested_at"]
    assert body["status_url"] == f"http://testserver{RUNS}{run.pk}/"
    base = f"http://testserver/areas/{area.slug}/reports/{run.pk}/report"
    assert body["files"] == {kind: f"{base}.{kind}" for kind in ("html", "pdf", "zip", "json")}
    client.force_login(users[Role.BOARD_MEMBER])
    assert client.get(body["files"]["pdf"]).status_code == 200


def test_an_unfinished_run_has_no_files(api, runs):
    body = api(Role.ADMINISTRATOR).get(f"{RUNS}{runs['other'].pk}/").json()
    assert (body["status"], body["progress"], body["finished"]) == ("running", 40, False)
    assert body["files"] is None
    assert body["finished_at"] is None


# --- Report runs: asking for one -------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("scope", ["own", "other"])
def test_who_may_ask_for_a_report(
    role, scope, api, area, other_area, django_capture_on_commit_callbacks
):
    target = area if scope == "own" else other_area
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(role).post(RUNS, {"area": target.slug})
    runs = ReportRun.objects.filter(area=target)
    if _may_generate(role, scope):
        assert response.status_code == 202, response.content
        run = runs.get()
        body = response.json()
        assert body["id"] == run.pk
        assert body["status"] == "pending"
        assert body["trigger"] == ReportTrigger.ON_DEMAND
        assert body["status_url"] == f"http://testserver{RUNS}{run.pk}/"
        assert response["Location"] == body["status_url"]
        assert len(callbacks) == 1  # the task is queued once the run is committed
        assert api(role).get(body["status_url"]).status_code == 200
    else:
        # Roles that never generate reports (board members, school staff) are
        # refused outright; an area lead naming another area names an area
        # whose reports it cannot read, so it reads as not existing.
        expected = 400 if role == Role.AREA_LEAD else 403
        assert response.status_code == expected, (role, scope, response.content)
        assert not runs.exists()
        assert not callbacks


def test_asking_while_one_is_unfinished_points_at_it(
    api, area, users, django_capture_on_commit_callbacks
):
    waiting = report_run(
        area,
        status=ReportStatus.RUNNING,
        requested_by=users[Role.DFE_STAFF],
        period=month_to_date(timezone.localdate()),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(Role.AREA_LEAD).post(RUNS, {"area": area.slug})
    assert response.status_code == 202
    assert response.json()["id"] == waiting.pk
    assert response.json()["status"] == "running"
    assert response["Location"] == f"http://testserver{RUNS}{waiting.pk}/"
    assert not callbacks
    assert ReportRun.objects.filter(area=area).count() == 1


def test_asking_twice_gives_the_same_run(api, area, django_capture_on_commit_callbacks):
    client = api(Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(RUNS, {"area": area.slug})
        again = client.post(RUNS, {"area": area.slug})
    assert (first.status_code, again.status_code) == (202, 202)
    assert first["Location"] == again["Location"]
    assert len(callbacks) == 1
    assert ReportRun.objects.filter(area=area).count() == 1


def test_posting_read_only_fields_changes_nothing(api, area, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api(Role.AREA_LEAD).post(
            RUNS,
            {
                "area": area.slug,
                "status": "succeeded",
                "progress": 100,
                "task_id": "mine",
                "trigger": "scheduled",
                "pdf_file": "reports/evil.pdf",
                "files": {"pdf": "http://example.com/evil.pdf"},
                "finished_at": "2020-01-01T00:00:00Z",
                "period_start": "2001-01-01",
                "id": 999999,
            },
        )
    assert response.status_code == 202, response.content
    run = ReportRun.objects.get(area=area)
    assert run.pk != 999999
    assert (run.status, run.progress, run.trigger) == ("pending", 0, "on_demand")
    assert run.task_id != "mine"
    assert not run.pdf_file
    assert run.finished_at is None
    assert run.period_start.year != 2001
    assert response.json()["files"] is None


def test_an_unknown_area_is_a_field_error(api):
    response = api(Role.ADMINISTRATOR).post(RUNS, {"area": "atlantis"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "area"
    assert not ReportRun.objects.exists()


def test_dfe_staff_may_ask_but_not_change_runs(api, runs):
    client = api(Role.DFE_STAFF)
    for method in ("put", "patch", "delete"):
        assert client.request(method, f"{RUNS}{runs['own'].pk}/", {}).status_code in (403, 405)


# --- Dashboard ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_dashboard_rows_are_the_areas_the_user_may_see(role, api, area, other_area):
    rows = results(api(role).get(DASHBOARD, {"page_size": 200}))
    slugs = {row["area"] for row in rows}
    if role == Role.SCHOOL_STAFF:
        assert slugs == set()
    elif role in ALL_AREAS:
        assert {area.slug, other_area.slug} <= slugs
        assert len(slugs) == 12
    else:
        assert slugs == {area.slug}


def test_dashboard_figures_are_cells_and_small_cohorts_are_c(api, area, other_area):
    school_with_coverage(area, pupils=2, year_groups=(9,))  # 2 pupils: c
    school_with_coverage(other_area, pupils=30, year_groups=(9, 10))
    dashboard_services.summaries_rebuild()
    rows = {row["area"]: row for row in results(api(Role.DFE_STAFF).get(DASHBOARD))}
    small = rows[area.slug]["figures"]
    for key in ("on_roll", "four_rate", "gap"):
        assert small[key] == {"value": None, "symbol": "c"}, key
    # As on the page: the other area's 60 is on its own area page, so it is
    # shown here too (the page's all-areas total is what hides, ADR 0011).
    assert rows[other_area.slug]["figures"]["on_roll"] == {"value": 60, "symbol": None}
    assert rows[area.slug]["wave"] == area.wave
    assert rows[area.slug]["as_of"] is not None
    figure = small["indicators_on_track"]
    assert set(figure) == {"value", "symbol"}
    assert figure["symbol"] is None
    # The board member sees the same published row for their own area.
    own = results(api(Role.BOARD_MEMBER).get(DASHBOARD))
    assert [row["area"] for row in own] == [area.slug]
    assert own[0]["figures"]["on_roll"]["value"] is None


def test_an_area_without_a_summary_shows_x(api, area):
    rows = results(api(Role.BOARD_MEMBER).get(DASHBOARD))
    assert rows[0]["figures"]["allocated"] == {"value": None, "symbol": "x"}
    assert rows[0]["as_of"] is None


def test_dashboard_filters_are_the_pages(api, reference_areas):
    rows = results(api(Role.DFE_STAFF).get(DASHBOARD, {"wave": 1, "sort": "area", "order": "desc"}))
    names = [row["name"] for row in rows]
    assert names == sorted(names, reverse=True)
    assert {row["wave"] for row in rows} == {1}
    ignored = results(api(Role.DFE_STAFF).get(DASHBOARD, {"wave": "9", "sort": "password"}))
    assert len(ignored) == 12


def test_the_dashboard_is_read_only(api):
    assert api(Role.ADMINISTRATOR).post(DASHBOARD, {}).status_code == 405
