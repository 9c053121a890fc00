"""The library, strand and evidence pages: who may reach them, that other
areas' actions are read-only summaries with no pupil-level data, and
constant queries whatever the number of actions."""

from datetime import date

import pytest
from django.utils.html import escape

from core.models import Role
from evidence import services
from evidence.models import ActionEvidence, StrandRating
from tests.encounters.factories import PupilFactory
from tests.evidence.factories import EvidenceStrandFactory
from tests.factories import UserFactory
from tests.plans.factories import MeasurementFactory, published_plan_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback():
    return EvidenceStrandFactory(name="Feedback")


@pytest.fixture
def plan(area, users):
    return published_plan_with(
        area, priorities=1, actions_per_priority=1, user=users[Role.AREA_LEAD]
    )


@pytest.fixture
def other_plan(other_area, users):
    return published_plan_with(
        other_area, priorities=1, actions_per_priority=2, user=users[Role.ADMINISTRATOR]
    )


def _tag(plan, strand, user, stage="deliver"):
    action = plan.actions.order_by("pk").first()
    services.action_evidence_set(lineage=action.lineage, user=user, strands=[strand], stage=stage)
    return action


LIBRARY_READERS = [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR]


@pytest.mark.parametrize("role", LIBRARY_READERS)
def test_every_area_role_and_dfe_read_other_areas_tagged_actions(
    client, role, users, feedback, other_area, other_plan
):
    other_action = _tag(other_plan, feedback, users[Role.ADMINISTRATOR])
    client.force_login(users[role])
    library = client.get("/what-works/").content.decode()
    assert escape(other_action.title) in library
    assert other_area.name in library
    page = client.get(f"/what-works/actions/{other_action.lineage_id}/")
    assert page.status_code == 200
    assert other_action.owner in page.content.decode()
    for path in ["/what-works/strands/", f"/what-works/strands/{feedback.pk}/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_other_areas_actions_stay_read_only_for_area_roles(
    client, role, users, feedback, other_area, other_plan
):
    other_action = _tag(other_plan, feedback, users[Role.ADMINISTRATOR])
    client.force_login(users[role])
    page = client.get(f"/what-works/actions/{other_action.lineage_id}/").content.decode()
    assert "you can read this summary but not change it" in page
    assert f"/areas/{other_area.slug}/actions/" not in page
    # The area's own pages for the action, its log and its evidence stay out of reach.
    base = f"/areas/{other_area.slug}/actions/{other_action.lineage_id}/"
    for path in [base, f"{base}updates/new/", f"{base}evidence/"]:
        assert client.get(path).status_code == 404, path
    before = ActionEvidence.objects.get(lineage=other_action.lineage).stage
    assert client.post(f"{base}evidence/", {"stage": "sustain"}).status_code == 404
    assert ActionEvidence.objects.get(lineage=other_action.lineage).stage == before


def test_the_library_shows_no_pupil_level_data_or_indicator_values(
    client, users, feedback, other_area, other_plan, other_school
):
    other_action = _tag(other_plan, feedback, users[Role.ADMINISTRATOR])
    pupil = PupilFactory(school=other_school, display_name="Zebedee Quartermain")
    indicator = other_plan.indicators.filter(priority=other_action.priority).first()
    MeasurementFactory(lineage=indicator.lineage, date=date(2019, 7, 31), value="87.125")
    client.force_login(users[Role.AREA_LEAD])
    for path in ["/what-works/", f"/what-works/actions/{other_action.lineage_id}/"]:
        html = client.get(path).content.decode()
        assert other_action.title in html
        assert pupil.display_name not in html
        assert pupil.pupil_identifier not in html
        assert "87.125" not in html
        assert "87.1" not in html
        assert indicator.name not in html  # statuses are counted, not listed with values


def test_school_staff_are_refused_the_library(client, users, feedback, other_plan):
    other_action = _tag(other_plan, feedback, users[Role.ADMINISTRATOR])
    client.force_login(users[Role.SCHOOL_STAFF])
    for path in [
        "/what-works/",
        f"/what-works/actions/{other_action.lineage_id}/",
        "/what-works/strands/",
        f"/what-works/strands/{feedback.pk}/",
    ]:
        response = client.get(path)
        assert response.status_code == 403, path
        assert other_action.title.encode() not in response.content


def test_signed_out_visitors_are_sent_to_sign_in(client, feedback):
    response = client.get("/what-works/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_an_untagged_or_unpublished_action_is_not_in_the_library(
    client, users, feedback, other_area, other_plan
):
    untagged = other_plan.actions.order_by("pk").last()
    client.force_login(users[Role.AREA_LEAD])
    assert client.get(f"/what-works/actions/{untagged.lineage_id}/").status_code == 404
    assert untagged.title not in client.get("/what-works/").content.decode()


def test_the_library_filters_by_phase_life_stage_strand_and_stage(
    client, users, feedback, plan, other_plan
):
    phonics = EvidenceStrandFactory(name="Phonics")
    early = EvidenceStrandFactory(name="Play-based learning", phase="early_years")
    own = _tag(plan, feedback, users[Role.AREA_LEAD], stage="explore")
    other = _tag(other_plan, phonics, users[Role.ADMINISTRATOR], stage="sustain")
    client.force_login(users[Role.BOARD_MEMBER])

    def shown(query):
        html = client.get(f"/what-works/?{query}").content.decode()
        return {a.title for a in (own, other) if a.title in html}, html

    assert shown("")[0] == {own.title, other.title}
    assert shown(f"strand={phonics.pk}")[0] == {other.title}
    assert shown("stage=explore")[0] == {own.title}
    titles, html = shown("phase=early_years")
    assert titles == set()
    assert f'id="strand-{feedback.pk}"' not in html
    assert f'id="strand-{phonics.pk}"' not in html
    assert f'id="strand-{early.pk}"' in client.get("/what-works/").content.decode()
    own_stage = own.priority.life_stage
    assert own.title in shown(f"life_stage={own_stage}")[0]
    unused = next(s for s in ["post_16", "cross_cutting"] if s != own_stage)
    assert shown(f"life_stage={unused}")[0] == set()
    response = client.get("/what-works/?strand=99999")
    assert response.status_code == 200  # a bad filter shows everything, not an error page
    assert "Select a strand from the list" in response.content.decode()


def test_the_action_page_flags_a_revised_rating_and_links_to_others_doing_this(
    client, users, feedback, area, plan, other_area, other_plan
):
    admin = users[Role.ADMINISTRATOR]
    rate = {"user": admin, "cost": 1, "evidence_strength": 4}
    services.strand_rating_record(
        strand=feedback, impact_months=6, rated_on=date(2019, 6, 1), **rate
    )
    own = _tag(plan, feedback, users[Role.AREA_LEAD])
    other = _tag(other_plan, feedback, admin)
    client.force_login(users[Role.BOARD_MEMBER])
    path = f"/areas/{area.slug}/actions/{own.lineage_id}/"
    html = client.get(path).content.decode()
    assert "+6 months impact" in html
    assert "Revised since tagged" not in html
    assert f"/what-works/actions/{other.lineage_id}/" in html
    assert other_area.name in html

    services.strand_rating_record(
        strand=feedback, impact_months=8, rated_on=date(2020, 3, 1), **rate
    )
    html = client.get(path).content.decode()
    assert "Revised since tagged" in html
    assert "+8 months impact" in html
    assert "+6 months impact" in html


def test_only_the_area_lead_tags_actions(client, users, feedback, area, plan):
    action = plan.actions.get()
    path = f"/areas/{area.slug}/actions/{action.lineage_id}/evidence/"
    data = {"strands": [feedback.pk], "stage": "prepare"}
    for role in [Role.BOARD_MEMBER, Role.SCHOOL_STAFF, Role.DFE_STAFF]:
        client.force_login(users[role])
        assert client.post(path, data).status_code == 403, role
    assert not ActionEvidence.objects.exists()
    client.force_login(users[Role.AREA_LEAD])
    assert client.get(path).status_code == 200
    response = client.post(path, {"strands": [feedback.pk]})
    assert "Select the action&#x27;s implementation stage" in response.content.decode()
    assert not ActionEvidence.objects.exists()
    assert client.post(path, data).status_code == 302
    assert ActionEvidence.objects.get(lineage=action.lineage).stage == "prepare"


def test_only_administrators_record_ratings(client, users, feedback):
    path = f"/what-works/strands/{feedback.pk}/"
    data = {
        "impact_months": "6",
        "cost": "1",
        "evidence_strength": "4",
        "rated_on_0": "1",
        "rated_on_1": "6",
        "rated_on_2": "2019",
    }
    for role in [Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF]:
        client.force_login(users[role])
        assert "Record the rating" not in client.get(path).content.decode()
        assert client.post(path, data).status_code == 403, role
    assert not StrandRating.objects.exists()
    client.force_login(users[Role.ADMINISTRATOR])
    bad = client.post(path, {**data, "cost": "9"}).content.decode()
    assert "Cost rating must be between 1 and 5" in bad
    assert client.post(path, data).status_code == 302
    rating = StrandRating.objects.get(strand=feedback)
    assert (rating.impact_months, rating.cost, rating.evidence_strength) == (6, 1, 4)
    assert rating.recorded_by == users[Role.ADMINISTRATOR]


@pytest.mark.parametrize("path", ["/what-works/", "/what-works/actions/{pk}/"])
def test_library_pages_run_a_constant_number_of_queries(
    client, users, reference_areas, path, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = UserFactory(role=Role.AREA_LEAD, area=reference_areas["derby"])
    client.force_login(lead)
    feedback = EvidenceStrandFactory(name="Feedback")
    first = _tag(
        published_plan_with(reference_areas["oldham"], priorities=1, actions_per_priority=1),
        feedback,
        lead,
    )
    with CaptureQueriesContext(connection) as small:
        assert client.get(path.format(pk=first.lineage_id)).status_code == 200
    for slug in ["bradford", "doncaster", "ipswich"]:
        plan = published_plan_with(
            reference_areas[slug], priorities=2, indicators_per_priority=3, actions_per_priority=2
        )
        for action in plan.actions.all():
            services.action_evidence_set(
                lineage=action.lineage,
                user=lead,
                strands=[feedback, EvidenceStrandFactory(name="Mentoring")],
                stage="deliver",
            )
    with django_assert_max_num_queries(len(small)):
        assert client.get(path.format(pk=first.lineage_id)).status_code == 200


def test_school_staff_see_their_areas_action_evidence_without_library_links(
    client, users, feedback, area, plan, other_plan
):
    own = _tag(plan, feedback, users[Role.AREA_LEAD])
    other = _tag(other_plan, feedback, users[Role.ADMINISTRATOR])
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/areas/{area.slug}/actions/{own.lineage_id}/").content.decode()
    assert "Feedback" in html
    assert "/what-works/" not in html
    assert other.title not in html
