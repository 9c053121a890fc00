"""An area lead sets a target against the area's statistical neighbours and
sees the area, national and the group as three lines with their table; an
administrator imports groups with a preview. axe on each new or changed page."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.models import Role
from plans import services
from tests.factories import UserFactory
from tests.plans.factories import (
    DeliveryPlanFactory,
    IndicatorFactory,
    MeasurementFactory,
    PriorityFactory,
    TargetFactory,
)
from tests.plans.test_neighbours import D2017, D2019, neighbour_group

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


def test_area_lead_sets_a_statistical_neighbours_target_and_sees_three_lines(
    page, live_server, sign_in, assert_accessible, blackpool
):
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    group, england = neighbour_group(name="Blackpool and its statistical neighbours")
    plan = DeliveryPlanFactory(area=blackpool)
    indicator = IndicatorFactory(
        priority=PriorityFactory(plan=plan),
        name="Children reaching a good level of development",
        baseline_value=Decimal(55),
        baseline_date=D2017,
        comparator=england,
    )
    TargetFactory(indicator=indicator, date=date(2021, 8, 30), value=Decimal(70))
    MeasurementFactory(lineage=indicator.lineage, date=D2019, value=Decimal(61))
    services.plan_publish(plan=plan, user=lead)

    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/plan/versions/")
    page.get_by_role("button", name="Edit the plan").click()
    page.get_by_role("link", name=f"Change {indicator.name}").click()
    page.get_by_label("Comparator group (optional)").select_option(label=group.name)
    assert_accessible(page)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name=f"Change target for 30 August 2021, {indicator.name}").click()
    page.get_by_label("A gap to the comparator group").check()
    page.get_by_label("Target value").fill("0")
    page.get_by_label("Description").fill("At least the statistical-neighbour average")
    assert_accessible(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"gap of 0 to {group.name}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish this version").click()
    page.get_by_role("button", name="Publish version 2").click()

    page.goto(f"{live_server.url}/areas/blackpool/indicators/{indicator.lineage_id}/")
    chart = page.locator(f"svg#neighbours-{indicator.lineage_id}")
    expect(chart).to_be_visible()
    # Three lines: the area, England and the group (one segment each).
    expect(chart.locator("polyline")).to_have_count(3)
    table = page.get_by_role(
        "table", name=f"{indicator.name}: Blackpool, England GLD and {group.name}"
    )
    expect(table).to_contain_text("2 of 2")
    # Judged against the group: 61 - 64 = -3 against -2.5 expected, at risk.
    expect(page.locator("main .govuk-tag").first).to_have_text("At risk")
    expect(page.get_by_role("link", name="Download this table (CSV)")).to_be_visible()
    assert_accessible(page)


def test_administrator_imports_groups_with_a_preview(
    page, live_server, sign_in, assert_accessible, transactional_db
):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    sign_in(page, admin.email)
    page.goto(f"{live_server.url}/comparator-groups/")
    assert_accessible(page)
    page.get_by_role("button", name="Import groups from a CSV file").click()
    assert_accessible(page)
    text = "group,la_code,la_name\nDerby neighbours,831,Derby\nDerby neighbours,856,Leicester\n"
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "groups.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("table", name="Groups in the file")).to_contain_text(
        "Derby, Leicester (2)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Import the groups").click()
    expect(page.get_by_text("Comparator groups imported: 1 groups in the file")).to_be_visible()
    expect(page.get_by_role("table", name="Members of Derby neighbours (2)")).to_contain_text(
        "Leicester"
    )


GLD_FILE = "\n".join(
    [
        "time_period,time_identifier,geographic_level,country_code,country_name,"
        "old_la_code,new_la_code,la_name,characteristic,pt_gld",
        "201718,Academic year,National,E92000001,England,,,,Total,71.5",
        "201819,Academic year,National,E92000001,England,,,,Total,71.8",
        "201718,Academic year,Local authority,E92000001,England,890,E06000009,Blackpool,Total,60.0",
        "201819,Academic year,Local authority,E92000001,England,890,E06000009,Blackpool,Total,62.0",
        "201718,Academic year,Local authority,E92000001,England,845,E10000011,East Sussex,"
        "Total,70.0",
        "201819,Academic year,Local authority,E92000001,England,845,E10000011,East Sussex,"
        "Total,72.0",
        "",
    ]
)


def test_area_lead_imports_an_ees_file_sets_a_neighbours_target_and_sees_three_lines(
    page, live_server, sign_in, assert_accessible, blackpool
):
    """The whole journey of the issue's acceptance line: DfE's national and
    a neighbour's series are in (an administrator imported them from the
    same EES file); the area lead imports Blackpool's own series from it
    with a preview, sets a target against Blackpool and its neighbours, and
    sees the area, England and the group (worked out from the imported LA
    series: (60 + 70) / 2 = 65 and (62 + 72) / 2 = 67) as three lines."""
    from plans import comparator_imports as ci
    from plans.models import ComparatorGroup, ComparatorGroupMember, ComparatorSeries, Unit

    admin = UserFactory(role=Role.ADMINISTRATOR)
    ees_file = ci.ees_text_read(GLD_FILE)
    for level, location in ((ci.NATIONAL, "E92000001"), (ci.LOCAL_AUTHORITY, "E10000011")):
        ci.comparator_import_apply(
            ees_file=ees_file,
            selection=ci.Selection(
                indicator="pt_gld",
                filters={"characteristic": "Total"},
                level=level,
                locations=(location,),
                periods=tuple(ees_file.periods),
                unit=Unit.PERCENTAGE,
            ),
            file_name="gld.csv",
            user=admin,
        )
    england = ComparatorSeries.objects.get(geography="England")
    group = ComparatorGroup.objects.create(name="Blackpool and a neighbour")
    ComparatorGroupMember.objects.create(group=group, la_code=890, la_name="Blackpool")
    ComparatorGroupMember.objects.create(group=group, la_code=845, la_name="East Sussex")
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    plan = DeliveryPlanFactory(area=blackpool)
    indicator = IndicatorFactory(
        priority=PriorityFactory(plan=plan),
        name="Children reaching a good level of development",
        baseline_value=Decimal(55),
        baseline_date=D2017,
        comparator=england,
    )
    TargetFactory(indicator=indicator, date=date(2021, 8, 30), value=Decimal(70))
    MeasurementFactory(lineage=indicator.lineage, date=D2019, value=Decimal(61))
    services.plan_publish(plan=plan, user=lead)

    sign_in(page, lead.email)
    page.goto(f"{live_server.url}/areas/blackpool/plan/")
    page.get_by_role("link", name="Import comparator series").click()
    page.get_by_label("EES data file").set_input_files(
        files=[{"name": "gld.csv", "mimeType": "text/csv", "buffer": GLD_FILE.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_label("Local authority: Blackpool (E06000009)").check()
    page.get_by_role("button", name="Show what will be imported").click()
    expect(page.get_by_role("table").first).to_contain_text("62.000")
    assert_accessible(page)
    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_text("Comparator figures imported: 2 new")).to_be_visible()

    page.goto(f"{live_server.url}/areas/blackpool/plan/versions/")
    page.get_by_role("button", name="Edit the plan").click()
    page.get_by_role("link", name=f"Change {indicator.name}").click()
    page.get_by_label("Comparator group (optional)").select_option(label=group.name)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name=f"Change target for 30 August 2021, {indicator.name}").click()
    page.get_by_label("A gap to the comparator group").check()
    page.get_by_label("Target value").fill("0")
    page.get_by_label("Description").fill("At least the statistical-neighbour average")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("button", name="Publish this version").click()
    page.get_by_role("button", name="Publish version 2").click()

    page.goto(f"{live_server.url}/areas/blackpool/indicators/{indicator.lineage_id}/")
    chart = page.locator(f"svg#neighbours-{indicator.lineage_id}")
    expect(chart.locator("polyline")).to_have_count(3)
    table = page.get_by_role("table", name=f"and {group.name}")
    expect(table).to_contain_text("2 of 2")
    expect(table).to_contain_text("67")
    assert_accessible(page)
