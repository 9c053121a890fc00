"""Provisional and revised marks follow a figure wherever it appears: the plan
page, the indicator page, the dashboard, the encounter pages, the report
(HTML and PDF) and the API. In-year encounter coverage is provisional until
the academic year closes."""

import json
import subprocess
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from core.models import Role
from core.templatetags.figures import figure_mark
from dashboard.services import summaries_rebuild
from encounters.academic_years import AcademicYear
from plans.models import DeliveryPlan, FigureStatus, Measurement, PlanStatus
from reports import services as report_services
from reports.models import ReportStatus
from tests.plans.factories import published_plan_with
from tests.reports.factories import REPORT_DAY, reporting_area

pytestmark = pytest.mark.django_db

TODAY = date(2020, 6, 1)
PROVISIONAL_TAG = "govuk-tag--yellow app-figure-mark"
REVISED_TAG = "govuk-tag--purple app-figure-mark"


def test_the_mark_names_the_stage_and_final_figures_carry_none():
    assert ">Provisional<" in figure_mark("provisional")
    assert ">Revised<" in figure_mark("revised")
    assert figure_mark("final") == ""
    assert figure_mark("") == ""


@pytest.fixture
def plan(area, users):
    with time_machine.travel(TODAY, tick=False):
        return published_plan_with(area, user=users[Role.AREA_LEAD], measurements_per_indicator=2)


def _latest(indicator):
    return Measurement.objects.filter(lineage=indicator.lineage).order_by("-date").first()


@pytest.mark.parametrize(
    ("stage", "tag"),
    [(FigureStatus.PROVISIONAL, PROVISIONAL_TAG), (FigureStatus.REVISED, REVISED_TAG)],
)
def test_the_plan_and_indicator_pages_mark_a_latest_figure_that_is_not_final(
    client, area, users, plan, stage, tag
):
    indicator = plan.indicators.first()
    Measurement.objects.filter(lineage__area=area).update(status=FigureStatus.FINAL)
    client.force_login(users[Role.BOARD_MEMBER])
    with time_machine.travel(TODAY, tick=False):
        assert tag not in client.get(f"/areas/{area.slug}/plan/").content.decode()

        latest = _latest(indicator)
        latest.status = stage
        latest.save()
        plan_page = client.get(f"/areas/{area.slug}/plan/").content.decode()
        indicator_page = client.get(
            f"/areas/{area.slug}/indicators/{indicator.lineage_id}/"
        ).content.decode()
    assert plan_page.count(tag) == 1
    # Beside the latest figure, and in the list of measurements.
    assert indicator_page.count(tag) == 2


def test_an_earlier_provisional_figure_does_not_mark_a_final_latest_one(client, area, users, plan):
    indicator = plan.indicators.first()
    Measurement.objects.filter(lineage__area=area).update(status=FigureStatus.FINAL)
    earliest = Measurement.objects.filter(lineage=indicator.lineage).order_by("date").first()
    earliest.status = FigureStatus.PROVISIONAL
    earliest.save()
    client.force_login(users[Role.BOARD_MEMBER])
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/areas/{area.slug}/plan/").content.decode()
    assert PROVISIONAL_TAG not in page


# --- Encounter coverage: provisional while the academic year is open ------------


def test_academic_years_are_provisional_up_to_their_last_day():
    year = AcademicYear(2019)
    assert year.is_provisional_on(date(2019, 9, 1))
    assert year.is_provisional_on(date(2020, 8, 31))
    assert not year.is_provisional_on(date(2020, 9, 1))


@pytest.mark.parametrize(
    ("year", "provisional"), [(2019, True), (2018, False)], ids=["this year", "last year"]
)
def test_coverage_pages_and_api_mark_only_an_open_year(
    client, area, school, users, year, provisional
):
    summaries_rebuild()
    marked = {}
    with time_machine.travel(TODAY, tick=False):
        client.force_login(users[Role.DFE_STAFF])
        marked["dashboard"] = client.get(
            reverse("dashboard:dashboard"), {"year": year}
        ).content.decode()
        marked["area page"] = client.get(
            f"/areas/{area.slug}/encounters/", {"year": year}
        ).content.decode()
        area_api = client.get(f"/api/v1/coverage/areas/{area.slug}/", {"year": year}).json()
        dashboard_api = client.get("/api/v1/dashboard/areas/", {"year": year}).json()
        client.force_login(users[Role.SCHOOL_STAFF])
        marked["school page"] = client.get(
            f"/schools/{school.urn}/coverage/", {"year": year}
        ).content.decode()
        school_api = client.get(f"/api/v1/coverage/schools/{school.urn}/", {"year": year}).json()
    for surface, page in marked.items():
        assert (PROVISIONAL_TAG in page) is provisional, surface
    assert area_api["provisional"] is provisional
    assert school_api["provisional"] is provisional
    assert dashboard_api["results"]
    assert all(row["coverage_provisional"] is provisional for row in dashboard_api["results"])


# --- The report: HTML, PDF and its JSON snapshot -----------------------------------


@pytest.fixture
def report_with_a_provisional_figure(area, encounter_types, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    with time_machine.travel(REPORT_DAY, tick=False):
        reporting_area(area, lead)
        plan = DeliveryPlan.objects.get(area=area, status=PlanStatus.PUBLISHED)
        measured = [i for i in plan.indicators.all() if _latest(i)]
        latest = _latest(measured[0])
        latest.status = FigureStatus.PROVISIONAL
        latest.save()
        with django_capture_on_commit_callbacks(execute=True):
            run, _ = report_services.report_run_request(area=area, user=lead)
    run.refresh_from_db()
    assert run.status == ReportStatus.SUCCEEDED, run.error_message
    return run, measured[0]


@pytest.fixture
def encounter_types(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("encounters.migrations.0002_encounter_types")
    migration.create_encounter_types(apps, None)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_report_marks_provisional_figures_in_html_pdf_and_json(
    report_with_a_provisional_figure, tmp_path
):
    run, indicator = report_with_a_provisional_figure
    with run.snapshot_file.open("rb") as stored:
        snapshot = json.load(stored)
    shown = {i["name"]: i for priority in snapshot["priorities"] for i in priority["indicators"]}
    assert shown[indicator.name]["latest"]["figure_status"] == "provisional"
    others = [i for name, i in shown.items() if name != indicator.name and i["latest"]]
    assert others
    assert all(i["latest"]["figure_status"] == "final" for i in others)
    # The report's period ends in October 2019: 2019/20 had not closed.
    assert snapshot["encounters"]["provisional"] is True

    with run.html_file.open("rb") as stored:
        html = stored.read().decode()
    # The indicator's latest figure and the encounter section.
    assert html.count(">Provisional</strong>") == 2

    pdf = tmp_path / "report.pdf"
    with run.pdf_file.open("rb") as stored:
        pdf.write_bytes(stored.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert text.count("Provisional") >= 2
    assert "before the academic year closed" in " ".join(text.split())
