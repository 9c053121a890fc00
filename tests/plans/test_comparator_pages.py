"""The EES comparator import's pages: upload, choose and preview, confirm;
who may reach them; the indicator page and the report saying what a
revision changed (ADR 0018)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Role
from plans.models import ComparatorSeries, ComparatorStatusChange
from reports.snapshot import report_snapshot
from tests.factories import UserFactory
from tests.plans.test_comparator_imports import EES_FILE, META_FILE, on_track_against

pytestmark = pytest.mark.django_db


def _upload(client, area, data=EES_FILE, meta=META_FILE):
    files = {"data_file": SimpleUploadedFile("gld.csv", data.encode(), "text/csv")}
    if meta is not None:
        files["meta_file"] = SimpleUploadedFile("gld.meta.csv", meta.encode(), "text/csv")
    return client.post(f"/areas/{area.slug}/comparators/import/", files)


def _choose(client, area, *, locations, confirm=False, **extra):
    page = client.get(f"/areas/{area.slug}/comparators/import/choose/")
    digest = page.context["digest"]
    data = {
        "digest": digest,
        "indicator": "pt_gld",
        "filter_characteristic": "Total",
        "locations": locations,
        "periods": ["201718|Academic year", "201819|Academic year"],
        "unit": "percentage",
        **extra,
    }
    if confirm:
        data["confirm"] = "1"
    return client.post(f"/areas/{area.slug}/comparators/import/choose/", data)


def test_an_area_lead_previews_and_imports_their_las_series(client, area, users):
    client.force_login(users[Role.AREA_LEAD])
    response = _upload(client, area)
    assert response.status_code == 302
    choose = client.get(response.url).content.decode()
    assert "Local authority: Blackpool (E06000009)" in choose
    assert "East Sussex" not in choose
    assert "National:" not in choose

    preview = _choose(client, area, locations=["Local authority|E06000009"])
    page = preview.content.decode()
    assert "What will be imported" in page
    assert "66.200" in page
    assert "(not available)" in page
    assert not ComparatorSeries.objects.exists()

    done = _choose(client, area, locations=["Local authority|E06000009"], confirm=True)
    assert done.status_code == 302
    (series,) = ComparatorSeries.objects.all()
    assert series.geography == "Blackpool"
    assert "Comparator figures imported" in client.get(done.url).content.decode()


def test_an_area_lead_posting_another_las_code_is_refused(client, area, users):
    client.force_login(users[Role.AREA_LEAD])
    _upload(client, area)
    for location in ["Local authority|E10000011", "National|E92000001"]:
        response = _choose(client, area, locations=[location], confirm=True)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert not ComparatorSeries.objects.exists()


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_dfe_staff_and_administrators_import_national_series(client, area, users, role):
    client.force_login(users[role])
    _upload(client, area)
    response = _choose(client, area, locations=["National|E92000001"], confirm=True)
    assert response.status_code == 302
    assert ComparatorSeries.objects.get().geography == "England"


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.SCHOOL_STAFF])
def test_other_roles_cannot_reach_the_import(client, area, users, role):
    client.force_login(users[role])
    assert client.get(f"/areas/{area.slug}/comparators/import/").status_code == 404
    assert _upload(client, area).status_code == 404


def test_another_areas_lead_gets_404(client, area, other_area):
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    assert client.get(f"/areas/{area.slug}/comparators/import/").status_code == 404
    assert _upload(client, area).status_code == 404


def test_a_malformed_file_is_refused_naming_line_and_column(client, area, users):
    client.force_login(users[Role.ADMINISTRATOR])
    bad = EES_FILE.replace("Total,71.8,655000", "Total,seventy,655000")
    page = _upload(client, area, data=bad).content.decode()
    assert "There is a problem" in page
    assert "Line 4: column &#x27;pt_gld&#x27;: &#x27;seventy&#x27; is not a number" in page
    assert not ComparatorSeries.objects.exists()


def test_a_revision_that_changes_a_status_says_so_on_the_page_and_in_the_report(
    client, area, users
):
    admin = users[Role.ADMINISTRATOR]
    client.force_login(admin)
    _upload(client, area)
    _choose(client, area, locations=["National|E92000001"], confirm=True)
    england = ComparatorSeries.objects.get()

    indicator = on_track_against(england, area=area, user=admin)

    # 66 against 71.8 is on track; against 73.4 at risk (on_track_against).
    _upload(client, area, data=EES_FILE.replace("Total,71.8,655000", "Total,73.4,655000"))
    _choose(client, area, locations=["National|E92000001"], confirm=True)
    assert ComparatorStatusChange.objects.count() == 1

    client.force_login(users[Role.BOARD_MEMBER])
    page = client.get(f"/areas/{area.slug}/indicators/{indicator.lineage_id}/")
    text = page.content.decode()
    assert "Status changed from <strong>on track</strong> to <strong>at risk</strong>" in text

    snapshot = report_snapshot(
        area=area,
        period_start=date(2019, 9, 1),
        period_end=date(2019, 9, 30),
        generated_at=timezone.now(),
    )
    (change,) = snapshot["comparator_revisions"]
    assert (change["indicator"], change["old_status_label"], change["new_status_label"]) == (
        indicator.name,
        "On track",
        "At risk",
    )
