"""The method pages, "How we judge progress" and "How we count encounters":
public, stating the rules from the same constants and settings the code
uses (change one and the page changes), and linked from every page that
shows a status or published encounter figures."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from core.models import Role
from plans import progress
from plans.models import ActionStatus
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db

PROGRESS_METHOD = "/how-we-judge-progress/"
ENCOUNTER_METHOD = "/how-we-count-encounters/"
STATUS_LABELS = (
    {status.label for status in progress.Status}
    | {label for _, label in ActionStatus.choices}
    | {"Stale", "Overdue"}
)


def _text(response):
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _row(text, heading):
    """The words after a row heading in the page's text."""
    start = text.index(heading) + len(heading)
    return text[start : start + 60].strip()


@pytest.mark.parametrize("path", [PROGRESS_METHOD, ENCOUNTER_METHOD])
def test_method_pages_are_public(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"govuk-heading-l" in response.content


# --- How we judge progress ----------------------------------------------------------------


def test_progress_page_states_the_defaults_and_the_site_wide_grace_period(client, settings):
    settings.INDICATOR_GRACE_DAYS = 30
    text = _text(client.get(PROGRESS_METHOD))
    assert "25% unless the area has set a different share" in text
    assert "a grace period of 30 days" in text
    assert "one setting for the whole service" in text
    assert "at least two measurements after the baseline" in text
    assert "stale from 31 August 2018" in text
    assert "entered as a positive gap" in text


def test_progress_page_follows_the_grace_period_setting(client, settings):
    settings.INDICATOR_GRACE_DAYS = 45
    text = _text(client.get(PROGRESS_METHOD))
    assert "a grace period of 45 days" in text
    assert "410 days old on 14 September 2018" in text
    assert "stale from 15 September 2018" in text


def test_progress_page_follows_the_default_tolerance(client, monkeypatch):
    text = _text(client.get(PROGRESS_METHOD))
    assert _row(text, "31 July 2015").startswith("67% 68.5% 1.5 points 2.25 points At risk")

    monkeypatch.setattr(progress, "DEFAULT_TOLERANCE", Decimal("0.1"))
    text = _text(client.get(PROGRESS_METHOD))
    assert "10% unless the area has set a different share" in text
    # 10% of the 9-point change is 0.9 points: a 1.5-point shortfall is now off track.
    assert _row(text, "31 July 2015").startswith("67% 68.5% 1.5 points 0.9 points Off track")


def test_progress_page_follows_the_forecasts_minimum(client, monkeypatch):
    monkeypatch.setattr(progress, "FORECAST_MIN_MEASUREMENTS", 3)
    assert "at least three measurements after the baseline" in _text(client.get(PROGRESS_METHOD))


# --- How we count encounters ----------------------------------------------------------------


def test_encounter_page_states_the_rules(client, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    text = _text(client.get(ENCOUNTER_METHOD))
    for words in (
        "Employer talk",  # a type that counts, from the reference data
        "at least one meaningful employer encounter in this academic year",
        "Gatsby Benchmark 5",
        "At least four encounters since Year 7",
        "free school meals or the pupil premium",
        "minus the percentage of disadvantaged pupils reached",
        "provisional",
        "Counts from 1 to 4 are not shown",
        "either of its counts is under 5",
        "Secondary suppression",
    ):
        assert words in text, words
    for symbol, meaning in (("c", "Hidden"), ("x", "Not available"), ("z", "Not applicable")):
        assert f" {symbol} {meaning}" in text
    assert " low Low: rounds to zero" in text


def test_encounter_page_follows_the_disclosure_threshold(client, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    published = _text(client.get(ENCOUNTER_METHOD)).split("as published")[1]
    assert published.startswith(" School Year 9 Year 10 Total Seaside Academy c c 23")

    settings.DISCLOSURE_THRESHOLD = 3
    text = _text(client.get(ENCOUNTER_METHOD))
    assert "Counts from 1 to 2 are not shown" in text
    assert "either of its counts is under 3" in text

    # A threshold of 1 protects nothing: the example is published as counted.
    settings.DISCLOSURE_THRESHOLD = 1
    text = _text(client.get(ENCOUNTER_METHOD))
    assert "no count is too small to show" in text
    published = text.split("as published")[1]
    assert published.startswith(" School Year 9 Year 10 Total Seaside Academy 20 3 23")


def test_the_key_beside_area_encounter_figures_follows_the_threshold(client, users, settings):
    settings.DISCLOSURE_THRESHOLD = 10
    client.force_login(users[Role.BOARD_MEMBER])
    response = client.get("/areas/blackpool/encounters/")
    assert "counts of 1 to 9" in _text(response)
    assert f'href="{ENCOUNTER_METHOD}"' in response.content.decode()


# --- Links from every page that shows a status ----------------------------------------------


class _Page(HTMLParser):
    """The links on a page and the text of its GOV.UK tags."""

    def __init__(self):
        super().__init__()
        self.links = set()
        self.tags = []
        self._in_tag = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            # One address per page: the same page for another year or sort order.
            self.links.add(attrs["href"].split("#")[0].split("?")[0])
        classes = (attrs.get("class") or "").split()
        if tag == "strong" and "govuk-tag" in classes:
            self._in_tag = True
            self.tags.append("")

    def handle_endtag(self, tag):
        if tag == "strong":
            self._in_tag = False

    def handle_data(self, data):
        if self._in_tag:
            self.tags[-1] += data.strip()


NOT_PAGES = ("/admin/", "/api/", "/static/", "/media/", ".csv", ".pdf", "download")


def _crawl(client, start="/home/", limit=400):
    """Every page reachable by links from `start`: {path: parsed page}."""
    seen, queue, pages = {start}, [start], {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        page = _Page()
        page.feed(response.content.decode())
        pages[path] = page
        for link in sorted(page.links):
            if link.startswith("/") and link not in seen and not any(n in link for n in NOT_PAGES):
                seen.add(link)
                queue.append(link)
    return pages


@pytest.fixture
def area_with_plan_and_pupils(area, users, school):
    published_plan_with(area, priorities=1, user=users[Role.AREA_LEAD])
    pupils = PupilFactory.create_batch(6, school=school, year_group=9)
    attend(EncounterFactory(school=school), pupils)
    return area


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF])
def test_every_page_showing_a_status_links_to_how_we_judge_progress(
    client, users, role, area_with_plan_and_pupils
):
    client.force_login(users[role])
    pages = _crawl(client)
    with_status = {path for path, page in pages.items() if STATUS_LABELS & set(page.tags)}
    # The plan, and at least one indicator and one action page, were reached.
    assert "/areas/blackpool/plan/" in with_status
    assert any("/indicators/" in path for path in with_status), sorted(pages)
    assert any("/actions/" in path for path in with_status), sorted(pages)
    missing = sorted(path for path in with_status if PROGRESS_METHOD not in pages[path].links)
    assert missing == []


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.BOARD_MEMBER, "/areas/blackpool/encounters/"),
        (Role.DFE_STAFF, "/dashboard/"),
        (Role.SCHOOL_STAFF, None),
    ],
)
def test_pages_with_encounter_figures_link_to_how_we_count_encounters(
    client, users, school, role, path, area_with_plan_and_pupils
):
    client.force_login(users[role])
    path = path or f"/schools/{school.urn}/coverage/"
    response = client.get(path)
    assert response.status_code == 200
    assert f'href="{ENCOUNTER_METHOD}"' in response.content.decode()
