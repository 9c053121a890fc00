"""Writes for evidence strands and action tags. Every change is recorded in
the ChangeRecord history in the same transaction (core.history)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.history import change_record
from core.models import ChangeAction

from .imports import strands_csv_preview
from .models import ActionEvidence, EvidenceStrand, StrandRating, StrandTag


def _rating_values(rating: StrandRating | None) -> dict:
    if rating is None:
        return {"Rating": None}
    return {
        "Impact (months)": rating.impact_months,
        "Cost": rating.cost,
        "Evidence strength": rating.evidence_strength,
        "Rating taken on": rating.rated_on.isoformat(),
    }


def strand_current_rating(strand: EvidenceStrand) -> StrandRating | None:
    return strand.ratings.order_by("-rated_on").first()


def rating_check(*, strand, impact_months, cost, evidence_strength, rated_on):
    """Refuse a rating the Toolkit could not have given, or a second one taken
    on a date that already has a different rating. Returns the existing
    rating of that date when it is the same (nothing to record)."""
    rating = StrandRating(
        strand=strand,
        impact_months=impact_months,
        cost=cost,
        evidence_strength=evidence_strength,
        rated_on=rated_on,
    )
    rating.full_clean(exclude=["strand", "recorded_by"], validate_unique=False)
    if rated_on > timezone.localdate():
        raise ValidationError(
            {"rated_on": "The date the rating was taken must be today or earlier"}
        )
    same_day = strand.ratings.filter(rated_on=rated_on).first() if strand.pk else None
    if same_day is not None:
        if same_day.figures == rating.figures:
            return same_day
        raise ValidationError(
            {
                "rated_on": f"{strand.name} already has a different rating taken on "
                f"{rated_on:%d/%m/%Y}. A revision needs the date the new rating was taken"
            }
        )
    return None


@transaction.atomic
def strand_rating_record(
    *, strand, user, impact_months, cost, evidence_strength, rated_on
) -> StrandRating:
    """Record the Toolkit's rating of a strand as taken on `rated_on`.
    Earlier ratings stay as its history; tags keep the rating they were made
    under, so the actions using the strand show the revision."""
    existing = rating_check(
        strand=strand,
        impact_months=impact_months,
        cost=cost,
        evidence_strength=evidence_strength,
        rated_on=rated_on,
    )
    if existing is not None:
        return existing
    before = _rating_values(strand_current_rating(strand))
    rating = StrandRating.objects.create(
        strand=strand,
        impact_months=impact_months,
        cost=cost,
        evidence_strength=evidence_strength,
        rated_on=rated_on,
        recorded_by=user,
    )
    change_record(
        obj=strand,
        user=user,
        action=ChangeAction.UPDATED,
        before=before,
        after=_rating_values(strand_current_rating(strand)),
    )
    return rating


@dataclass
class StrandImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@transaction.atomic
def strands_import_file(*, text, user) -> StrandImportResult:
    """Check the whole file again and, only if every line is good, import
    it: raises ValidationError (with the line errors) otherwise."""
    preview = strands_csv_preview(text)
    if not preview.is_valid:
        raise ValidationError([str(error) for error in preview.errors])
    return strands_import(rows=preview.rows, user=user)


@transaction.atomic
def strands_import(*, rows, user) -> StrandImportResult:
    """Create strands and record ratings from checked import rows
    (evidence.imports.StrandRow), all or nothing. A row without a rating
    only makes sure the strand exists."""
    result = StrandImportResult()
    for row in rows:
        strand = EvidenceStrand.objects.filter(phase=row.phase, name__iexact=row.name).first()
        created = strand is None
        if created:
            strand = EvidenceStrand.objects.create(phase=row.phase, name=row.name)
            change_record(
                obj=strand,
                user=user,
                action=ChangeAction.CREATED,
                after={"Name": strand.name, "Phase": strand.get_phase_display()},
            )
        rated = False
        if row.rated_on is not None:
            before = strand.ratings.filter(rated_on=row.rated_on).exists()
            strand_rating_record(
                strand=strand,
                user=user,
                impact_months=row.impact_months,
                cost=row.cost,
                evidence_strength=row.evidence_strength,
                rated_on=row.rated_on,
            )
            rated = not before
        if created:
            result.created += 1
        elif rated:
            result.changed += 1
        else:
            result.unchanged += 1
    return result


def _tag_values(evidence: ActionEvidence | None) -> dict:
    if evidence is None:
        return {"Evidence strands": "", "Implementation stage": None}
    names = sorted(tag.strand.name for tag in evidence.tags.select_related("strand"))
    return {
        "Evidence strands": ", ".join(names),
        "Implementation stage": evidence.get_stage_display(),
    }


@transaction.atomic
def action_evidence_set(*, lineage, user, strands, stage) -> ActionEvidence | None:
    """Tag an action (its lineage) with `strands` at `stage`. A strand
    already tagged keeps the rating it was tagged under; a new tag takes the
    strand's current rating. No strands removes the evidence altogether."""
    strands = list(strands)
    if strands and not stage:
        raise ValidationError({"stage": "Select the action's implementation stage"})
    evidence = ActionEvidence.objects.filter(lineage=lineage).first()
    before = _tag_values(evidence)
    if not strands:
        if evidence is not None:
            evidence.delete()
        evidence = None
    else:
        if evidence is None:
            evidence = ActionEvidence.objects.create(lineage=lineage, stage=stage)
        elif evidence.stage != stage:
            evidence.stage = stage
            evidence.save(update_fields=["stage", "updated_at"])
        wanted = {strand.pk: strand for strand in strands}
        evidence.tags.exclude(strand_id__in=wanted).delete()
        kept = set(evidence.tags.values_list("strand_id", flat=True))
        for strand_id, strand in wanted.items():
            if strand_id not in kept:
                StrandTag.objects.create(
                    evidence=evidence, strand=strand, rating=strand_current_rating(strand)
                )
    # Records nothing when nothing changed.
    change_record(
        obj=lineage,
        user=user,
        action=ChangeAction.UPDATED,
        before=before,
        after=_tag_values(evidence),
        area=lineage.area,
    )
    return evidence
