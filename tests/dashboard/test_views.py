"""The cross-area dashboard page and its CSV: who sees what, filters and
sorting, disclosure control, and a query count that does not grow with the
data."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Role
from dashboard import services
from dashboard.models import SummaryRefresh
from tests.factories import UserFactory

from .conftest import plan_with_funding, school_with_coverage

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard")
CSV_URL = reverse("dashboard:csv")


def _csv(response, life_stage="Total"):
    """The data file's rows for one life stage (all priorities by default)."""
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return [row for row in rows if row["life_stage"] == life_stage]


@pytest.fixture
def dfe(client):
    user = UserFactory(role=Role.DFE_STAFF)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_dfe_staff_and_administrators_see_all_twelve_areas(client, users, role):
    services.summaries_rebuild()
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 12
    rows = _csv(client.get(CSV_URL))
    assert len(rows) == 13  # 12 areas and the National total across them
    assert rows[-1]["geographic_level"] == "National"


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_area_roles_see_their_own_area_only(client, users, area, other_area, role):
    school_with_coverage(other_area, pupils=10)
    services.summaries_rebuild()
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert [row["area"] for row in response.context["rows"]] == [area]
    assert other_area.name not in response.content.decode()
    # No National row: a total over one area would be the area's own figures
    # posing as a total across the areas.
    assert [row["opportunity_area_name"] for row in _csv(client.get(CSV_URL))] == [area.name]


def test_school_staff_are_refused_with_a_clear_page(client, users):
    client.force_login(users[Role.SCHOOL_STAFF])
    for url in (URL, CSV_URL):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL)["Location"].startswith("/sign-in/")


def test_dfe_staff_cannot_post(client, dfe):
    assert client.post(URL).status_code == 403


def test_filter_by_wave_and_sort_by_any_column(client, dfe, reference_areas):
    plan_with_funding(reference_areas["bradford"])
    services.summaries_rebuild()
    response = client.get(URL, {"wave": 2, "sort": "allocated", "order": "desc"})
    rows = response.context["rows"]
    assert {row["area"].wave for row in rows} == {2}
    assert len(rows) == 6
    assert rows[0]["area"].slug == "bradford"
    ascending = client.get(URL, {"wave": 2, "sort": "allocated", "order": "asc"}).context["rows"]
    assert ascending[-1]["area"].slug == "bradford"


def test_unknown_filters_and_sort_keys_are_ignored(client, dfe):
    services.summaries_rebuild()
    response = client.get(URL, {"wave": "9", "sort": "password; drop", "life_stage": "x"})
    assert response.status_code == 200
    assert [row["area"].name for row in response.context["rows"]] == sorted(
        row["area"].name for row in response.context["rows"]
    )


def test_life_stage_filter_counts_only_those_priorities(client, dfe, area):
    plan_with_funding(area)
    services.summaries_rebuild()
    everything = client.get(URL).context["rows"]
    primary = client.get(URL, {"life_stage": "primary"}).context["rows"]
    early = client.get(URL, {"life_stage": "post_16"}).context["rows"]

    def figure(rows, key):
        return next(r for r in rows if r["area"] == area)["figures"][key]

    assert (
        figure(everything, "indicators_no_data")
        + figure(everything, "indicators_on_track")
        + figure(everything, "indicators_at_risk")
        + figure(everything, "indicators_off_track")
        + figure(everything, "indicators_achieved")
        == 4
    )
    assert (
        sum(
            figure(primary, key)
            for key in (
                "indicators_no_data",
                "indicators_on_track",
                "indicators_at_risk",
                "indicators_off_track",
                "indicators_achieved",
            )
        )
        == 2
    )
    assert figure(early, "actions_on_track") == 0


def test_figures_link_to_the_area_pages_behind_them(client, dfe, area):
    plan_with_funding(area)
    services.summaries_rebuild()
    page = client.get(URL).content.decode()
    assert f'href="/areas/{area.slug}/plan/"' in page
    assert f'href="/areas/{area.slug}/funding/"' in page
    assert f'href="/areas/{area.slug}/encounters/?year=' in page


def test_small_cohorts_are_suppressed_on_the_page_and_in_the_csv(client, dfe, area, other_area):
    school_with_coverage(area, pupils=2, year_groups=(9,))  # 2 pupils: c
    school_with_coverage(other_area, pupils=30, year_groups=(9, 10))
    services.summaries_rebuild()
    response = client.get(URL)
    rows = {row["area"]: row for row in response.context["rows"]}
    cells = rows[area]["figures"]
    assert str(cells["on_roll"]) == "c"
    assert str(cells["four_rate"]) == "c"
    assert str(cells["gap"]) == "c"
    # Hastings' own page shows its 60 pupils, so the dashboard shows them
    # too; and the all-areas total (62) would give Blackpool's 2 away by
    # subtracting it: a total over a hidden count is hidden.
    other = rows[other_area]["figures"]
    assert str(other["on_roll"]) == "60"
    hastings_page = client.get(reverse("encounters:area", kwargs={"slug": other_area.slug}))
    assert str(hastings_page.context["coverage"]["by_measure"]["on_roll"]["grand_total"].count) == (
        "60"
    )
    assert str(response.context["total"]).count(">c<") == 5  # on roll, three rates, gap
    by_area = {row["opportunity_area_name"]: row for row in _csv(client.get(CSV_URL))}
    assert by_area[area.name]["pupils_on_roll"] == "c"
    assert by_area[other_area.name]["pupils_on_roll"] == "60"
    assert by_area[""]["geographic_level"] == "National"
    assert by_area[""]["pupils_on_roll"] == "c"


def test_the_total_is_shown_when_no_area_hides_its_count(client, dfe, area, other_area):
    school_with_coverage(area, pupils=10, year_groups=(9,))
    school_with_coverage(other_area, pupils=30, year_groups=(9, 10))
    services.summaries_rebuild()
    by_area = {row["opportunity_area_name"]: row for row in _csv(client.get(CSV_URL))}
    assert by_area[area.name]["pupils_on_roll"] == "10"
    assert by_area[""]["pupils_on_roll"] == "70"


def test_the_download_is_an_ees_data_set_for_the_year(client, dfe, area):
    school_with_coverage(area, pupils=30)
    services.summaries_rebuild()
    # The page's wave filter does not cut the open data: it is the year's data set.
    response = client.get(CSV_URL, {"wave": 2})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert list(rows[0])[:7] == [
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "opportunity_area_code",
        "opportunity_area_name",
    ]
    assert {row["time_identifier"] for row in rows} == {"Academic year"}
    assert {len(row["time_period"]) for row in rows} == {6}
    blackpool = next(row for row in rows if row["opportunity_area_code"] == area.code)
    assert blackpool["pupils_on_roll"] == "90"
    by_stage = _csv(client.get(CSV_URL), life_stage="Early years")
    assert len(by_stage) == 13
    # Encounters are not broken down by the life stage of a plan priority.
    assert {row["pupils_on_roll"] for row in by_stage} == {"z"}
    meta = client.get(reverse("dashboard:meta"))
    names = [m["col_name"] for m in csv.DictReader(io.StringIO(meta.content.decode("utf-8-sig")))]
    assert names == list(rows[0])[7:]


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_dashboard_runs_a_constant_number_of_queries(client, dfe, reference_areas):
    services.summaries_rebuild()
    small = _queries(client, URL), _queries(client, CSV_URL)
    for n, area in enumerate(reference_areas.values()):
        plan_with_funding(area)
        school_with_coverage(area, pupils=8 + n, encounters=2)
        school_with_coverage(area, pupils=5, encounters=1, year_groups=(8, 12))
    services.summaries_rebuild()
    large = _queries(client, URL), _queries(client, CSV_URL)
    assert small == large
    assert large[0] <= 8  # session, user, the two dashboard queries and the page frame


def test_a_get_queues_no_work_even_when_the_summaries_are_old(client, dfe, area):
    """Reading the dashboard changes nothing: old summaries are refreshed by
    the scheduled dashboard.tasks.summaries_refresh_stale, and the page shows
    the date its figures were judged on."""
    services.summaries_rebuild(today=datetime.date.today() - datetime.timedelta(days=3))
    SummaryRefresh.objects.all().delete()
    for path in (URL, CSV_URL):
        assert client.get(path).status_code == 200
    assert not SummaryRefresh.objects.exists()


def test_phase_filter_keeps_the_areas_in_that_phase_during_the_year(client, dfe, reference_areas):
    from plans.models import AreaPhase, ProgrammePhase

    services.summaries_rebuild()
    AreaPhase.objects.all().delete()
    ended, _ = ProgrammePhase.objects.get_or_create(code="test-ended", defaults={"name": "Ended"})
    running, _ = ProgrammePhase.objects.get_or_create(code="test-on", defaults={"name": "Running"})
    today = datetime.date.today()
    for slug in ("blackpool", "derby"):
        AreaPhase.objects.create(
            area=reference_areas[slug],
            phase=ended,
            start_date=datetime.date(2016, 9, 1),
            end_date=datetime.date(2022, 8, 31),
        )
    AreaPhase.objects.create(
        area=reference_areas["derby"], phase=running, start_date=datetime.date(2022, 9, 1)
    )
    AreaPhase.objects.create(area=reference_areas["hastings"], phase=running, start_date=today)

    def shown(phase):
        rows = client.get(URL, {"phase": phase}).context["rows"]
        return {row["area"].slug for row in rows}

    assert shown("test-on") == {"derby", "hastings"}
    assert shown("test-ended") == set()  # it ended before this academic year
    assert len(shown("no-such-phase")) == 12
