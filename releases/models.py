"""Releases: what is published for an area and a period, frozen.

A release holds the area's report, its open-data files and its dashboard
figures for the period as they stood when the release was prepared. It is
published at ``publish_at``; before then only its pre-release access list
(and the people who manage releases) may see it. Once published it never
changes: ``save()`` and ``delete()`` refuse, and a database trigger refuses
the same UPDATE or DELETE from anywhere else (migration 0001). A correction
is a new version of the same area and period with a change note; the earlier
version stays, superseded.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.disclosure import SeriesPattern
from core.models import TimeStampedModel
from core.scoping import ScopeRule
from reports.periods import period_label, period_slug


class PublishedReleaseError(ValidationError):
    """Raised on any attempt to change or delete a published release."""

    def __init__(self):
        super().__init__("This release has been published and cannot be changed.", code="published")


class ReleaseStage(models.TextChoices):
    PRE_RELEASE = "pre_release", "Pre-release"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class Release(TimeStampedModel):
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="releases")
    period_start = models.DateField()
    period_end = models.DateField()
    academic_year = models.PositiveSmallIntegerField(
        help_text="The academic year the period ends in (its first calendar year): the series "
        "whose suppression pattern the release carries on."
    )
    version = models.PositiveSmallIntegerField(default=1)
    publish_at = models.DateTimeField("publication time")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    what_changed = models.TextField(blank=True)
    why_changed = models.TextField(blank=True)
    effect_of_change = models.TextField(blank=True)
    suppression_pattern = models.JSONField(
        default=dict,
        help_text="Every cell hidden in this release or an earlier one of its series "
        "(core.disclosure.SeriesPattern).",
    )

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["area__name", "-period_end", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period_start", "period_end", "version"],
                name="release_one_per_version",
            ),
            models.CheckConstraint(
                name="release_period_in_order", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(name="release_version_from_1", condition=Q(version__gte=1)),
            models.CheckConstraint(
                name="release_correction_has_change_note",
                condition=Q(version=1, what_changed="", why_changed="", effect_of_change="")
                | (
                    Q(version__gt=1)
                    & ~Q(what_changed="")
                    & ~Q(why_changed="")
                    & ~Q(effect_of_change="")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.area} statistics, {self.period_label}, version {self.version}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def period_slug(self) -> str:
        return period_slug(self.period_start, self.period_end)

    def is_published(self, now=None) -> bool:
        return self.publish_at <= (now or timezone.now())

    @property
    def pattern(self) -> SeriesPattern:
        return SeriesPattern.from_json(self.suppression_pattern)

    def save(self, *args, **kwargs):
        if self.pk and self._stored_is_published():
            raise PublishedReleaseError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_is_published():
            raise PublishedReleaseError()
        return super().delete(*args, **kwargs)

    def _stored_is_published(self) -> bool:
        return Release.objects.filter(pk=self.pk, publish_at__lte=timezone.now()).exists()


class ReleaseFileKind(models.TextChoices):
    REPORT = "report", "Progress report"
    OPEN_DATA = "open_data", "Open data"
    DASHBOARD = "dashboard", "Dashboard figures"


class ReleaseFile(models.Model):
    """One frozen file of a release. Its content never changes once written."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=ReleaseFileKind.choices)
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=150)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    scope_rule = ScopeRule(area="release__area", school=None)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="releasefile_unique_name")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk:
            raise PublishedReleaseError()
        self.sha256 = hashlib.sha256(bytes(self.content)).hexdigest()
        super().save(*args, **kwargs)


class PreReleaseAccess(models.Model):
    """A person named on a release's pre-release access list."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="pre_release")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    scope_rule = ScopeRule(area="release__area", school=None)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["release", "user"], name="prerelease_once_per_person")
        ]

    def __str__(self):
        return f"{self.user} on {self.release}"
