"""Reads for evidence strands, an action's evidence and the what-works
library (ADR 0023).

The library is the one deliberate exception to area scoping: every area role
reads a summary of other areas' actions that use a strand (title, area,
owner, lead organisation, RAG status, spend, and the statuses of the
indicators its priority is measured by), never their update logs,
measurements or anything about pupils. It shows actions of published plans
only: a draft is the area's own business until it is published.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from plans import progress
from plans.models import Action, PlanStatus
from plans.selectors import action_progress, actions_with_latest_update
from plans.selectors import indicators_judged_for_priorities as judged_for

from .models import ActionEvidence, EvidenceStrand, ImplementationStage, StrandRating, StrandTag


def _ratings_newest_first():
    return Prefetch("ratings", queryset=StrandRating.objects.order_by("-rated_on"))


def current_rating(strand) -> StrandRating | None:
    """The strand's latest rating; the strand must come with its ratings
    prefetched newest first (as every selector here does)."""
    ratings = list(strand.ratings.all())
    return ratings[0] if ratings else None


def strands(*, phase=""):
    queryset = EvidenceStrand.objects.prefetch_related(_ratings_newest_first())
    return queryset.filter(phase=phase) if phase else queryset


def strand_detail(*, pk) -> EvidenceStrand:
    strand = strands().filter(pk=pk).first()
    if strand is None:
        raise Http404("No such strand")
    return strand


@dataclass
class TagState:
    """A tag on an action, with the rating it was made under and the
    strand's rating now."""

    tag: StrandTag
    current: StrandRating | None

    @property
    def strand(self):
        return self.tag.strand

    @property
    def tagged_rating(self):
        return self.tag.rating

    @property
    def revised(self) -> bool:
        """The EEF has given the strand a later rating than the one the action
        was tagged under (or a first rating, where it had none)."""
        return self.current is not None and self.current.pk != self.tag.rating_id


def action_evidence(*, lineage_id) -> tuple[ActionEvidence | None, list[TagState]]:
    """An action's evidence and its tags' states. The caller has already
    found the action within the user's scope."""
    evidence = ActionEvidence.objects.filter(lineage_id=lineage_id).first()
    if evidence is None:
        return None, []
    tags = evidence.tags.select_related("strand", "rating").prefetch_related(
        Prefetch("strand__ratings", queryset=StrandRating.objects.order_by("-rated_on"))
    )
    return evidence, [TagState(tag, current_rating(tag.strand)) for tag in tags]


@dataclass
class LibraryAction:
    """One action in the library: only what any area may read."""

    action: Action
    stage: str
    status: str
    status_label: str
    spend_to_date: object
    indicator_statuses: list = field(default_factory=list)  # (label, count), no values
    strands: list = field(default_factory=list)

    @property
    def area(self):
        return self.action.plan.area

    @property
    def stage_label(self):
        return ImplementationStage(self.stage).label


@dataclass
class LibraryStrand:
    strand: EvidenceStrand
    rating: StrandRating | None
    actions: list[LibraryAction]

    @property
    def area_count(self):
        return len({item.area.pk for item in self.actions})


def _status_counts(judged) -> list[tuple[str, int]]:
    counts = Counter(item.status for item in judged)
    return [(status.label, counts[status]) for status in progress.Status if counts[status]]


def _library_actions(tags, *, today, life_stage="", exclude_area=None) -> dict:
    """{lineage id: LibraryAction} for the published actions carrying `tags`."""
    tags = list(tags.select_related("evidence", "strand"))
    stage_by_lineage = {tag.evidence.lineage_id: tag.evidence.stage for tag in tags}
    strands_by_lineage = {}
    for tag in tags:
        strands_by_lineage.setdefault(tag.evidence.lineage_id, []).append(tag.strand)
    actions = Action.objects.filter(
        lineage_id__in=stage_by_lineage, plan__status=PlanStatus.PUBLISHED
    ).select_related("plan__area", "priority")
    if life_stage:
        actions = actions.filter(priority__life_stage=life_stage)
    if exclude_area is not None:
        actions = actions.exclude(plan__area=exclude_area)
    actions = list(actions_with_latest_update(actions))
    judged = judged_for(priority_ids=[a.priority_id for a in actions], today=today)
    found = {}
    for action in actions:
        state = action_progress(action, today=today)
        found[action.lineage_id] = LibraryAction(
            action=action,
            stage=stage_by_lineage[action.lineage_id],
            status=state.status,
            status_label=state.status_label,
            spend_to_date=state.spend_to_date,
            indicator_statuses=_status_counts(judged[action.priority_id]),
            strands=strands_by_lineage[action.lineage_id],
        )
    return found


def library(*, today, phase="", life_stage="", strand=None, stage="") -> list[LibraryStrand]:
    """Every strand (filtered) with the published actions in any area that
    use it. Read by the library page for every role allowed it
    (core.roles.EVIDENCE_LIBRARY_ROLES)."""
    chosen = strands(phase=phase)
    if strand is not None:
        chosen = chosen.filter(pk=strand.pk)
    chosen = list(chosen)
    tags = StrandTag.objects.filter(strand__in=chosen)
    if stage:
        tags = tags.filter(evidence__stage=stage)
    found = _library_actions(tags, today=today, life_stage=life_stage)
    by_strand = {s.pk: [] for s in chosen}
    for item in found.values():
        for tagged in item.strands:
            if tagged.pk in by_strand:
                by_strand[tagged.pk].append(item)
    return [
        LibraryStrand(
            strand=s,
            rating=current_rating(s),
            actions=sorted(by_strand[s.pk], key=lambda i: (i.area.name, i.action.title)),
        )
        for s in chosen
    ]


def library_action(*, lineage_id, today) -> LibraryAction:
    """An action as the library shows it to any area: 404 unless it is in a
    published plan and tagged with a strand."""
    tags = StrandTag.objects.filter(evidence__lineage_id=lineage_id)
    item = _library_actions(tags, today=today).get(lineage_id)
    if item is None:
        raise Http404("No such action in the library")
    return item


def others_doing_this(*, lineage, today) -> list[tuple[EvidenceStrand, list[LibraryAction]]]:
    """For each strand an action uses, the published actions in other areas
    using the same strand."""
    own = list(EvidenceStrand.objects.filter(tags__evidence__lineage=lineage).order_by("name"))
    if not own:
        return []
    found = _library_actions(
        StrandTag.objects.filter(strand__in=own), today=today, exclude_area=lineage.area_id
    )
    return [
        (
            strand,
            sorted(
                (i for i in found.values() if strand in i.strands),
                key=lambda i: (i.area.name, i.action.title),
            ),
        )
        for strand in own
    ]
