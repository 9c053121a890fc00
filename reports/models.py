"""Progress reports: one ReportRun per report asked for, by the monthly
schedule or by a person, and the files it produced.

A run moves pending -> running -> succeeded or failed. Only a running run can
be claimed again (when the worker holding it has died); a succeeded run never
changes, and holds all four files or none (database constraints say so).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.scoping import ScopeRule

from .periods import period_label, period_slug


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Generating"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"


UNFINISHED_STATUSES = (ReportStatus.PENDING, ReportStatus.RUNNING)


class ReportTrigger(models.TextChoices):
    SCHEDULED = "scheduled", "Monthly schedule"
    ON_DEMAND = "on_demand", "On request"


class FinishedReportError(ValidationError):
    """Raised on any attempt to change or delete a succeeded run."""

    def __init__(self):
        super().__init__("This report has been generated and cannot be changed.", code="finished")


REPORT_FILE_FIELDS = ("html_file", "pdf_file", "csv_file", "snapshot_file")


def _new_task_id():
    return str(uuid.uuid4())


class ReportRun(TimeStampedModel):
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="report_runs")
    period_start = models.DateField()
    period_end = models.DateField()
    trigger = models.CharField(max_length=10, choices=ReportTrigger.choices)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(
        "progress (%)", default=0, validators=[MaxValueValidator(100)]
    )
    task_id = models.CharField(
        max_length=64,
        unique=True,
        default=_new_task_id,
        help_text="The Celery task that holds the run (or will, once it starts).",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has claimed the run."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for scheduled reports.",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    html_file = models.FileField("HTML report", max_length=255, blank=True)
    pdf_file = models.FileField("PDF report", max_length=255, blank=True)
    csv_file = models.FileField("CSV data", max_length=255, blank=True)
    snapshot_file = models.FileField("JSON data snapshot", max_length=255, blank=True)

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["area", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                name="reportrun_progress_0_to_100", condition=Q(progress__lte=100)
            ),
            models.CheckConstraint(
                name="reportrun_period_in_order",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="reportrun_succeeded_has_every_file",
                condition=~Q(status=ReportStatus.SUCCEEDED)
                | (
                    Q(progress=100, finished_at__isnull=False)
                    & ~Q(html_file="")
                    & ~Q(pdf_file="")
                    & ~Q(csv_file="")
                    & ~Q(snapshot_file="")
                ),
            ),
            models.CheckConstraint(
                name="reportrun_files_only_when_succeeded",
                condition=Q(status=ReportStatus.SUCCEEDED)
                | Q(html_file="", pdf_file="", csv_file="", snapshot_file=""),
            ),
            models.UniqueConstraint(
                fields=["area", "period_start", "period_end"],
                condition=Q(trigger=ReportTrigger.SCHEDULED),
                name="reportrun_one_scheduled_per_period",
            ),
            models.UniqueConstraint(
                fields=["area", "period_start", "period_end"],
                condition=Q(status__in=UNFINISHED_STATUSES),
                name="reportrun_one_unfinished_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.area} progress report, {self.period_label}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.SUCCEEDED, ReportStatus.FAILED)

    @property
    def file_stem(self) -> str:
        """blackpool-progress-report-2026-10 (or ...-2026-11-01-to-2026-11-19)."""
        return f"{self.area.slug}-progress-report-{period_slug(self.period_start, self.period_end)}"

    def save(self, *args, **kwargs):
        if self.pk and self._stored_status() == ReportStatus.SUCCEEDED:
            raise FinishedReportError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() == ReportStatus.SUCCEEDED:
            raise FinishedReportError()
        return super().delete(*args, **kwargs)

    def _stored_status(self):
        return ReportRun.objects.filter(pk=self.pk).values_list("status", flat=True).first()
