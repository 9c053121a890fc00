"""Strand ratings as history, and tags that keep the rating they were made
under so a later revision is flagged."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.history import history_for
from core.models import ChangeRecord, Role
from evidence import selectors, services
from evidence.models import ImplementationStage, StrandRating
from tests.evidence.factories import EvidenceStrandFactory
from tests.factories import UserFactory
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def lead(area):
    return UserFactory(role=Role.AREA_LEAD, area=area)


@pytest.fixture
def lineage(area, lead):
    plan = published_plan_with(area, priorities=1, actions_per_priority=1, user=lead)
    return plan.actions.get().lineage


def _rate(strand, admin, impact, cost, strength, on):
    return services.strand_rating_record(
        strand=strand,
        user=admin,
        impact_months=impact,
        cost=cost,
        evidence_strength=strength,
        rated_on=on,
    )


def test_a_revised_rating_keeps_the_old_one_as_history(admin):
    strand = EvidenceStrandFactory(name="Feedback")
    first = _rate(strand, admin, 6, 1, 4, date(2021, 6, 1))
    second = _rate(strand, admin, 7, 1, 4, date(2024, 1, 15))
    assert list(strand.ratings.order_by("-rated_on")) == [second, first]
    assert services.strand_current_rating(strand) == second
    changes = [record.changes for record in history_for(strand).order_by("changed_at", "pk")]
    assert changes[1]["Impact (months)"] == {"before": 6, "after": 7}
    assert changes[1]["Rating taken on"] == {"before": "2021-06-01", "after": "2024-01-15"}


def test_the_same_rating_again_records_nothing_and_a_different_one_on_its_date_is_refused(admin):
    strand = EvidenceStrandFactory(name="Phonics")
    rating = _rate(strand, admin, 5, 1, 5, date(2021, 6, 1))
    records = ChangeRecord.objects.count()
    assert _rate(strand, admin, 5, 1, 5, date(2021, 6, 1)) == rating
    assert ChangeRecord.objects.count() == records
    with pytest.raises(ValidationError) as refused:
        _rate(strand, admin, 4, 1, 5, date(2021, 6, 1))
    assert "rated_on" in refused.value.message_dict
    assert StrandRating.objects.filter(strand=strand).count() == 1


@pytest.mark.parametrize(
    ("impact", "cost", "strength", "field"),
    [
        (13, 1, 3, "impact_months"),
        (-13, 1, 3, "impact_months"),
        (3, 0, 3, "cost"),
        (3, 6, 3, "cost"),
        (3, 2, 6, "evidence_strength"),
    ],
)
def test_ratings_outside_the_toolkit_scales_are_refused(admin, impact, cost, strength, field):
    strand = EvidenceStrandFactory(name="Mentoring")
    with pytest.raises(ValidationError) as refused:
        _rate(strand, admin, impact, cost, strength, date(2021, 6, 1))
    assert field in refused.value.message_dict
    assert not strand.ratings.exists()


def test_a_tag_keeps_its_rating_and_is_flagged_when_the_strand_is_revised(admin, lead, lineage):
    feedback = EvidenceStrandFactory(name="Feedback")
    tutoring = EvidenceStrandFactory(name="Peer tutoring")
    first = _rate(feedback, admin, 6, 1, 4, date(2021, 6, 1))
    services.action_evidence_set(
        lineage=lineage, user=lead, strands=[feedback, tutoring], stage=ImplementationStage.DELIVER
    )
    evidence, tags = selectors.action_evidence(lineage_id=lineage.pk)
    assert evidence.stage == ImplementationStage.DELIVER
    states = {state.strand.name: state for state in tags}
    assert states["Feedback"].tagged_rating == first
    assert not states["Feedback"].revised
    assert states["Peer tutoring"].tagged_rating is None
    assert not states["Peer tutoring"].revised

    revised = _rate(feedback, admin, 8, 1, 5, date(2024, 1, 15))
    _rate(tutoring, admin, 5, 1, 4, date(2024, 1, 15))
    _, tags = selectors.action_evidence(lineage_id=lineage.pk)
    states = {state.strand.name: state for state in tags}
    assert states["Feedback"].tagged_rating == first
    assert states["Feedback"].current == revised
    assert states["Feedback"].revised
    assert states["Peer tutoring"].revised  # rated for the first time since it was tagged


def test_retagging_keeps_old_tags_ratings_and_new_tags_take_the_current_one(admin, lead, lineage):
    feedback = EvidenceStrandFactory(name="Feedback")
    phonics = EvidenceStrandFactory(name="Phonics")
    old = _rate(feedback, admin, 6, 1, 4, date(2021, 6, 1))
    services.action_evidence_set(lineage=lineage, user=lead, strands=[feedback], stage="explore")
    new = _rate(feedback, admin, 7, 1, 4, date(2024, 1, 15))
    phonics_rating = _rate(phonics, admin, 5, 1, 5, date(2024, 1, 15))
    services.action_evidence_set(
        lineage=lineage, user=lead, strands=[feedback, phonics], stage="prepare"
    )
    _, tags = selectors.action_evidence(lineage_id=lineage.pk)
    ratings = {state.strand.name: state.tagged_rating for state in tags}
    assert ratings == {"Feedback": old, "Phonics": phonics_rating}
    assert new != old


def test_tagging_is_recorded_in_history_and_no_strands_removes_the_evidence(lead, lineage):
    feedback = EvidenceStrandFactory(name="Feedback")
    services.action_evidence_set(lineage=lineage, user=lead, strands=[feedback], stage="deliver")
    services.action_evidence_set(lineage=lineage, user=lead, strands=[], stage="")
    assert selectors.action_evidence(lineage_id=lineage.pk) == (None, [])
    changes = [
        r.changes["Evidence strands"] for r in history_for(lineage).order_by("changed_at", "pk")
    ]
    assert changes == [
        {"before": "", "after": "Feedback"},
        {"before": "Feedback", "after": ""},
    ]
    assert history_for(lineage).first().changed_by == lead


def test_strands_need_a_stage(lead, lineage):
    with pytest.raises(ValidationError) as refused:
        services.action_evidence_set(
            lineage=lineage, user=lead, strands=[EvidenceStrandFactory()], stage=""
        )
    assert "stage" in refused.value.message_dict


def test_a_rating_cannot_be_dated_in_the_future(admin):
    strand = EvidenceStrandFactory(name="Homework")
    with time_machine.travel(date(2024, 1, 15), tick=False):
        with pytest.raises(ValidationError) as refused:
            _rate(strand, admin, 5, 1, 3, date(2024, 1, 16))
        assert "rated_on" in refused.value.message_dict
        assert _rate(strand, admin, 5, 1, 3, date(2024, 1, 15)).rated_on == date(2024, 1, 15)
