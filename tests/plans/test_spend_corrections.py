"""Spend that adds up (issue 14 item 3): an update whose spend to date is
lower than the last is a correction, needs a reason, shows as a correction,
and no page, API answer or report shows negative spend because of it."""

import importlib
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from core.models import Role
from core.tokens import api_token_create
from plans import services
from plans.models import ActionStatus, FundingAllocation, FundingStream
from plans.selectors import funding_summary
from reports.snapshot import report_snapshot
from tests.factories import UserFactory
from tests.plans.factories import ActionUpdateFactory, draft_plan_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(area):
    """A published plan with one action on a stream, allocated £60,000 in
    2018-19 and £40,000 in 2019-20."""
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    stream = FundingStream.objects.create(code="oa-core", name="Opportunity Area core")
    FundingAllocation.objects.create(
        area=area, stream=stream, financial_year=2018, amount=Decimal("60000")
    )
    FundingAllocation.objects.create(
        area=area, stream=stream, financial_year=2019, amount=Decimal("40000")
    )
    draft = draft_plan_with(area, priorities=1, indicators_per_priority=0, actions_per_priority=1)
    draft.actions.update(funding_stream=stream)
    plan = services.plan_publish(plan=draft, user=lead)
    return plan.actions.get(), lead


def _log(action, lead, when, total, reason=""):
    return services.action_update_log(
        lineage=action.lineage,
        user=lead,
        date=when,
        status=ActionStatus.ON_TRACK,
        narrative="Quarter's sessions delivered.",
        spend_to_date=Decimal(total),
        correction_reason=reason,
    )


def _quarters_and_a_correction(action, lead):
    # Quarter by quarter through 2018-19, then, in 2019-20, the finance
    # team finds £5,000 was booked twice: the running total falls to £20,000.
    _log(action, lead, date(2018, 6, 30), "10000")
    _log(action, lead, date(2018, 9, 30), "18000")
    _log(action, lead, date(2018, 12, 31), "25000")
    return _log(action, lead, date(2019, 5, 1), "20000", reason="£5,000 invoice was counted twice")


def test_a_lower_total_needs_a_reason_and_a_reason_needs_a_lower_total(funded):
    action, lead = funded
    _log(action, lead, date(2018, 6, 30), "10000")
    with pytest.raises(ValidationError) as lower:
        _log(action, lead, date(2018, 9, 30), "8000")
    assert "correction_reason" in lower.value.message_dict
    with pytest.raises(ValidationError) as not_lower:
        _log(action, lead, date(2018, 9, 30), "12000", reason="Typo")
    assert "correction_reason" in not_lower.value.message_dict
    assert _log(action, lead, date(2018, 9, 30), "8000", reason="Refund").is_correction


def test_a_correction_reads_back_onto_the_years_and_never_goes_negative(funded, area):
    action, lead = funded
    _quarters_and_a_correction(action, lead)
    rows = {r["year"]: r for r in funding_summary(user=lead, area=area)["funding_rows"]}
    # Worked by hand: the £25,000 logged in December was £5,000 too high, so
    # 2018-19 spent £20,000 (10,000 + 8,000 + 2,000, the last corrected) and
    # 2019-20 has spent nothing (not -£5,000, as subtraction gave).
    assert rows[2018]["spent"] == Decimal("20000")
    assert rows[2019]["spent"] == Decimal("0")
    assert rows[2018]["remaining"] == Decimal("40000")
    assert rows[2019]["remaining"] == Decimal("40000")


def test_no_page_api_or_report_shows_negative_spend(funded, area, client):
    action, lead = funded
    _quarters_and_a_correction(action, lead)
    negative = re.compile(r"(£\s*-|-\s*£|−)")

    client.force_login(lead)
    for path in (
        f"/areas/{area.slug}/funding/",
        f"/areas/{area.slug}/actions/{action.lineage_id}/",
    ):
        page = client.get(path).content.decode()
        assert not negative.search(page), path
    action_page = client.get(f"/areas/{area.slug}/actions/{action.lineage_id}/").content.decode()
    assert "Correction" in action_page
    assert "£5,000 invoice was counted twice" in action_page

    token = api_token_create(user=lead, name="Tests")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    updates = api.get("/api/v1/action-updates/", {"lineage": action.lineage_id}).json()["results"]
    assert sorted(Decimal(u["spend_to_date"]) for u in updates) == [
        Decimal("10000"),
        Decimal("18000"),
        Decimal("20000"),
        Decimal("25000"),
    ]
    assert [u["correction_reason"] for u in updates if Decimal(u["spend_to_date"]) == 20000] == [
        "£5,000 invoice was counted twice"
    ]

    snapshot = report_snapshot(
        area=area,
        period_start=date(2019, 4, 1),
        period_end=date(2019, 7, 31),
        generated_at=timezone.make_aware(datetime(2019, 8, 1, 9)),
    )
    spent = {r["financial_year"]: Decimal(r["spent"]) for r in snapshot["funding"]["rows"]}
    assert spent == {2018: Decimal("20000"), 2019: Decimal("0")}
    assert Decimal(snapshot["funding"]["spent_total"]) == Decimal("20000")


def test_the_update_form_asks_for_a_reason_when_the_total_falls(funded, area, client):
    action, lead = funded
    _log(action, lead, date(2018, 6, 30), "10000")
    client.force_login(lead)
    path = f"/areas/{area.slug}/actions/{action.lineage_id}/updates/new/"
    response = client.post(
        path,
        {
            "status": ActionStatus.ON_TRACK,
            "narrative": "Refund from the provider.",
            "spend_to_date": "9,000",
            "date_0": "30",
            "date_1": "9",
            "date_2": "2018",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "say why the earlier figure was wrong" in page, re.findall(
        r"govuk-error-message.*", page
    )


def _chart_table(html):
    """The chart's table: {financial year: (allocated, spent)} as printed."""
    table = html[html.index('id="funding-by-year') :]
    table = table[table.index("<table") : table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<t[hd][^>]*>\s*(.*?)\s*</t[hd]>", row, re.S) for row in rows[1:]]
    return {c[0]: tuple(Decimal(v.replace(",", "").replace("£", "")) for v in c[1:]) for c in cells}


def test_the_funding_chart_table_and_csv_match_the_rows(funded, area, client):
    action, lead = funded
    _quarters_and_a_correction(action, lead)
    client.force_login(lead)
    html = client.get(f"/areas/{area.slug}/funding/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="funding-by-year"' in html
    rows = funding_summary(user=lead, area=area)["funding_rows"]
    by_year = {}
    for row in rows:
        allocated, spent = by_year.get(row["year_label"], (0, 0))
        by_year[row["year_label"]] = (allocated + row["allocated"], spent + row["spent"])
    assert _chart_table(html) == by_year
    assert _chart_table(html) == {
        "2018-19": (Decimal("60000"), Decimal("20000")),
        "2019-20": (Decimal("40000"), Decimal("0")),
    }

    response = client.get(f"/areas/{area.slug}/funding.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "financial_year,funding_stream,allocated_pounds,spent_pounds,remaining_pounds,"
        "overspent_pounds",
        "2018-19,Opportunity Area core,60000.00,20000.00,40000.00,0.00",
        "2019-20,Opportunity Area core,40000.00,0.00,40000.00,0.00",
    ]


def test_the_funding_csv_is_scoped(funded, area, other_area, users, client):
    action, lead = funded
    _quarters_and_a_correction(action, lead)
    for role in (Role.BOARD_MEMBER, Role.DFE_STAFF):
        client.force_login(users[role])
        assert client.get(f"/areas/{area.slug}/funding.csv").status_code == 200, role
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    assert client.get(f"/areas/{area.slug}/funding.csv").status_code == 404
    assert client.get(f"/areas/{area.slug}/funding/").status_code == 404


def test_the_migration_marks_earlier_falls_as_corrections_and_names_old_files(
    funded, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    action, lead = funded
    forward = importlib.import_module(
        "plans.migrations.0003_evidence_file_details_and_spend_corrections"
    ).forward
    # Logged before the rule: the total fell from £10,000 to £8,000 with no reason.
    first = ActionUpdateFactory(lineage=action.lineage, date=date(2018, 6, 30), spend_to_date=10000)
    fell = ActionUpdateFactory(lineage=action.lineage, date=date(2018, 9, 30), spend_to_date=8000)
    rose = ActionUpdateFactory(lineage=action.lineage, date=date(2018, 12, 31), spend_to_date=9000)
    rose.evidence_file.save("minutes.pdf", ContentFile(b"%PDF-1.7 minutes"), save=True)

    forward(django_apps, None)

    for update in (first, fell, rose):
        update.refresh_from_db()
    assert (first.is_correction, fell.is_correction, rose.is_correction) == (False, True, False)
    assert rose.evidence_original_name == rose.evidence_file_name
    assert rose.evidence_size == len(b"%PDF-1.7 minutes")
