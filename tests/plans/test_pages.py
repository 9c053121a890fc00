"""The plan, indicator, action, board and funding pages: who sees what, who
may write, and constant queries whatever the size of the plan."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from core.models import ChangeRecord, Role
from plans.models import ActionUpdate, Measurement
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

TODAY = date(2020, 6, 1)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def plan(area, users):
    return published_plan_with(area, user=users[Role.AREA_LEAD])


@pytest.fixture
def other_plan(other_area, users):
    return published_plan_with(other_area, user=users[Role.ADMINISTRATOR])


def _pages(area, plan):
    indicator = plan.indicators.first()
    action = plan.actions.first()
    return [
        f"/areas/{area.slug}/plan/",
        f"/areas/{area.slug}/indicators/{indicator.lineage_id}/",
        f"/areas/{area.slug}/indicators/{indicator.lineage_id}/measurements.csv",
        f"/areas/{area.slug}/actions/{action.lineage_id}/",
        f"/areas/{area.slug}/board/",
        f"/areas/{area.slug}/funding/",
    ]


def _forms(area, plan):
    indicator, action = plan.indicators.first(), plan.actions.first()
    return {
        "measurement": f"/areas/{area.slug}/indicators/{indicator.lineage_id}/measurements/new/",
        "update": f"/areas/{area.slug}/actions/{action.lineage_id}/updates/new/",
    }


VALID_UPDATE = {
    "status": "at_risk",
    "narrative": "Two schools have dropped out; recruiting replacements.",
    "spend_to_date": "12500",
    "date_0": "20",
    "date_1": "5",
    "date_2": "2020",
}
VALID_MEASUREMENT = {
    "date_0": "31",
    "date_1": "3",
    "date_2": "2020",
    "value": "71.5",
    "status": "provisional",
}


@pytest.mark.parametrize("role", list(Role))
def test_everyone_in_scope_reads_the_plan_pages(client, role, users, area, plan):
    client.force_login(users[role])
    for path in _pages(area, plan):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.SCHOOL_STAFF])
def test_other_areas_plan_pages_and_forms_are_not_found(
    client, role, users, other_area, other_plan
):
    client.force_login(users[role])
    for path in [*_pages(other_area, other_plan), *_forms(other_area, other_plan).values()]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert other_area.name.encode() not in response.content


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_posts_to_another_area_change_nothing(client, role, users, other_area, other_plan):
    client.force_login(users[role])
    forms = _forms(other_area, other_plan)
    updates, measurements = ActionUpdate.objects.count(), Measurement.objects.count()
    assert client.post(forms["update"], VALID_UPDATE).status_code == 404
    assert client.post(forms["measurement"], VALID_MEASUREMENT).status_code == 404
    assert (ActionUpdate.objects.count(), Measurement.objects.count()) == (updates, measurements)


def test_dfe_staff_see_no_edit_controls_and_their_posts_are_refused(client, users, area, plan):
    client.force_login(users[Role.DFE_STAFF])
    for path in _pages(area, plan):
        html = client.get(path).content.decode()
        for control in ("Log an update", "Record a measurement", "Edit the plan"):
            assert control not in html, path
    updates, measurements = ActionUpdate.objects.count(), Measurement.objects.count()
    for path, data in zip(
        _forms(area, plan).values(), [VALID_MEASUREMENT, VALID_UPDATE], strict=True
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, data).status_code == 403
    assert (ActionUpdate.objects.count(), Measurement.objects.count()) == (updates, measurements)


def test_school_staff_cannot_log_progress(client, users, area, plan):
    client.force_login(users[Role.SCHOOL_STAFF])
    for path in _forms(area, plan).values():
        assert client.post(path, VALID_UPDATE).status_code == 403


def test_board_member_logs_an_update_and_it_shows_in_log_and_history(client, users, area, plan):
    member = users[Role.BOARD_MEMBER]
    client.force_login(member)
    forms = _forms(area, plan)
    action = plan.actions.first()
    response = client.post(forms["update"], VALID_UPDATE)
    assert response.status_code == 302
    update = ActionUpdate.objects.get(lineage=action.lineage, author=member)
    assert (update.status, update.spend_to_date, update.date) == (
        "at_risk",
        Decimal("12500"),
        date(2020, 5, 20),
    )
    page = client.get(response["Location"]).content.decode()
    assert "Two schools have dropped out" in page
    assert ChangeRecord.objects.filter(object_id=update.pk, changed_by=member).exists()
    assert "History" in page


def test_update_with_mistakes_shows_errors_and_saves_nothing(client, users, area, plan):
    client.force_login(users[Role.BOARD_MEMBER])
    before = ActionUpdate.objects.count()
    bad = {**VALID_UPDATE, "narrative": "", "spend_to_date": "lots", "date_1": "13"}
    response = client.post(_forms(area, plan)["update"], bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Log an update" in html
    assert 'href="#id_narrative"' in html
    assert "Enter what has happened since the last update" in html
    assert "Spend to date must be an amount of money" in html
    assert "Date of the update must be a real date" in html
    assert ActionUpdate.objects.count() == before


def test_future_dates_are_refused(client, users, area, plan):
    client.force_login(users[Role.BOARD_MEMBER])
    response = client.post(
        _forms(area, plan)["measurement"], {**VALID_MEASUREMENT, "date_2": "2021"}
    )
    assert "Date must be today or in the past" in response.content.decode()


def test_a_measurement_on_the_baseline_date_is_refused_and_nothing_saved(client, users, area, plan):
    client.force_login(users[Role.BOARD_MEMBER])
    baseline = plan.indicators.first().baseline_date
    response = client.post(
        _forms(area, plan)["measurement"],
        {
            **VALID_MEASUREMENT,
            "date_0": str(baseline.day),
            "date_1": str(baseline.month),
            "date_2": str(baseline.year),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Date must be after the baseline date, {baseline:%-d %B %Y}" in html
    assert 'href="#id_date_0"' in html
    assert not Measurement.objects.filter(date=baseline).exists()


def test_recording_a_measurement_twice_for_a_date_revises_it(client, users, area, plan):
    client.force_login(users[Role.AREA_LEAD])
    path = _forms(area, plan)["measurement"]
    indicator = plan.indicators.first()
    assert client.post(path, VALID_MEASUREMENT).status_code == 302
    assert (
        client.post(path, {**VALID_MEASUREMENT, "value": "72", "status": "revised"}).status_code
        == 302
    )
    measurement = Measurement.objects.get(lineage=indicator.lineage, date=date(2020, 3, 31))
    assert (measurement.value, measurement.status) == (Decimal("72"), "revised")
    records = ChangeRecord.objects.filter(object_id=measurement.pk).order_by("changed_at", "pk")
    assert [r.action for r in records] == ["created", "updated"]


def test_plan_page_shows_statuses_and_links_rollups_to_rows(client, users, area, plan):
    client.force_login(users[Role.BOARD_MEMBER])
    html = client.get(f"/areas/{area.slug}/plan/").content.decode()
    for priority in plan.priorities.all():
        assert priority.title in html
    for indicator in plan.indicators.all():
        assert indicator.name in html
    for anchor in ['href="#p1-indicator-', 'href="#p1-action-']:
        assert anchor in html
        target = html.split(anchor, 1)[1].split('"', 1)[0]
        assert f'id="{anchor[7:]}{target}"' in html


@pytest.mark.parametrize(
    "path", ["/areas/{slug}/plan/", "/areas/{slug}/board/", "/areas/{slug}/funding/"]
)
def test_pages_run_a_constant_number_of_queries(
    client, users, area, path, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users[Role.BOARD_MEMBER])
    published_plan_with(area, priorities=1, indicators_per_priority=1, actions_per_priority=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path.format(slug=area.slug)).status_code == 200
    published_plan_with(
        area,
        priorities=4,
        indicators_per_priority=5,
        actions_per_priority=5,
        measurements_per_indicator=3,
        updates_per_action=3,
    )
    with django_assert_max_num_queries(len(small)):
        assert client.get(path.format(slug=area.slug)).status_code == 200


def test_indicator_data_file_lists_baseline_and_measurements(client, users, area, plan):
    client.force_login(users[Role.BOARD_MEMBER])
    indicator = plan.indicators.first()
    response = client.get(f"/areas/{area.slug}/indicators/{indicator.lineage_id}/measurements.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    measurements = Measurement.objects.filter(lineage=indicator.lineage).order_by("date")
    assert len(rows) == 1 + measurements.count()
    baseline = rows[0]
    assert (baseline["time_period"], baseline["time_identifier"]) == (
        str(indicator.baseline_date.year),
        f"{indicator.baseline_date:%B}",
    )
    assert Decimal(baseline["baseline_value"]) == indicator.baseline_value
    assert baseline["measured_value"] == "z"
    assert [Decimal(row["measured_value"]) for row in rows[1:]] == [m.value for m in measurements]
    assert {row["opportunity_area_code"] for row in rows} == {area.code}


def test_draft_only_rows_are_hidden_from_everyone_but_the_lead(client, users, area, plan):
    from plans import services
    from plans.models import Indicator

    lead = users[Role.AREA_LEAD]
    draft = services.plan_draft_start(area=area, user=lead)
    priority = draft.priorities.first()
    new = services.plan_content_save(
        obj=Indicator(plan=draft, priority=priority),
        user=lead,
        name="Only in the draft",
        unit="percentage",
        polarity="higher",
        baseline_value=Decimal("50"),
        baseline_date=date(2017, 8, 31),
    )
    path = f"/areas/{area.slug}/indicators/{new.lineage_id}/"
    for role in (Role.BOARD_MEMBER, Role.DFE_STAFF, Role.SCHOOL_STAFF):
        client.force_login(users[role])
        assert client.get(path).status_code == 404, role
        assert client.post(f"{path}measurements/new/", VALID_MEASUREMENT).status_code in (403, 404)
    client.force_login(lead)
    assert client.get(path).status_code == 200
