"""Every page each role can reach, on a screen 320 CSS pixels wide.

WCAG 2.2 1.4.10 (Reflow): no page is wider than the viewport; a wide table
scrolls inside its own region. axe-core finds no violation of any impact,
and back links and breadcrumbs are inside <main>.

Each role (and a signed-out visitor) follows the links on every page it can
reach from where it starts, as a person would, and opens each URL pattern
once: the URL patterns are the ones tests/core/test_url_scoping.py walks.
Pages that only a form leads to are opened by submitting the form. The walk
must reach every page of the service, so a new page is checked as soon as
something links to it.
"""

import datetime
import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from core.models import Role, UploadPreview
from core.tokens import api_token_create
from core.upload_previews import upload_preview_store
from dashboard.services import summaries_rebuild
from encounters.academic_years import AcademicYear
from encounters.models import AttendanceUpload, EmployerContribution, UploadStatus
from evidence import services as evidence
from partners.services import invitation_link
from plans.services import plan_draft_start
from releases import services as releases
from releases.models import Release
from tests.browser.conftest import enter_code, enter_password
from tests.core.test_url_scoping import PUBLIC_URL_NAMES, SIGNED_IN_URL_NAMES, _app_patterns
from tests.dashboard.conftest import plan_with_funding, school_with_coverage
from tests.encounters.factories import EmployerFactory
from tests.evidence.factories import EvidenceStrandFactory
from tests.factories import UserFactory
from tests.plans.factories import OrganisationFactory, board_with_a_meeting
from tests.releases.conftest import in_an_hour, last_month, publication_time_passes
from tests.reports.factories import report_run, reporting_area

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 320
# Not GOV.UK pages: Django's admin and the API (JSON, and Swagger UI's
# documentation); the accessibility statement says so.
LEFT_OUT_PREFIXES = ("/admin/", "/api/", "/static/", "/media/")
# CSV, PDF, JSON, the stored report document and a release's frozen files
# are files, not pages.
FILE_ROUTE = re.compile(r"(\.\w+|/<str:name>)$")
# Answers POST only: a button on another page.
POST_ONLY = {
    "sign-out",
    "draft-start",
    "generate",
    "pre_release_remove",
    # The comparator groups' confirm button; its preview is the upload's answer.
    "comparator-groups-import-preview",
}

PLACEMENT_CHECK = """() => [...document.querySelectorAll('.govuk-back-link, .govuk-breadcrumbs')]
  .filter(element => !element.closest('main')).map(element => element.outerHTML.slice(0, 80))"""


@pytest.fixture
def service(transactional_db, reference_areas, settings, tmp_path):
    """Demo-like data: Blackpool with a published plan and a draft, funding,
    a board, schools with pupils and this year's encounters, a finished
    report and uploads waiting at a school; Derby's plan for the dashboard;
    an API token."""
    settings.MEDIA_ROOT = tmp_path / "media"
    importlib.import_module("encounters.migrations.0002_encounter_types").create_encounter_types(
        apps, None
    )
    blackpool = reference_areas["blackpool"]
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    reporting_area(blackpool, lead)
    # The seeded programme phases (ADR 0024): the OA phase has ended with
    # Blackpool's actions open, so its end, outcome and legacy pages show.
    importlib.import_module("plans.migrations.0003_programme_phases").seed_phases(apps, None)
    school = school_with_coverage(blackpool, pupils=12, name="Highfield Academy")
    plan_with_funding(reference_areas["derby"])
    board_with_a_meeting(blackpool, OrganisationFactory(name="Blackpool and The Fylde College"))
    EmployerContribution.objects.create(
        organisation=EmployerFactory(name="EDF Energy", kind="cornerstone_employer"),
        area=blackpool,
        academic_year=AcademicYear.current().start_year,
        volunteers=3,
    )
    report_run(blackpool, status="succeeded", requested_by=lead)
    board = UserFactory(role=Role.BOARD_MEMBER, area=blackpool)
    _releases(blackpool, lead, board)
    plan_draft_start(area=blackpool, user=lead)
    summaries_rebuild()
    staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    upload_preview_store(
        kind="roster",
        user=staff,
        school=school,
        file_name="roster.csv",
        content={"rows": []},
        options={"full_roster": False},
        summary={"creates": [], "updates": [], "leavers": [], "unchanged": 12},
    )
    AttendanceUpload.objects.create(
        school=school, uploaded_by=staff, file_name="attendance.csv", status=UploadStatus.DONE
    )
    _evidence(reference_areas, lead)
    dfe = UserFactory(role=Role.DFE_STAFF)
    api_token_create(user=dfe, name="Dashboard extract")
    return {
        Role.SCHOOL_STAFF: staff,
        Role.BOARD_MEMBER: board,
        Role.AREA_LEAD: lead,
        Role.DFE_STAFF: dfe,
        Role.ADMINISTRATOR: UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }


def _releases(area, lead, listed):
    """Last month's release published and then corrected (so a superseded
    version and its change note exist); the month before's still before
    its publication time, with the board member on its pre-release list."""
    start, end = last_month()
    first = releases.release_prepare(
        area=area, period_start=start, period_end=end, publish_at=in_an_hour(), user=lead
    )
    publication_time_passes(first)
    correction = releases.release_correct(
        release=first,
        publish_at=in_an_hour(),
        user=lead,
        what_changed="Encounters recorded late added",
        why_changed="A school sent its records after the release",
        effect="No figure changed",
    )
    publication_time_passes(correction)
    before_end = start - datetime.timedelta(days=1)
    coming = releases.release_prepare(
        area=area,
        period_start=before_end.replace(day=1),
        period_end=before_end,
        publish_at=in_an_hour(),
        user=lead,
    )
    releases.pre_release_grant(release=coming, person=listed, user=lead)


def _evidence(reference_areas, lead):
    """A strand with a rating, used by a Blackpool action and a Derby one, so
    the library, a library action and "others doing this" have rows."""
    strand = EvidenceStrandFactory(name="Feedback")
    evidence.strand_rating_record(
        strand=strand,
        user=None,
        impact_months=6,
        cost=1,
        evidence_strength=4,
        rated_on=datetime.date(2021, 6, 1),
    )
    for slug in ("blackpool", "derby"):
        action = reference_areas[slug].plans.get(status="published").actions.first()
        evidence.action_evidence_set(
            lineage=action.lineage, user=lead, strands=[strand], stage="deliver"
        )


def _route(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route


def _page_view_names():
    """Every page a person can open, by view name ("plans:indicator")."""
    return {
        f"{namespace}:{pattern.name}" if namespace else pattern.name
        for route, namespace, pattern in _app_patterns()
        if not route.startswith("api/")
        and not FILE_ROUTE.search(route)
        and pattern.name not in POST_ONLY | SIGNED_IN_URL_NAMES | {"healthz"}
    }


def _check(page, axe, path, problems):
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{path}: {width} px wide")
    for violation in axe.run(page).response["violations"]:
        targets = "; ".join(str(node["target"][0]) for node in violation["nodes"][:3])
        problems.append(f"{path}: {violation['id']} ({violation['impact']}) at {targets}")
    for outside in page.evaluate(PLACEMENT_CHECK):
        problems.append(f"{path}: outside <main>: {outside}")


def walk(page, base_url, axe, start_paths, problems):
    """Open every page reachable by links from start_paths, one path per URL
    pattern; returns {route: path opened}."""
    opened, queue, seen = {}, list(start_paths), set()
    while queue:
        path = queue.pop(0)
        route = _route(path)
        if path in seen or route in opened:
            continue
        seen.add(path)
        if route is None and path not in start_paths:
            problems.append(f"{path}: a link to no page")
            continue
        response = page.goto(base_url + path)
        if response.status >= 400 and path not in start_paths:
            problems.append(f"{path}: answered {response.status}")
        opened[route] = path
        _check(page, axe, path, problems)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.href)"
        ):
            url = urlsplit(href)
            target = url.path + (f"?{url.query}" if url.query else "")
            if (
                url.netloc == urlsplit(base_url).netloc
                and not target.startswith(LEFT_OUT_PREFIXES)
                and not FILE_ROUTE.search(url.path)
            ):
                queue.append(target)
    return opened


def _form_results(page, base_url, user):
    """Pages that only a form leads to (an upload's preview or status) or
    that show only at a stage the walk does not start from (the list of
    people given pre-release access to a release not yet published)."""
    if user.role == Role.SCHOOL_STAFF:
        school = user.schools.get()
        roster = UploadPreview.objects.get(kind="roster", school=school)
        upload = AttendanceUpload.objects.get(school=school)
        return [
            f"/schools/{school.urn}/pupils/import/{roster.pk}/",
            f"/schools/{school.urn}/encounters/upload/{upload.pk}/",
        ]
    if user.role == Role.ADMINISTRATOR:
        page.goto(f"{base_url}/what-works/strands/import/")
        page.locator("input[type=file]").set_input_files(
            files=[
                {
                    "name": "strands.csv",
                    "mimeType": "text/csv",
                    "buffer": b"strand,phase\nPhonics,school\n",
                }
            ]
        )
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_url("**/what-works/strands/import/check/")
        return [urlsplit(page.url).path]
    if user.role != Role.AREA_LEAD:
        return []
    indicator = user.area.plans.get(status="published").indicators.first()
    files = {
        "measurements": f'indicator,date,value\n"{indicator.name}",31/08/2019,61.5\n',
        "actions": (
            "priority,title,owner,start date,due date\n"
            "1,Train early years practitioners,Head of early years,01/09/2017,31/07/2019\n"
        ),
    }
    coming = Release.objects.filter(area=user.area, publish_at__gt=timezone.now()).get()
    previews = [
        reverse(
            "releases:pre_release",
            kwargs={
                "slug": coming.area.slug,
                "period": coming.period_slug,
                "version": coming.version,
            },
        )
    ]
    for kind, text in files.items():
        page.goto(f"{base_url}/areas/{user.area.slug}/plan/import/{kind}/")
        page.locator("input[type=file]").set_input_files(
            files=[{"name": f"{kind}.csv", "mimeType": "text/csv", "buffer": text.encode()}]
        )
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_url(f"**/plan/import/{kind}/check/")
        previews.append(urlsplit(page.url).path)
    return previews + _comparator_import_pages(page, base_url, user)


def _comparator_import_pages(page, base_url, user):
    """An EES comparator import confirmed (its result page), then another
    file waiting on its choose-and-preview page."""
    ees_file = (
        b"time_period,time_identifier,geographic_level,country_code,country_name,"
        b"old_la_code,new_la_code,la_name,pt_gld\n"
        b"201819,Academic year,Local authority,E92000001,England,890,E06000009,Blackpool,66.2\n"
    )
    pages = []
    for confirm in (True, False):
        page.goto(f"{base_url}/areas/{user.area.slug}/comparators/import/")
        page.get_by_label("EES data file").set_input_files(
            files=[{"name": "gld.csv", "mimeType": "text/csv", "buffer": ees_file}]
        )
        page.get_by_role("button", name="Check the file").click()
        page.wait_for_url("**/comparators/import/choose/")
        if confirm:
            page.get_by_label("Local authority: Blackpool (E06000009)").check()
            page.get_by_role("button", name="Show what will be imported").click()
            page.get_by_role("button", name="Import these figures").click()
            page.wait_for_url("**/comparators/imports/*/")
        pages.append(urlsplit(page.url).path)
    return pages


def _invitation_path(service):
    """The path of the link emailed to someone invited to the board."""
    area = next(user.area for user in service.values() if user.role == Role.AREA_LEAD)
    invited = UserFactory(role=Role.BOARD_MEMBER, area=area, password=None)
    return urlsplit(invitation_link(invited)).path


def _names(opened):
    return {
        resolve(urlsplit(path).path).view_name
        for route, path in opened.items()
        if route is not None
    }


def test_every_page_reflows_at_320_px_and_passes_axe_for_every_role(
    browser, live_server, axe, service
):
    problems, reached = [], set()

    visitor = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = visitor.new_page()
    # The signed-out page is where signing out (a POST) leads; an invitation's
    # link is in an email.
    start = ["/", "/signed-out/", "/no-such-page/", _invitation_path(service)]
    opened = walk(page, live_server.url, axe, start, problems)
    reached |= _names(opened)
    assert {"start", "sign-in", "accessibility", "privacy", "cookies"} <= _names(opened)
    visitor.close()

    for user in service.values():
        context = browser.new_context(viewport={"width": WIDTH, "height": 800})
        page = context.new_page()
        device = enter_password(page, live_server.url, user.email)
        if device is not None:
            # The second factor's pages, before it is given.
            code_page = urlsplit(page.url).path
            for path in (code_page, reverse("second-factor:sign-in-recovery")):
                page.goto(live_server.url + path)
                _check(page, axe, path, problems)
                reached.add(resolve(path).view_name)
            page.goto(live_server.url + code_page)
            enter_code(page, device)
        page.wait_for_url(f"{live_server.url}/home/")
        start = ["/home/", "/no-such-page/", *_form_results(page, live_server.url, user)]
        opened = walk(page, live_server.url, axe, start, problems)
        reached |= _names(opened)
        context.close()

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert _page_view_names() - reached == set()
    assert PUBLIC_URL_NAMES - POST_ONLY - {"healthz"} <= {name.split(":")[-1] for name in reached}
