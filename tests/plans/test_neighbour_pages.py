"""Comparator groups on the pages: the indicator's three-line chart and its
CSV, who sees them, the groups page and the groups' CSV import."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ChangeRecord, Role
from plans import services
from plans.models import ComparatorGroup, TargetBasis
from tests.plans.factories import (
    DeliveryPlanFactory,
    IndicatorFactory,
    MeasurementFactory,
    PriorityFactory,
    TargetFactory,
)
from tests.plans.test_neighbours import D2017, D2019, HALFWAY_AT_2019, neighbour_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(D2019, tick=False):
        yield


def plan_against_neighbours(area, user):
    """A published plan with one indicator whose target is a gap of 0 to the
    neighbour group (60 in 2017, 64 in 2019), measured 61 in 2019."""
    group, england = neighbour_group(name=f"{area.name} neighbours")
    plan = DeliveryPlanFactory(area=area)
    indicator = IndicatorFactory(
        priority=PriorityFactory(plan=plan),
        name="Children reaching a good level of development",
        baseline_value=Decimal(55),
        baseline_date=D2017,
        comparator=england,
        comparator_group=group,
    )
    TargetFactory(indicator=indicator, date=HALFWAY_AT_2019, value=0, basis=TargetBasis.GROUP)
    MeasurementFactory(lineage=indicator.lineage, date=D2019, value=Decimal(61))
    services.plan_publish(plan=plan, user=user)
    return indicator


@pytest.fixture
def indicator(area, users):
    return plan_against_neighbours(area, users[Role.AREA_LEAD])


def _paths(area, indicator):
    base = f"/areas/{area.slug}/indicators/{indicator.lineage_id}/"
    return base, base + "neighbours.csv"


def test_the_indicator_page_charts_the_area_national_and_the_group_with_a_table(
    client, users, area, indicator
):
    client.force_login(users[Role.AREA_LEAD])
    page, _ = _paths(area, indicator)
    html = client.get(page).content.decode()
    assert f'id="neighbours-{indicator.lineage_id}"' in html
    for line in (area.name, "England GLD", f"{area.name} neighbours"):
        assert line in html
    # The judgement is against the group: gap 61 - 64 = -3, at risk.
    assert "At risk" in html
    assert "Gap to Blackpool neighbours of 0 points or better" in html
    assert "2 of 2" in html


def test_the_charts_table_downloads_as_csv_with_the_members_counted(client, users, area, indicator):
    client.force_login(users[Role.BOARD_MEMBER])
    _, download = _paths(area, indicator)
    response = client.get(download)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "date",
        "area_value",
        "comparator_value",
        "group_value",
        "group_members_with_data",
    ]
    # 2017: baseline 55, England 70, group (58 + 62) / 2; 2019: 61, 72, (63 + 65) / 2.
    assert [row[:6] for row in rows[1:]] == [
        ["2017-08-31", "55", "70", "60", "2", "2"],
        ["2019-08-31", "61", "72", "64", "2", "2"],
    ]
    assert rows[1][6] == "mean of members' figures"


@pytest.mark.parametrize("role", list(Role))
def test_everyone_in_scope_reads_the_comparison(client, role, users, area, indicator):
    client.force_login(users[role])
    for path in _paths(area, indicator):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.SCHOOL_STAFF])
def test_another_areas_comparison_is_not_found(client, role, users, other_area):
    other = plan_against_neighbours(other_area, users[Role.ADMINISTRATOR])
    client.force_login(users[role])
    for path in _paths(other_area, other):
        response = client.get(path)
        assert response.status_code == 404, path
        assert other_area.name.encode() not in response.content


def test_an_indicator_without_a_group_has_no_comparison_csv(client, users, area, indicator):
    other = IndicatorFactory(priority__plan__area=area)
    client.force_login(users[Role.ADMINISTRATOR])
    assert (
        client.get(f"/areas/{area.slug}/indicators/{other.lineage_id}/neighbours.csv").status_code
        == 404
    )


# --- The groups page and import ---------------------------------------------------

GOOD_FILE = (
    "group,la_code,la_name,description\r\n"
    "Derby neighbours,831,Derby,Illustrative\r\n"
    "Derby neighbours,856,Leicester,\r\n"
    "Oldham neighbours,353,Oldham,\r\n"
)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DFE_STAFF, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.AREA_LEAD, 403),
        (Role.BOARD_MEMBER, 403),
        (Role.SCHOOL_STAFF, 403),
    ],
)
def test_the_groups_page_is_for_dfe_staff_and_administrators(client, users, role, status):
    neighbour_group()
    client.force_login(users[role])
    response = client.get("/comparator-groups/")
    assert response.status_code == status
    if status == 200:
        assert b"Leicester" in response.content


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.AREA_LEAD])
def test_only_administrators_import_groups(client, users, role):
    client.force_login(users[role])
    upload = SimpleUploadedFile("groups.csv", GOOD_FILE.encode(), content_type="text/csv")
    assert client.post("/comparator-groups/import/", {"file": upload}).status_code == 403
    assert not ComparatorGroup.objects.exists()


def _upload(client, text):
    """The preview page the upload answers with."""
    upload = SimpleUploadedFile("groups.csv", text.encode(), content_type="text/csv")
    response = client.post("/comparator-groups/import/", {"file": upload})
    assert response.status_code == 200
    return response


def _confirm(client, preview):
    return client.post(
        "/comparator-groups/import/check/",
        {"text": preview.context["text"], "file_name": "groups.csv"},
    )


def test_an_administrator_previews_then_imports_groups_with_history(client, users):
    admin = users[Role.ADMINISTRATOR]
    client.force_login(admin)
    preview = _upload(client, GOOD_FILE)
    html = preview.content.decode()
    assert "Derby, Leicester (2)" in html
    assert not ComparatorGroup.objects.exists()
    response = _confirm(client, preview)
    assert response.status_code == 302
    derby = ComparatorGroup.objects.get(name="Derby neighbours")
    assert sorted(derby.members.values_list("la_code", flat=True)) == [831, 856]
    assert derby.description == "Illustrative"
    record = ChangeRecord.objects.get(object_id=derby.pk, object_repr="Derby neighbours")
    assert record.changed_by == admin


def test_reimporting_replaces_a_named_groups_members_and_leaves_others(client, users):
    client.force_login(users[Role.ADMINISTRATOR])
    preview = _upload(client, GOOD_FILE)
    _confirm(client, preview)
    preview = _upload(client, "group,la_code,la_name\r\nDerby neighbours,892,Nottingham\r\n")
    assert "Changed" in preview.content.decode()
    _confirm(client, preview)
    derby = ComparatorGroup.objects.get(name="Derby neighbours")
    assert list(derby.members.values_list("la_code", flat=True)) == [892]
    assert ComparatorGroup.objects.get(name="Oldham neighbours").members.count() == 1


def test_a_bad_file_names_the_line_and_column_and_imports_nothing(client, users):
    client.force_login(users[Role.ADMINISTRATOR])
    preview = _upload(
        client,
        "group,la_code,la_name\r\n"
        "Derby neighbours,831,Derby\r\n"
        "Derby neighbours,83x,Leicester\r\n"
        "Derby neighbours,831,Derby again\r\n",
    )
    assert [tuple(error) for error in preview.context["errors"]] == [
        (3, "la_code '83x' is not a positive whole number"),
        (4, "LA 831 is listed twice for the group 'Derby neighbours'"),
    ]
    assert "is not a positive whole number" in preview.content.decode()
    assert not preview.context["can_confirm"]
    assert not ComparatorGroup.objects.exists()
