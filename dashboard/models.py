"""Summary tables the cross-area dashboard reads instead of the raw rows.

They hold counts only, are kept up to date by dashboard.services when plans,
measurements, rosters and encounters change, and can be rebuilt from scratch
(`manage.py summaries_rebuild`). A page never scans attendance rows.
"""

from django.db import models

from core.background import new_task_id
from core.models import TimeStampedModel
from core.scoping import ScopeRule


class AreaSummary(models.Model):
    """One area at a glance: its delivery plan as the progress engine judges
    it on ``as_of`` (``by_life_stage`` holds the same counts for the
    priorities of each life stage, for the filter) and its funding. Its
    encounter coverage is read from its schools' SchoolCoverageSummary rows,
    through the area's release pattern (ADR 0011)."""

    area = models.OneToOneField("areas.Area", on_delete=models.CASCADE, related_name="summary")
    as_of = models.DateField(help_text="The day statuses and overdue flags were judged on.")
    indicators_total = models.PositiveIntegerField(default=0)
    indicators_achieved = models.PositiveIntegerField(default=0)
    indicators_on_track = models.PositiveIntegerField(default=0)
    indicators_at_risk = models.PositiveIntegerField(default=0)
    indicators_off_track = models.PositiveIntegerField(default=0)
    indicators_no_data = models.PositiveIntegerField(default=0)
    indicators_stale = models.PositiveIntegerField(default=0)
    actions_total = models.PositiveIntegerField(default=0)
    actions_not_started = models.PositiveIntegerField(default=0)
    actions_on_track = models.PositiveIntegerField(default=0)
    actions_at_risk = models.PositiveIntegerField(default=0)
    actions_off_track = models.PositiveIntegerField(default=0)
    actions_complete = models.PositiveIntegerField(default=0)
    actions_cancelled = models.PositiveIntegerField(default=0)
    actions_overdue = models.PositiveIntegerField(default=0)
    updates_due = models.PositiveIntegerField(default=0)
    allocated_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spent_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    by_life_stage = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        verbose_name_plural = "area summaries"

    def __str__(self):
        return f"Summary of {self.area_id} on {self.as_of}"


class SchoolCoverageSummary(models.Model):
    """Encounter coverage for one school, academic year and year group:
    counts of pupils, never pupils. ``others`` are pupils not disadvantaged."""

    school = models.ForeignKey(
        "areas.School", on_delete=models.CASCADE, related_name="coverage_summaries"
    )
    academic_year = models.PositiveSmallIntegerField(help_text="Start year: 2017 for 2017/18.")
    year_group = models.SmallIntegerField()
    on_roll = models.PositiveIntegerField(default=0)
    with_one = models.PositiveIntegerField(default=0)
    with_four = models.PositiveIntegerField(default=0)
    disadvantaged_on_roll = models.PositiveIntegerField(default=0)
    disadvantaged_with_one = models.PositiveIntegerField(default=0)
    disadvantaged_with_four = models.PositiveIntegerField(default=0)
    others_on_roll = models.PositiveIntegerField(default=0)
    others_with_one = models.PositiveIntegerField(default=0)
    others_with_four = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    scope_rule = ScopeRule(area="school__area", school="school")

    class Meta:
        verbose_name_plural = "school coverage summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "year_group"],
                name="coveragesummary_unique_cohort",
            )
        ]
        indexes = [models.Index(fields=["academic_year", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.academic_year} Y{self.year_group}"


class SchoolEncounterCounts(models.Model):
    """Pupil encounters (one per pupil per encounter) at one school in one
    academic year, and the encounters behind them (those with at least one
    pupil), for a group its subclass names. Kept for every academic year:
    the area page's breakdowns read these rows, never attendance."""

    school = models.ForeignKey("areas.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField(help_text="Start year: 2017 for 2017/18.")
    pupil_encounters = models.PositiveIntegerField(default=0)
    encounters = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    scope_rule = ScopeRule(area="school__area", school="school")

    class Meta:
        abstract = True


class SchoolEncounterTypeSummary(SchoolEncounterCounts):
    """By encounter type and programme. An encounter has one type and one
    programme, so the encounters add up across rows and schools."""

    encounter_type = models.ForeignKey(
        "encounters.EncounterType", on_delete=models.CASCADE, related_name="+"
    )
    delivered_through = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "encounter_type", "delivered_through"],
                name="encountertypesummary_unique_group",
            )
        ]
        indexes = [models.Index(fields=["academic_year", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.academic_year} {self.encounter_type_id}"


class SchoolEmployerSummary(SchoolEncounterCounts):
    """By employer: an encounter with two employers counts for each."""

    employer = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "employer"],
                name="employersummary_unique_group",
            )
        ]
        indexes = [models.Index(fields=["academic_year", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.academic_year} {self.employer_id}"


class SummaryRefreshStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Refreshing"


class SummaryRefresh(TimeStampedModel):
    """A refresh of an area's summary or a school's coverage, recorded in the
    transaction of the write that needs it, so a crashed worker cannot lose
    it (core.background sweeps it back onto the queue). Deleted once done;
    never shown to anyone, so it has no scope rule. Ids rather than keys: a
    refresh of a school deleted since still removes its summary rows."""

    area_id = models.PositiveBigIntegerField(null=True, blank=True)
    school_id = models.PositiveBigIntegerField(null=True, blank=True)
    since_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Refresh this academic year and later; empty for all."
    )
    status = models.CharField(
        max_length=10, choices=SummaryRefreshStatus.choices, default=SummaryRefreshStatus.PENDING
    )
    task_id = models.CharField(max_length=64, default=new_task_id)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "area_id", "school_id"])]

    def __str__(self):
        return f"Refresh of area {self.area_id} school {self.school_id} ({self.status})"
