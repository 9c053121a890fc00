"""Every open-data download the service offers, found by walking its URLs,
passes the screener port in each state built here: the demo data, an area
with no data, a suppressed row and a negative gap.

A URL that serves a CSV or a zip must be an EES data set download
(core.ees.DataSetDownloadMixin), unless it is listed below as not open data;
and every such download must have an example here, so a new export cannot
skip the screener."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from areas.models import Area, School
from core import ees
from core.ees import DataSetDownloadMixin
from core.models import Role
from dashboard.services import summaries_rebuild
from encounters.academic_years import AcademicYear
from plans.models import Indicator
from reports.models import ReportRun, ReportStatus
from reports.render import report_data_sets
from reports.snapshot import report_snapshot
from tests.ees.screener import screen
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory, UserFactory
from tests.reports.factories import report_run

pytestmark = pytest.mark.django_db

NOT_OPEN_DATA = {
    "encounters:below-pledge-csv": (
        "a list of named pupils for the school's own staff, not statistics"
    ),
    **dict.fromkeys(
        (
            "plans:measurements-import-template",
            "plans:actions-import-template",
            "plans:comparator-groups-import-template",
            "evidence:strands-import-template",
            "encounters:roster-template",
            "encounters:upload-template",
        ),
        "an upload's template (its header and an example row), not statistics",
    ),
    "plans:indicator-neighbours-csv": (
        "the three-line chart's table (the area, its comparator and its comparator group) "
        "as plain CSV beside the chart; the area's own figures are the indicator's data set"
    ),
    "encounters:list-csv": (
        "the school's own encounter records for its staff, the paged list in full, not statistics"
    ),
    "encounters:employers-csv": (
        "the area's employer contribution table (volunteers, hours, placements, schools "
        "reached, encounters delivered; no pupil counts) as plain CSV beside the table; "
        "not yet an EES data set"
    ),
    "plans:funding-csv": (
        "the funding chart's table (allocation and spend by financial year, in pounds) as "
        "plain CSV beside the chart, like the neighbours table; not yet an EES data set"
    ),
    "admin:encounters_pupildataaccess_export": (
        "the pupil data access log for administrators, an audit record, not statistics"
    ),
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}", pattern


def _downloads():
    """(URL name, part) of every data set download."""
    found = []
    for _, name, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class and issubclass(view_class, DataSetDownloadMixin):
            found.append((name, pattern.callback.view_initkwargs.get("part", "data")))
    return found


def test_every_csv_or_zip_url_is_an_ees_data_set_download():
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.endswith((".csv", ".zip")) or name in NOT_OPEN_DATA:
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        assert view_class is not None, route
        assert issubclass(view_class, DataSetDownloadMixin), route


def test_every_download_offers_the_zip_the_data_file_and_the_metadata_file():
    parts = {}
    for name, part in _downloads():
        parts.setdefault(pattern_view(name), set()).add(part)
    assert parts
    assert all(found == {"data", "meta", "zip"} for found in parts.values()), parts


def pattern_view(name):
    for _, found, pattern in _walk(get_resolver().url_patterns):
        if found == name:
            return pattern.callback.view_class


# --- the states ----------------------------------------------------------------------


def _admin():
    return UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def _report_with_real_data(area):
    """A finished run whose stored data is rendered from a real snapshot."""
    today = timezone.localdate()
    run = report_run(area, status=ReportStatus.SUCCEEDED, period=(today.replace(day=1), today))
    data = report_snapshot(
        area=area,
        period_start=run.period_start,
        period_end=run.period_end,
        generated_at=timezone.now(),
    )
    content = ees.zip_bytes(ees.data_set_files(report_data_sets(data, stem=run.file_stem)))
    name = default_storage.save("reports/test/data.zip", ContentFile(content))
    ReportRun.objects.filter(pk=run.pk).update(csv_file=name)
    return ReportRun.objects.get(pk=run.pk)


def _data_set_names(run):
    with run.csv_file.open("rb") as stored:
        names = ees.unzipped(stored.read())
    return [n.removesuffix(".csv") for n in ees.data_file_names(names)]


def _urls(area, school, run):
    """Each download's URLs for one area, school and report run."""
    year = f"?year={AcademicYear.current().start_year}"
    indicator = Indicator.objects.filter(plan__area=area).first()
    urls = {
        "dashboard": [reverse(f"dashboard:{n}") + year for n in ("csv", "meta", "zip")],
        "area": [
            reverse(f"encounters:area-{n}", kwargs={"slug": area.slug}) + year
            for n in ("csv", "meta", "zip")
        ],
        "school": [
            reverse(f"encounters:coverage-{n}", kwargs={"urn": school.urn}) + year
            for n in ("csv", "meta", "zip")
        ],
        "report": [reverse("reports:zip", kwargs={"slug": area.slug, "pk": run.pk})]
        + [
            reverse(f"reports:{part}", kwargs={"slug": area.slug, "pk": run.pk, "data_set": name})
            for name in _data_set_names(run)
            for part in ("data", "meta")
        ],
    }
    if indicator is not None:
        urls["indicator"] = [
            reverse(f"plans:indicator-{n}", kwargs={"slug": area.slug, "pk": indicator.lineage_id})
            for n in ("csv", "meta", "zip")
        ]
    return urls


# The URL names each example above covers: a download not listed fails
# test_every_download_has_an_example.
COVERED = {
    "dashboard:csv",
    "dashboard:meta",
    "dashboard:zip",
    "encounters:area-csv",
    "encounters:area-meta",
    "encounters:area-zip",
    "encounters:coverage-csv",
    "encounters:coverage-meta",
    "encounters:coverage-zip",
    "plans:indicator-csv",
    "plans:indicator-meta",
    "plans:indicator-zip",
    "reports:zip",
    "reports:data",
    "reports:meta",
}


def test_every_download_has_an_example():
    assert {name for name, _ in _downloads()} == COVERED


def _screen_downloads(client, urls):
    """Screen what every URL serves: each zip's pairs, and each data file
    with the metadata file beside it (the same bytes as in the zip)."""
    screened = 0
    served = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
        served[name] = response.content
        if name.endswith(".zip"):
            files = ees.unzipped(response.content)
            data_files = ees.data_file_names(files)
            # Each zip's data guidance names every data file it holds.
            guidance = files.pop(ees.DATA_GUIDANCE).decode("utf-8-sig")
            assert all(f"Data file: {n}" in guidance for n in data_files), url
            assert set(files) == {n for d in data_files for n in (d, d[:-4] + ".meta.csv")}, url
            for file_name in data_files:
                meta = files[file_name.removesuffix(".csv") + ".meta.csv"]
                result = screen(files[file_name], meta, data_name=file_name)
                assert result.passed, f"{url} {file_name}:\n{result}"
                screened += 1
    for name, content in served.items():
        if name.endswith(".csv") and not name.endswith(".meta.csv"):
            meta = served[name.removesuffix(".csv") + ".meta.csv"]
            result = screen(content, meta, data_name=name)
            assert result.passed, f"{name}:\n{result}"
            screened += 1
    return screened


def _all_urls(area, school, run):
    return [url for urls in _urls(area, school, run).values() for url in urls]


def test_the_demo_data_exports_pass_the_screener(client):
    call_command("seed_demo", stdout=StringIO())
    summaries_rebuild()
    client.force_login(_admin())
    area = Area.objects.get(slug="bradford")
    school = School.objects.filter(area=area, pupils__isnull=False).distinct().first()
    run = _report_with_real_data(area)
    urls = _urls(area, school, run)
    assert "indicator" in urls
    assert _screen_downloads(client, _all_urls(area, school, run)) >= 10


def test_an_area_with_no_data_exports_files_that_pass(client, reference_areas):
    area = reference_areas["ipswich"]
    school = SchoolFactory(area=area)
    summaries_rebuild()
    client.force_login(_admin())
    run = _report_with_real_data(area)
    assert _data_set_names(run) == [f"{run.file_stem}-coverage"]
    assert _screen_downloads(client, _all_urls(area, school, run)) >= 4
    area_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("encounters:area-csv", kwargs={"slug": area.slug})
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert {r["pupils_on_roll"] for r in area_rows} == {"0"}
    assert {r["pupils_four_encounters_percent"] for r in area_rows} == {"z"}


def _cohort(school, year_group, *, disadvantaged, pupils, attending, encounters=4):
    cohort = [
        PupilFactory(school=school, year_group=year_group, disadvantaged=disadvantaged)
        for _ in range(pupils)
    ]
    start = AcademicYear.current().start
    for k in range(encounters):
        day = min(start + datetime.timedelta(days=k), timezone.localdate())
        attend(EncounterFactory(school=school, date=day), cohort[:attending])


def test_a_suppressed_row_and_a_negative_gap_pass(client, reference_areas):
    area = reference_areas["bradford"]
    big = SchoolFactory(area=area, name="Big Academy", establishment_number=4001)
    small = SchoolFactory(area=area, name="Small School")  # no establishment number: x
    # Disadvantaged pupils ahead of the others: a negative gap.
    _cohort(big, 9, disadvantaged=True, pupils=20, attending=20)
    _cohort(big, 9, disadvantaged=False, pupils=20, attending=10)
    _cohort(small, 9, disadvantaged=False, pupils=2, attending=2)  # 2 pupils: c
    summaries_rebuild()
    client.force_login(_admin())
    run = _report_with_real_data(area)
    assert _screen_downloads(client, _all_urls(area, big, run)) >= 8

    def rows(url):
        body = client.get(url).content.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(body)))

    year = f"?year={AcademicYear.current().start_year}"
    coverage = rows(reverse("encounters:area-csv", kwargs={"slug": area.slug}) + year)
    by_school = {(r["school_name"], r["year_group"]): r for r in coverage}
    assert by_school[("Small School", "Year 9")]["pupils_on_roll"] == "c"
    assert by_school[("Small School", "Year 9")]["school_laestab"] == "x"
    assert by_school[("Big Academy", "Year 9")]["school_laestab"] == f"{big.la_code}4001"
    gap = "gap_four_encounters_percentage_points"
    school_rows = rows(reverse("encounters:coverage-csv", kwargs={"urn": big.urn}) + year)
    assert next(r for r in school_rows if r["year_group"] == "Year 9")[gap] == "-50.0"
    dashboard = rows(reverse("dashboard:csv") + year)
    bradford = next(
        r
        for r in dashboard
        if r["opportunity_area_code"] == area.code and r["life_stage"] == "Total"
    )
    assert bradford[gap].startswith("-")


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DFE_STAFF])
def test_the_dashboard_passes_for_every_reader(client, users, role):
    summaries_rebuild()
    client.force_login(users[role])
    urls = [reverse(f"dashboard:{n}") for n in ("csv", "meta", "zip")]
    assert _screen_downloads(client, urls) == 2
