"""Evidence strands (the EEF Toolkits' reference data) and the tags that say
which actions use them, at which implementation stage (ADR 0023).

A strand's ratings are a history: each `StrandRating` is the Toolkit's
headline rating as taken on a date, never edited; the latest by date is the
strand's current rating. A tag keeps the rating in force when it was made, so
the action page can say when the EEF has revised it since.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import TimeStampedModel
from core.scoping import ScopeRule


class StrandPhase(models.TextChoices):
    """Which Toolkit a strand is from, and so the phase it is about."""

    SCHOOL = "school", "School age (Teaching and Learning Toolkit)"
    EARLY_YEARS = "early_years", "Early years (Early Years Toolkit)"


class EvidenceStrand(TimeStampedModel):
    name = models.CharField(max_length=120)
    phase = models.CharField(max_length=20, choices=StrandPhase.choices)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["phase", "name"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "name"], name="strand_unique_name_in_phase")
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name, marked where it is an Early Years Toolkit strand (some
        names are in both Toolkits)."""
        return f"{self.name} (early years)" if self.phase == StrandPhase.EARLY_YEARS else self.name


# The Toolkits' scales: impact in months of additional progress (negative for
# harm), cost from 1 (very low) to 5 (very high), evidence strength in
# padlocks from 0 (insufficient) to 5 (very extensive).
IMPACT_MONTHS_RANGE = (-12, 12)
COST_RANGE = (1, 5)
EVIDENCE_STRENGTH_RANGE = (0, 5)


class StrandRating(models.Model):
    """A strand's headline rating as the Toolkit gave it on `rated_on`."""

    strand = models.ForeignKey(EvidenceStrand, on_delete=models.CASCADE, related_name="ratings")
    impact_months = models.SmallIntegerField(
        "impact (months)",
        validators=[
            MinValueValidator(IMPACT_MONTHS_RANGE[0]),
            MaxValueValidator(IMPACT_MONTHS_RANGE[1]),
        ],
    )
    cost = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(COST_RANGE[0]), MaxValueValidator(COST_RANGE[1])]
    )
    evidence_strength = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(EVIDENCE_STRENGTH_RANGE[1])]
    )
    rated_on = models.DateField("date the rating was taken")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["strand", "-rated_on"]
        constraints = [
            models.UniqueConstraint(fields=["strand", "rated_on"], name="rating_unique_date"),
            models.CheckConstraint(
                name="rating_cost_1_to_5", condition=models.Q(cost__gte=1, cost__lte=5)
            ),
            models.CheckConstraint(
                name="rating_strength_0_to_5", condition=models.Q(evidence_strength__lte=5)
            ),
            models.CheckConstraint(
                name="rating_impact_in_range",
                condition=models.Q(impact_months__gte=-12, impact_months__lte=12),
            ),
        ]

    def __str__(self):
        return f"{self.impact_label}, cost {self.cost}/5, evidence {self.evidence_strength}/5"

    @property
    def impact_label(self) -> str:
        months = "month" if abs(self.impact_months) == 1 else "months"
        return f"{self.impact_months:+d} {months}"

    @property
    def figures(self) -> tuple[int, int, int]:
        return (self.impact_months, self.cost, self.evidence_strength)


class ImplementationStage(models.TextChoices):
    """The EEF's implementation stages."""

    EXPLORE = "explore", "Explore"
    PREPARE = "prepare", "Prepare"
    DELIVER = "deliver", "Deliver"
    SUSTAIN = "sustain", "Sustain"


class ActionEvidence(TimeStampedModel):
    """The evidence an action draws on: one per action lineage, so it
    carries across plan versions like the action's update log."""

    lineage = models.OneToOneField(
        "plans.ActionLineage", on_delete=models.CASCADE, related_name="evidence"
    )
    stage = models.CharField(
        "implementation stage", max_length=10, choices=ImplementationStage.choices
    )

    scope_rule = ScopeRule(area="lineage__area", school=None)

    class Meta:
        verbose_name_plural = "action evidence"

    def __str__(self):
        return f"Evidence for action {self.lineage_id}"


class StrandTag(models.Model):
    """An action uses a strand. `rating` is the strand's rating in force when
    the tag was made (none if the strand had no rating then)."""

    evidence = models.ForeignKey(ActionEvidence, on_delete=models.CASCADE, related_name="tags")
    strand = models.ForeignKey(EvidenceStrand, on_delete=models.PROTECT, related_name="tags")
    rating = models.ForeignKey(
        StrandRating, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tagged_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule(area="evidence__lineage__area", school=None)

    class Meta:
        ordering = ["strand__name"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "strand"], name="tag_unique_strand")
        ]

    def __str__(self):
        return str(self.strand)

    def clean(self):
        if self.rating_id and self.rating.strand_id != self.strand_id:
            raise ValidationError({"rating": "The rating must be of the tagged strand"})
