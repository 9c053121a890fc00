"""Reads for releases. Who sees a release:

- once published, every signed-in user (published statistics are
  disclosure-controlled and meant to be read; ADR 0011);
- before then, the people on its pre-release access list, and those who
  manage the area's releases (its area lead, DfE staff, administrators),
  each within their scope (core.scoping).
"""

import json
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from core.disclosure import SeriesPattern
from core.models import Role
from core.roles import RELEASE_MANAGER_ROLES
from core.scoping import visible_to
from reports.periods import period_label, period_slug

from .models import Release, ReleaseFileKind, ReleaseStage


def releases_visible_to(*, user, now=None):
    now = now or timezone.now()
    if not user.is_authenticated or not user.is_active:
        return Release.objects.none()
    published = Q(publish_at__lte=now)
    in_scope = visible_to(Release.objects.all(), user)
    if user.role in RELEASE_MANAGER_ROLES:
        managed = in_scope
        if user.role == Role.AREA_LEAD:
            managed = in_scope.filter(area=user.area_id)
        early = Q(pk__in=managed.values("pk")) | Q(pre_release__user=user)
    else:
        early = Q(pre_release__user=user)
    return Release.objects.filter(published | early).distinct().select_related("area")


def release_versions(*, user, area_slug: str, period: str, now=None) -> list[Release]:
    """Every version of one release the user may see, newest first; 404 if
    none."""
    versions = [
        release
        for release in releases_visible_to(user=user, now=now)
        .filter(area__slug=area_slug)
        .order_by("-version")
        if release.period_slug == period
    ]
    if not versions:
        raise Http404("No such release")
    return versions


def release_stage(release: Release, versions: list[Release], now=None) -> ReleaseStage:
    """Pre-release, published, or superseded (a later version is published)."""
    now = now or timezone.now()
    if not release.is_published(now):
        return ReleaseStage.PRE_RELEASE
    if any(v.version > release.version and v.is_published(now) for v in versions):
        return ReleaseStage.SUPERSEDED
    return ReleaseStage.PUBLISHED


def series_pattern(*, area, year) -> SeriesPattern | None:
    """The cells hidden by the area's releases of the academic year so far,
    published or not yet (pre-release readers have seen those too); None if
    there are none, when figures are published afresh."""
    return pattern_of(
        Release.objects.filter(area=area, academic_year=year.start_year).values_list(
            "suppression_pattern", flat=True
        )
    )


def areas_in_series(*, year) -> set[int]:
    """The areas with a release of the academic year, published or not:
    their figures for the year form a series (ADR 0011)."""
    return set(
        Release.objects.filter(academic_year=year.start_year).values_list("area_id", flat=True)
    )


def with_series_patterns(areas, *, year):
    """``areas`` (a QuerySet) each annotated with ``release_patterns``, the
    stored patterns of its releases of the academic year, in the same query:
    ``pattern_of(area.release_patterns)`` is its ``series_pattern``."""
    return areas.annotate(
        release_patterns=ArraySubquery(
            Release.objects.filter(area=OuterRef("pk"), academic_year=year.start_year)
            .order_by()
            .values("suppression_pattern")
        )
    )


def pattern_of(stored_patterns) -> SeriesPattern | None:
    """The union of releases' stored patterns; None if there are none."""
    result = None
    for pattern in stored_patterns:
        result = SeriesPattern.from_json(pattern).union(result or SeriesPattern.empty())
    return result


def _latest_published(now, year=None):
    """Published releases, latest period first. Only published ones: a live
    page names no release before its time, whoever reads it (a pre-release
    reader reads it on its own page)."""
    releases = Release.objects.filter(publish_at__lte=now or timezone.now())
    if year is not None:
        releases = releases.filter(academic_year=year.start_year)
    return releases.order_by("-period_end", "period_start", "-version", "pk")


def latest_published(*, area, year=None, now=None) -> Release | None:
    """The area's latest published release (of the academic year, if given)."""
    return _latest_published(now, year).filter(area=area).select_related("area").first()


@dataclass(frozen=True)
class ReleaseLink:
    """A release's stable address (its latest published version), named as
    the release is."""

    area: object
    period_start: date
    period_end: date

    @property
    def period_slug(self) -> str:
        return period_slug(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)


def with_latest_release(areas, *, year, now=None):
    """``areas`` (a QuerySet) each annotated with the period of its latest
    published release of the academic year, in the same query; read it with
    ``latest_release_link``."""
    latest = _latest_published(now, year).filter(area=OuterRef("pk"))
    return areas.annotate(
        latest_release_start=Subquery(latest.values("period_start")[:1]),
        latest_release_end=Subquery(latest.values("period_end")[:1]),
    )


def latest_release_link(area) -> ReleaseLink | None:
    if area.latest_release_end is None:
        return None
    return ReleaseLink(area, area.latest_release_start, area.latest_release_end)


def dashboard_figures(release: Release) -> list[dict]:
    """The frozen dashboard figures of the release (label, value)."""
    file = release.files.filter(kind=ReleaseFileKind.DASHBOARD).first()
    return json.loads(bytes(file.content)) if file else []
