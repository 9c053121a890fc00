"""Delivery plans, their versions, indicators and actions.

A plan's content (priorities, indicators with targets, actions) belongs to one
DeliveryPlan version. Published and superseded versions never change: editing
starts a draft copied from the published version. What happens over time
(measurements, action updates) is not plan content: it belongs to the
indicator's or action's *lineage*, a stable identity that every version's copy
points at, so the log survives new versions.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel, owner_account_field
from core.numbers import PERCENT
from core.scoping import ScopeRule

from .progress import DEFAULT_TOLERANCE, Status


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class PublishedPlanError(ValidationError):
    """Raised on any attempt to change a published or superseded version."""

    def __init__(self):
        super().__init__(
            "This plan version is published and cannot be changed. Start a new draft to edit it.",
            code="published",
        )


class DeliveryPlan(TimeStampedModel):
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["area", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["area", "version"], name="plan_unique_version"),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(status="draft"),
                name="plan_one_draft_per_area",
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(status="published"),
                name="plan_one_published_per_area",
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version}, {self.get_status_display().lower()})"

    @property
    def is_editable(self):
        return self.status == PlanStatus.DRAFT

    def save(self, *args, **kwargs):
        if self.pk:
            stored = (
                DeliveryPlan.objects.filter(pk=self.pk).values("status", "title", "summary").first()
            )
            if stored and stored["status"] != PlanStatus.DRAFT:
                moving_to_superseded = (
                    stored["status"] == PlanStatus.PUBLISHED
                    and self.status == PlanStatus.SUPERSEDED
                    and (stored["title"], stored["summary"]) == (self.title, self.summary)
                )
                if not moving_to_superseded:
                    raise PublishedPlanError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != PlanStatus.DRAFT:
            raise PublishedPlanError()
        return super().delete(*args, **kwargs)


class PlanContent(TimeStampedModel):
    """Rows that belong to a plan version and freeze with it."""

    class Meta:
        abstract = True

    def _plan(self):
        return self.plan

    def save(self, *args, **kwargs):
        if not self._plan().is_editable:
            raise PublishedPlanError()
        if self.pk:
            stored_plan_id = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list(self._plan_lookup(), flat=True)
                .first()
            )
            if stored_plan_id is not None and stored_plan_id != self._plan().pk:
                raise ValidationError("A row cannot move between plan versions.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self._plan().is_editable:
            raise PublishedPlanError()
        return super().delete(*args, **kwargs)

    @classmethod
    def _plan_lookup(cls):
        return "plan_id"


class LifeStage(models.TextChoices):
    EARLY_YEARS = "early_years", "Early years"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    POST_16 = "post_16", "Post-16"
    INTO_WORK = "into_work", "Into work"
    CROSS_CUTTING = "cross_cutting", "Cross-cutting"


class Priority(PlanContent):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    life_stage = models.CharField(max_length=20, choices=LifeStage.choices)
    description = models.TextField(blank=True)
    lineage = models.ForeignKey(
        "PriorityLineage", on_delete=models.PROTECT, related_name="versions"
    )

    scope_rule = ScopeRule(area="plan__area", school=None)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="priority_unique_number"),
            models.UniqueConstraint(fields=["plan", "lineage"], name="priority_unique_lineage"),
        ]

    def __str__(self):
        return f"Priority {self.number}: {self.title}"


class Lineage(models.Model):
    """The stable identity of a row across plan versions."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{type(self).__name__} {self.pk} ({self.area})"


class PriorityLineage(Lineage):
    """A priority across versions."""


class IndicatorLineage(Lineage):
    """An indicator across versions: its measurements hang here."""

    @property
    def number_unit(self) -> str:
        """The unit mark its figures may carry: its published version's unit's,
        else its latest version's."""
        versions = list(self.versions.select_related("plan").order_by("-plan__version"))
        current = next(
            (v for v in versions if v.plan.status == PlanStatus.PUBLISHED),
            versions[0] if versions else None,
        )
        return current.number_unit if current else ""


class ActionLineage(Lineage):
    """An action across versions: its update log hangs here."""


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    COUNT = "count", "Count"
    RATE = "rate", "Rate"
    SCORE = "score", "Score"
    MONTHS = "months", "Months"


def unit_mark(unit: str) -> str:
    """The mark written after a figure in `unit`: "%" for a percentage, else
    none. A typed figure may carry it (core.numbers); charts and pages add it."""
    return PERCENT if unit == Unit.PERCENTAGE else ""


class Polarity(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.IntegerChoices):
    MONTHLY = 31, "Monthly"
    TERMLY = 122, "Termly"
    ANNUALLY = 365, "Annually"


class ComparatorSeries(TimeStampedModel):
    """A series to compare against, such as the national figure for GLD.

    A series imported from an EES file (plans.comparator_imports, ADR 0018)
    keeps the selection that makes it: `ees_key` is a digest of its
    indicator column, filters, geographic level, location code and time
    identifier, so importing a revised file finds the same series again."""

    name = models.CharField(max_length=200, unique=True)
    geography = models.CharField(max_length=100, help_text="For example, England or North West.")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    measure = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "What the series measures, the same for its national, regional and LA series, "
            "e.g. 'GLD'. A comparator group's series is made from its members' series of "
            "the indicator's comparator's measure."
        ),
    )
    la_code = models.PositiveSmallIntegerField(
        "LA code",
        null=True,
        blank=True,
        help_text="For a local authority's series: the LA's three-digit code, e.g. 831.",
    )
    ees_key = models.CharField(max_length=64, blank=True, editable=False)
    ees_selection = models.JSONField(default=dict, blank=True, editable=False)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "comparator series"
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "la_code"],
                condition=models.Q(la_code__isnull=False) & ~models.Q(measure=""),
                name="comparatorseries_one_per_la_and_measure",
            ),
            models.UniqueConstraint(
                fields=["ees_key"],
                condition=~models.Q(ees_key=""),
                name="comparatorseries_unique_ees_key",
            ),
        ]

    def __str__(self):
        return self.name


class FigureStatus(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional"
    FINAL = "final", "Final"
    REVISED = "revised", "Revised"


# Symbols EES files put in an indicator cell instead of a number: c
# (confidential, suppressed), x (not available), z (not applicable), low
# (rounds to 0 but is not 0), u (low reliability), k (rounds to 0), : (not
# available, older files), ~ (fewer than 0.5). Each is kept as not
# available: the series has no value at that date.
COMPARATOR_SYMBOLS = frozenset({"c", "x", "z", "low", "u", "k", ":", "~"})


class ComparatorValue(models.Model):
    """A comparator figure at a date, or a published symbol in its place: an
    EES file's suppressed or unavailable cell (c, x, z, low, u, k, :) is kept
    as not available, with no value, and the progress engine skips it."""

    series = models.ForeignKey(ComparatorSeries, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    symbol = models.CharField(
        max_length=4, blank=True, help_text="The published symbol when there is no value."
    )
    status = models.CharField(
        max_length=12, choices=FigureStatus.choices, default=FigureStatus.FINAL
    )
    numerator = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Where published: the count the value is a share of, e.g. pupils reaching GLD.",
    )
    denominator = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Where published: the count it is out of, e.g. pupils assessed.",
    )

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["series", "date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="comparatorvalue_unique_date"),
            models.CheckConstraint(
                name="comparatorvalue_denominator_positive",
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
            ),
            models.CheckConstraint(
                name="comparatorvalue_value_or_symbol",
                condition=(models.Q(value__isnull=False) & models.Q(symbol=""))
                | (models.Q(value__isnull=True) & ~models.Q(symbol="")),
            ),
        ]

    def __str__(self):
        return f"{self.series}: {self.shown} on {self.date}"

    @property
    def shown(self) -> str:
        return self.symbol if self.value is None else str(self.value)

    def clean(self):
        if self.symbol and self.symbol not in COMPARATOR_SYMBOLS:
            raise ValidationError(
                {"symbol": "Enter one of the symbols " + ", ".join(sorted(COMPARATOR_SYMBOLS))}
            )
        if (self.value is None) == (not self.symbol):
            raise ValidationError(
                {"value": "Enter a value, or leave it blank and enter a symbol such as x"}
            )


class ComparatorImport(TimeStampedModel):
    """One confirmed import of an EES file into comparator series."""

    file_name = models.CharField(max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    selection = models.JSONField(default=dict, blank=True)
    series_created = models.PositiveIntegerField(default=0)
    values_created = models.PositiveIntegerField(default=0)
    values_revised = models.PositiveIntegerField(default=0)
    values_unchanged = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y})"


class ComparatorRevision(models.Model):
    """A comparator figure an import changed: the old and new figure (a
    value or a symbol), for which date, from which file and when."""

    comparator_import = models.ForeignKey(
        ComparatorImport, on_delete=models.CASCADE, related_name="revisions"
    )
    series = models.ForeignKey(ComparatorSeries, on_delete=models.CASCADE, related_name="revisions")
    date = models.DateField()
    old_value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    old_symbol = models.CharField(max_length=4, blank=True)
    new_value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    new_symbol = models.CharField(max_length=4, blank=True)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["series", "date"]

    def __str__(self):
        return f"{self.series} on {self.date}: {self.old_shown} to {self.new_shown}"

    @property
    def old_shown(self) -> str:
        return self.old_symbol if self.old_value is None else str(self.old_value)

    @property
    def new_shown(self) -> str:
        return self.new_symbol if self.new_value is None else str(self.new_value)


class ComparatorStatusChange(models.Model):
    """An indicator whose status an import's revisions changed: shown on
    the indicator's page and in the area's next report."""

    comparator_import = models.ForeignKey(
        ComparatorImport, on_delete=models.CASCADE, related_name="status_changes"
    )
    lineage = models.ForeignKey(
        "IndicatorLineage", on_delete=models.CASCADE, related_name="comparator_status_changes"
    )
    series = models.ForeignKey(ComparatorSeries, on_delete=models.CASCADE, related_name="+")
    old_status = models.CharField(max_length=20)
    new_status = models.CharField(max_length=20)

    scope_rule = ScopeRule(area="lineage__area", school=None)

    class Meta:
        ordering = ["-comparator_import__created_at", "-pk"]

    def __str__(self):
        return f"{self.lineage}: {self.old_status} to {self.new_status}"

    @property
    def old_label(self) -> str:
        return Status(self.old_status).label

    @property
    def new_label(self) -> str:
        return Status(self.new_status).label


class ComparatorGroup(TimeStampedModel):
    """A named set of local authorities to compare with, such as an area's LA
    and its ten statistical neighbours. Its series for a measure is computed
    from its members' LA series (plans.neighbours, ADR 0019)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComparatorGroupMember(models.Model):
    group = models.ForeignKey(ComparatorGroup, on_delete=models.CASCADE, related_name="members")
    la_code = models.PositiveSmallIntegerField("LA code")
    la_name = models.CharField("LA name", max_length=100)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["group", "la_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "la_code"], name="groupmember_unique_la")
        ]

    def __str__(self):
        return f"{self.la_name} ({self.la_code})"


class Indicator(PlanContent):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="indicators")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="indicators")
    lineage = models.ForeignKey(IndicatorLineage, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    baseline_value = models.DecimalField(max_digits=12, decimal_places=3)
    baseline_date = models.DateField()
    frequency_days = models.PositiveSmallIntegerField(
        "reporting frequency", choices=Frequency.choices, default=Frequency.ANNUALLY
    )
    tolerance = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_TOLERANCE,
        help_text=(
            "Shortfall allowed before 'at risk' becomes 'off track', "
            "as a fraction of the planned change."
        ),
    )
    source = models.CharField(max_length=200, blank=True)
    comparator = models.ForeignKey(
        ComparatorSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators"
    )
    owner = models.CharField(
        max_length=200, blank=True, help_text="The person who records its measurements."
    )
    owner_user = owner_account_field()
    comparator_group = models.ForeignKey(
        ComparatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="A group such as the area's statistical neighbours, for targets set as a gap "
        "to the group's figure.",
    )

    scope_rule = ScopeRule(area="plan__area", school=None)

    class Meta:
        ordering = ["priority__number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "lineage"], name="indicator_unique_lineage"),
            models.CheckConstraint(
                name="indicator_tolerance_0_to_1",
                condition=models.Q(tolerance__gte=0, tolerance__lte=1),
            ),
        ]

    @property
    def number_unit(self) -> str:
        """The unit mark a typed figure of this indicator may carry."""
        return unit_mark(self.unit)

    def __str__(self):
        return self.name

    def clean(self):
        if self.priority_id and self.plan_id and self.priority.plan_id != self.plan_id:
            raise ValidationError({"priority": "Choose a priority from the same plan version"})


class TargetBasis(models.TextChoices):
    ABSOLUTE = "absolute", "A value"
    RELATIVE = "relative", "A gap to the comparator"
    GROUP = "group", "A gap to the comparator group"


# The bases whose targets are gaps, judged by the progress engine as relative.
GAP_BASES = frozenset({TargetBasis.RELATIVE, TargetBasis.GROUP})


class Target(PlanContent):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    date = models.DateField()
    value = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        help_text=(
            "For a gap: the indicator minus the comparator, "
            "e.g. 0 for 'at least the national figure'."
        ),
    )
    basis = models.CharField(
        max_length=10, choices=TargetBasis.choices, default=TargetBasis.ABSOLUTE
    )
    description = models.CharField(max_length=200, blank=True)

    scope_rule = ScopeRule(area="indicator__plan__area", school=None)

    class Meta:
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="target_unique_date")
        ]

    def __str__(self):
        return f"{self.value} by {self.date}"

    def _plan(self):
        return self.indicator.plan

    @classmethod
    def _plan_lookup(cls):
        return "indicator__plan_id"

    def clean(self):
        indicator = self.indicator
        if self.basis == TargetBasis.RELATIVE and indicator.comparator_id is None:
            raise ValidationError(
                {"basis": "Choose a comparator for the indicator before setting a gap target"}
            )
        if self.basis == TargetBasis.GROUP and (
            indicator.comparator_group_id is None or indicator.comparator_id is None
        ):
            raise ValidationError(
                {
                    "basis": "Choose a comparator and a comparator group for the indicator "
                    "before setting a gap to the group"
                }
            )
        other_bases = set(indicator.targets.exclude(pk=self.pk).values_list("basis", flat=True))
        if other_bases and other_bases != {self.basis}:
            raise ValidationError(
                {"basis": "All of an indicator's targets must be values, or all gaps"}
            )
        if self.date and indicator.baseline_date and self.date <= indicator.baseline_date:
            raise ValidationError({"date": "Target date must be after the baseline date"})


class Measurement(TimeStampedModel):
    """A value of an indicator at a date, as entered by a board member."""

    lineage = models.ForeignKey(
        IndicatorLineage, on_delete=models.PROTECT, related_name="measurements"
    )
    date = models.DateField(help_text="The date or end of the period the value is for.")
    value = models.DecimalField(max_digits=12, decimal_places=3)
    status = models.CharField(
        max_length=12, choices=FigureStatus.choices, default=FigureStatus.FINAL
    )
    source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    scope_rule = ScopeRule(area="lineage__area", school=None)

    class Meta:
        ordering = ["lineage", "date"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "date"], name="measurement_unique_date")
        ]

    def __str__(self):
        return f"{self.value} on {self.date}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Date must be today or in the past"})


class FundingStream(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class FundingAllocation(TimeStampedModel):
    """An area's allocation from a stream for a financial year (April to March)."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="allocations")
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="allocations")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year it starts: 2017 for 2017-18."
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["area", "financial_year", "stream"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "stream", "financial_year"], name="allocation_unique_year"
            )
        ]

    def __str__(self):
        return f"{self.area} {self.stream} {self.financial_year_label}: £{self.amount}"

    @property
    def financial_year_label(self):
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_ACTION_STATUSES = frozenset({ActionStatus.COMPLETE, ActionStatus.CANCELLED})


class Action(PlanContent):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    lineage = models.ForeignKey(ActionLineage, on_delete=models.PROTECT, related_name="versions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner = models.CharField(max_length=200, help_text="The person accountable for the action.")
    owner_user = owner_account_field()
    funding_stream = models.ForeignKey(
        FundingStream, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    start_date = models.DateField()
    due_date = models.DateField()

    scope_rule = ScopeRule(area="plan__area", school=None)

    class Meta:
        ordering = ["priority__number", "due_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "lineage"], name="action_unique_lineage"),
            models.CheckConstraint(
                name="action_due_after_start",
                condition=models.Q(due_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError(
                {"due_date": "Due date must be the same as or after the start date"}
            )
        if self.priority_id and self.plan_id and self.priority.plan_id != self.plan_id:
            raise ValidationError({"priority": "Choose a priority from the same plan version"})


EVIDENCE_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "csv", "png", "jpg", "jpeg"]

# What people call each kind of evidence file, for its link text.
EVIDENCE_TYPES = {
    "pdf": "PDF",
    "docx": "Word document",
    "xlsx": "Excel spreadsheet",
    "pptx": "PowerPoint presentation",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
    "csv": "CSV",
    "png": "PNG image",
    "jpg": "JPEG image",
    "jpeg": "JPEG image",
}


def evidence_path(update, filename):
    return f"evidence/{update.lineage.area_id}/{update.lineage_id}/{filename}"


def validate_evidence_size(file):
    limit = settings.EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The selected file must be smaller than {limit // (1024 * 1024)}MB", code="file_size"
        )


class ActionUpdate(TimeStampedModel):
    """One entry in an action's log: status, narrative, spend and evidence."""

    lineage = models.ForeignKey(ActionLineage, on_delete=models.PROTECT, related_name="updates")
    date = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    narrative = models.TextField()
    spend_to_date = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    evidence_url = models.URLField(blank=True)
    evidence_file = models.FileField(
        upload_to=evidence_path,
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
    )
    evidence_original_name = models.CharField(
        max_length=255, blank=True, help_text="The evidence file's name as it was uploaded."
    )
    evidence_size = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The evidence file's size in bytes."
    )
    correction_reason = models.TextField(
        blank=True,
        help_text="Why the spend to date is lower than the last update's: the earlier "
        "figures were too high.",
    )

    scope_rule = ScopeRule(area="lineage__area", school=None)

    class Meta:
        ordering = ["lineage", "-date", "-pk"]
        indexes = [models.Index(fields=["lineage", "-date"])]

    def __str__(self):
        return f"{self.get_status_display()} on {self.date}"

    @property
    def evidence_file_name(self) -> str:
        """The evidence file's name as uploaded (storage may add a suffix to
        keep two files of one name apart), without the folders it is kept in."""
        return PurePosixPath(self.evidence_file.name).name if self.evidence_file else ""

    @property
    def evidence_display_name(self) -> str:
        """The name the file had on the uploader's computer, for people to read."""
        if not self.evidence_file:
            return ""
        return self.evidence_original_name or self.evidence_file_name

    @property
    def evidence_type(self) -> str:
        suffix = PurePosixPath(self.evidence_display_name).suffix.lower().lstrip(".")
        return EVIDENCE_TYPES.get(suffix, suffix.upper())

    @property
    def is_correction(self) -> bool:
        return bool(self.correction_reason)

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Date must be today or in the past"})


class ReminderSent(models.Model):
    """A reminder email sent to a person on a day. The unique row is the
    claim that makes "at most one email a person a day" hold across workers,
    restarts and a flushed cache (ADR 0020)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    item_count = models.PositiveIntegerField(default=0)

    scope_rule = ScopeRule(area=None, school=None)

    class Meta:
        ordering = ["-date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="reminder_sent_once_a_day")
        ]

    def __str__(self):
        return f"Reminder to {self.user} on {self.date}"


# Programme phases and legacy (issue 16 item 4, ADR 0024). An area passes
# through programme phases (Opportunity Area, then Priority Education
# Investment Area, ...); at a phase's end each open action is carried on,
# mainstreamed or stopped. Indicators belong to no phase: their lineage and
# measurements run on across phases.


class ProgrammePhase(models.Model):
    """A phase of the programme and the funding streams that pay for it:
    reference data, so a later phase is a new row, not code."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100, unique=True)
    funding_streams = models.ManyToManyField(FundingStream, blank=True, related_name="phases")

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AreaPhase(TimeStampedModel):
    """An area's time in a programme phase; no end date while it runs."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="phases")
    phase = models.ForeignKey(ProgrammePhase, on_delete=models.PROTECT, related_name="areas")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave blank while it runs.")

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["area", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["area", "phase"], name="areaphase_unique_phase"),
            models.CheckConstraint(
                name="areaphase_end_after_start",
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self):
        return f"{self.area}: {self.phase}"

    @property
    def label(self) -> str:
        end = f"{self.end_date:%-d %B %Y}" if self.end_date else "now"
        return f"{self.phase.name} ({self.start_date:%-d %B %Y} to {end})"

    def covers(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "End date must be the same as or after the start"})
        if not (self.area_id and self.start_date):
            return
        others = AreaPhase.objects.filter(area_id=self.area_id).exclude(pk=self.pk)
        for other in others:
            starts_before_other_ends = other.end_date is None or self.start_date <= other.end_date
            ends_after_other_starts = self.end_date is None or self.end_date >= other.start_date
            if starts_before_other_ends and ends_after_other_starts:
                raise ValidationError(
                    {"start_date": f"The dates overlap the area's phase {other.label}"}
                )


class PhaseOutcome(models.TextChoices):
    CARRIED_ON = "carried_on", "Carried on into the next phase"
    MAINSTREAMED = "mainstreamed", "Mainstreamed"
    STOPPED = "stopped", "Stopped"


class ActionPhaseOutcome(TimeStampedModel):
    """What became of an action open at the end of an area's phase."""

    area_phase = models.ForeignKey(
        AreaPhase, on_delete=models.PROTECT, related_name="action_outcomes"
    )
    lineage = models.ForeignKey(
        ActionLineage, on_delete=models.PROTECT, related_name="phase_outcomes"
    )
    outcome = models.CharField(max_length=12, choices=PhaseOutcome.choices)
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who continues a mainstreamed action without programme funding.",
    )
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope_rule = ScopeRule(area="area_phase__area", school=None)

    class Meta:
        ordering = ["area_phase", "lineage"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_phase", "lineage"], name="actionphaseoutcome_unique_action"
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} at the end of {self.area_phase}"

    def clean(self):
        if self.outcome == PhaseOutcome.MAINSTREAMED and self.organisation_id is None:
            raise ValidationError(
                {"organisation": "Choose the organisation that continues the action"}
            )
        if self.outcome == PhaseOutcome.STOPPED and not self.reason.strip():
            raise ValidationError({"reason": "Enter why the action stopped"})
        if self.outcome != PhaseOutcome.MAINSTREAMED:
            self.organisation = None
