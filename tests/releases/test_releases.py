"""Releases freeze what they publish, publish at their time to the right
people, never change once published, and are corrected by new versions."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from encounters.academic_years import AcademicYear
from encounters.publication import coverage_footnotes
from plans import services as plan_services
from releases import selectors, services
from releases.models import (
    PreReleaseAccess,
    PublishedReleaseError,
    Release,
    ReleaseFile,
    ReleaseStage,
)
from tests.factories import UserFactory
from tests.plans.factories import draft_plan_with

from .conftest import in_an_hour, last_month, publication_time_passes

pytestmark = pytest.mark.django_db


def page(release, version=None):
    base = f"/releases/{release.area.slug}/{release.period_slug}/"
    return base if version is None else f"{base}version-{version}/"


def test_a_release_freezes_the_report_open_data_and_dashboard_figures(release):
    kinds = {f.kind: f for f in release.files.all()}
    assert set(kinds) == {"report", "open_data", "dashboard"}
    names = [f.name for f in release.files.all()]
    assert any(n.endswith(".pdf") for n in names)
    # The open data as an EES data file, its metadata file, and the data
    # guidance with their footnotes (in-year coverage is marked provisional).
    open_data = [f.name for f in release.files.filter(kind="open_data").order_by("order")]
    assert [n.startswith("encounter-coverage-") for n in open_data] == [True, True, True]
    assert not open_data[0].endswith(".meta.csv")
    assert open_data[1] == open_data[0].replace(".csv", ".meta.csv")
    assert open_data[2] == open_data[0].replace(".csv", "-data-guidance.txt")
    guidance = bytes(release.files.get(name=open_data[2]).content).decode("utf-8-sig")
    assert f"Data file: {open_data[0]}" in guidance
    footnotes = coverage_footnotes(
        AcademicYear(release.academic_year), today=timezone.localdate(release.created_at)
    )
    expected = [f"{n}. {note}" for n, note in enumerate(footnotes, 1)] or ["Footnotes: none."]
    assert all(line in guidance.splitlines() for line in expected)
    pdf = release.files.get(name__endswith=".pdf")
    assert bytes(pdf.content).startswith(b"%PDF")
    figures = {f["key"]: f["value"] for f in selectors.dashboard_figures(release)}
    # 23 on roll; 14 with four encounters, 2 of them at a school with 3.
    assert figures["pupils_on_roll"] == "23"
    assert figures["pupils_with_four"] == "14"
    assert release.suppression_pattern["coverage:with_four"]


def test_the_publication_time_must_be_in_the_future(area, lead, cohorts):
    start, end = last_month()
    with pytest.raises(services.ReleaseError, match="in the future"):
        services.release_prepare(
            area=area, period_start=start, period_end=end, publish_at=last_month_time(), user=lead
        )


def last_month_time():
    return timezone.now().replace(year=timezone.now().year - 1)


def test_a_second_first_version_for_the_same_period_is_refused(area, lead, release):
    with pytest.raises(services.ReleaseError, match="correct it instead"):
        services.release_prepare(
            area=area,
            period_start=release.period_start,
            period_end=release.period_end,
            publish_at=in_an_hour(),
            user=lead,
        )


def test_a_published_release_refuses_save_and_delete(release):
    publication_time_passes(release)
    release.publish_at = in_an_hour()
    with pytest.raises(PublishedReleaseError):
        release.save()
    with pytest.raises(PublishedReleaseError):
        Release.objects.get(pk=release.pk).delete()
    file = release.files.first()
    file.name = "renamed.csv"
    with pytest.raises(PublishedReleaseError):
        file.save()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE releases_release SET publish_at = now() + interval '1 day' WHERE id = %s",
        "DELETE FROM releases_release WHERE id = %s",
        "UPDATE releases_releasefile SET content = 'x' WHERE release_id = %s",
        "DELETE FROM releases_releasefile WHERE release_id = %s",
        "DELETE FROM releases_prereleaseaccess WHERE release_id = %s",
    ],
)
def test_the_database_refuses_to_change_a_published_release(release, lead, sql):
    services.pre_release_grant(release=release, person=UserFactory(role=Role.DFE_STAFF), user=lead)
    publication_time_passes(release)
    files_before = release.files.count()
    assert files_before
    with (
        pytest.raises((IntegrityError, InternalError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [release.pk])
    assert Release.objects.filter(pk=release.pk).exists()
    assert release.files.count() == files_before


def test_files_are_written_once_even_before_publication(release):
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        ReleaseFile.objects.filter(release=release).update(name="other.csv")


def test_a_correction_is_a_new_version_and_the_old_one_stays_superseded(release, lead):
    publication_time_passes(release)
    with pytest.raises(services.ReleaseError, match="what changed"):
        services.release_correct(
            release=release,
            publish_at=in_an_hour(),
            user=lead,
            what_changed=" ",
            why_changed="x",
            effect="y",
        )
    correction = services.release_correct(
        release=release,
        publish_at=in_an_hour(),
        user=lead,
        what_changed="Encounters at Second Academy added",
        why_changed="They were recorded late",
        effect="No published figure changed",
    )
    assert correction.version == 2
    versions = list(Release.objects.filter(area=release.area).order_by("-version"))
    assert selectors.release_stage(release, versions) == ReleaseStage.PUBLISHED
    publication_time_passes(correction)
    versions = list(Release.objects.filter(area=release.area).order_by("-version"))
    assert selectors.release_stage(release, versions) == ReleaseStage.SUPERSEDED
    assert selectors.release_stage(correction, versions) == ReleaseStage.PUBLISHED
    with pytest.raises(services.ReleaseError, match="Version 2 is the latest"):
        services.release_correct(
            release=release,
            publish_at=in_an_hour(),
            user=lead,
            what_changed="a",
            why_changed="b",
            effect="c",
        )


def test_an_unpublished_release_cannot_be_corrected(release, lead):
    with pytest.raises(services.ReleaseError, match="Only a published release"):
        services.release_correct(
            release=release,
            publish_at=in_an_hour(),
            user=lead,
            what_changed="a",
            why_changed="b",
            effect="c",
        )


# --- Who sees what ------------------------------------------------------------


@pytest.fixture
def people(area, other_area):
    return {
        "listed": UserFactory(role=Role.BOARD_MEMBER, area=area),
        "board member": UserFactory(role=Role.BOARD_MEMBER, area=area),
        "other lead": UserFactory(role=Role.AREA_LEAD, area=other_area),
        "other board member": UserFactory(role=Role.BOARD_MEMBER, area=other_area),
        "dfe": UserFactory(role=Role.DFE_STAFF),
    }


@pytest.mark.parametrize(
    ("who", "before", "after"),
    [
        ("listed", 200, 200),
        ("lead", 200, 200),
        ("dfe", 200, 200),
        ("board member", 404, 200),
        ("other lead", 404, 200),
        ("other board member", 404, 200),
    ],
)
def test_before_publication_only_the_list_and_managers_see_it(
    client, release, lead, people, who, before, after
):
    services.pre_release_grant(release=release, person=people["listed"], user=lead)
    user = lead if who == "lead" else people[who]
    client.force_login(user)
    pdf = release.files.get(name__endswith=".pdf").name
    assert client.get(page(release)).status_code == before
    assert client.get(page(release, 1) + f"files/{pdf}").status_code == before
    listed = client.get("/releases/").content.decode()
    assert (release.period_label in listed) == (before == 200)
    publication_time_passes(release)
    assert client.get(page(release)).status_code == after
    response = client.get(page(release, 1) + f"files/{pdf}")
    assert response.status_code == after
    assert response.content.startswith(b"%PDF")


def test_only_the_areas_lead_and_dfe_may_manage(client, release, people, lead):
    client.force_login(people["other lead"])
    assert client.get(f"/areas/{release.area.slug}/releases/new/").status_code == 404
    client.force_login(people["board member"])
    assert client.get(f"/areas/{release.area.slug}/releases/new/").status_code == 403
    response = client.post(page(release, 1) + "pre-release/", {"email": people["listed"].email})
    assert response.status_code == 404
    client.force_login(people["dfe"])
    response = client.post(page(release, 1) + "pre-release/", {"email": people["listed"].email})
    assert response.status_code == 302
    assert PreReleaseAccess.objects.filter(release=release, user=people["listed"]).exists()


def test_preparing_a_release_through_the_form(client, area, lead, cohorts):
    client.force_login(lead)
    start, _ = last_month()
    when = in_an_hour()
    response = client.post(
        f"/areas/{area.slug}/releases/new/",
        {
            "period": start.isoformat(),
            "publish_date_0": when.day,
            "publish_date_1": when.month,
            "publish_date_2": when.year + 1,
            "publish_time": "09:30",
        },
    )
    assert response.status_code == 302
    release = Release.objects.get(area=area)
    assert response["Location"] == page(release, 1)


@pytest.mark.parametrize(
    ("time", "message"),
    [("9.30", "Enter the publication time as hours and minutes"), ("25:00", "must be a real time")],
)
def test_a_bad_publication_time_is_a_clear_error(client, area, lead, cohorts, time, message):
    client.force_login(lead)
    start, _ = last_month()
    response = client.post(
        f"/areas/{area.slug}/releases/new/",
        {
            "period": start.isoformat(),
            "publish_date_0": "1",
            "publish_date_1": "1",
            "publish_date_2": "2030",
            "publish_time": time,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Release.objects.exists()


def test_a_past_publication_time_is_a_clear_error(client, area, lead, cohorts):
    client.force_login(lead)
    start, _ = last_month()
    response = client.post(
        f"/areas/{area.slug}/releases/new/",
        {
            "period": start.isoformat(),
            "publish_date_0": "1",
            "publish_date_1": "1",
            "publish_date_2": "2020",
            "publish_time": "09:30",
        },
    )
    assert response.status_code == 200
    assert "The publication time must be in the future" in response.content.decode()


# --- The series ----------------------------------------------------------------


def test_the_live_page_keeps_hidden_what_the_release_hid(client, area, release, lead, cohorts):
    """Second Academy's 2 of 3 is hidden in the release; the live page
    carries the release's pattern and says the figures are provisional."""
    client.force_login(lead)
    year = release.academic_year
    response = client.get(f"/areas/{area.slug}/encounters/?year={year}")
    assert "live and provisional" in response.content.decode()
    coverage = response.context["coverage"]
    live_hidden = coverage["pattern"].in_table("coverage:with_four")
    assert live_hidden == frozenset(release.suppression_pattern["coverage:with_four"])


# --- Live pages name their release ------------------------------------------------


def _live_pages(area, year):
    return {
        "dashboard": f"{reverse('dashboard:dashboard')}?year={year}",
        "encounters": f"/areas/{area.slug}/encounters/?year={year}",
        "plan": reverse("plans:plan", kwargs={"slug": area.slug}),
    }


@pytest.mark.parametrize("where", ["dashboard", "encounters", "plan"])
@pytest.mark.parametrize("who", ["listed", "board member", "dfe"])
def test_live_pages_say_they_are_live_and_name_the_published_release(
    client, area, release, lead, people, who, where
):
    """Before its time a release is named on no live page, even to its
    pre-release list; once published, the live pages link to its stable
    address."""
    draft = draft_plan_with(area, priorities=1, indicators_per_priority=1, actions_per_priority=1)
    plan_services.plan_publish(plan=draft, user=UserFactory(role=Role.ADMINISTRATOR))
    services.pre_release_grant(release=release, person=people["listed"], user=lead)
    client.force_login(people[who])
    url = _live_pages(area, release.academic_year)[where]
    stable = page(release)
    before = client.get(url).content.decode()
    assert "These figures are live and provisional" in before
    assert stable not in before
    assert release.period_label not in before
    assert "has been published yet" in before
    publication_time_passes(release)
    after = client.get(url).content.decode()
    assert "These figures are live and provisional" in after
    assert f'href="{stable}"' in after
    assert f"{area.name} release for {release.period_label}" in after


def test_the_dashboard_names_only_the_releases_of_areas_the_reader_sees(
    client, area, release, people
):
    publication_time_passes(release)
    client.force_login(people["other board member"])
    response = client.get(_live_pages(area, release.academic_year)["dashboard"])
    assert response.status_code == 200
    content = response.content.decode()
    assert "These figures are live and provisional" in content
    assert page(release) not in content
    assert area.name not in content


def test_gatsby_figures_are_withheld_once_the_area_has_a_release(client, area, lead, cohorts):
    """Gatsby Benchmark figures are not part of releases yet (ADR 0025):
    beside a release's figures, a fresh table of the same pupils on roll
    could show a count the release hides. Before the area's first release
    of the year its page and its row on the programme page show them; once
    it has one (published or not), neither does."""
    dfe = UserFactory(role=Role.DFE_STAFF)
    client.force_login(dfe)
    before = client.get(f"/areas/{area.slug}/gatsby-benchmarks/").content.decode()
    assert 'id="gatsby-on-roll-caption"' in before
    programme = client.get("/gatsby-benchmarks/").content.decode()
    assert f'<th scope="row" class="govuk-table__header">{area.name}</th>' in programme

    start, end = last_month()
    services.release_prepare(
        area=area, period_start=start, period_end=end, publish_at=in_an_hour(), user=lead
    )
    assert selectors.areas_in_series(year=AcademicYear.of(end)) == {area.pk}
    after = client.get(f"/areas/{area.slug}/gatsby-benchmarks/").content.decode()
    assert "Gatsby Benchmark figures are not part of its releases yet" in after
    assert 'id="gatsby-on-roll-caption"' not in after
    programme = client.get("/gatsby-benchmarks/").content.decode()
    assert f'<th scope="row" class="govuk-table__header">{area.name}</th>' not in programme
