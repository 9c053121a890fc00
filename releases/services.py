"""Writes for releases: preparing one, correcting one, and its pre-release
access list. Who may do each is the view's job (releases.permissions); the
rules about a release itself live here and on the models.

A release is frozen when it is prepared: every file is rendered then, by the
functions that render the live report and exports, with the suppression
pattern of the area's earlier releases of the same academic year carried on
(ADR 0011), and stored in the database with the release.
"""

import json
from datetime import date

from django.db import transaction
from django.utils import timezone

from core import ees
from core.disclosure import SeriesPattern
from core.history import change_record
from core.models import ChangeAction
from encounters.academic_years import AcademicYear
from encounters.publication import area_breakdown, area_coverage, area_coverage_data_set
from reports import render
from reports.periods import period_slug
from reports.snapshot import report_reader, report_snapshot

from .models import PreReleaseAccess, PublishedReleaseError, Release, ReleaseFile, ReleaseFileKind
from .selectors import series_pattern


class ReleaseError(Exception):
    """A release cannot be prepared, corrected or changed as asked; the
    message says why, for the person who asked."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def release_prepare(*, area, period_start: date, period_end: date, publish_at, user) -> Release:
    """The first version of the area's release for the period, frozen now and
    published at ``publish_at``."""
    if Release.objects.filter(area=area, period_start=period_start, period_end=period_end).exists():
        raise ReleaseError(
            "period",
            f"{area.name} already has a release for this period: correct it instead",
        )
    return _release_freeze(
        area=area,
        period_start=period_start,
        period_end=period_end,
        version=1,
        publish_at=publish_at,
        user=user,
        change_note={},
    )


def release_correct(
    *, release: Release, publish_at, user, what_changed: str, why_changed: str, effect: str
) -> Release:
    """A new version of a published release, frozen now from the current
    data, with a note of what changed, why and its effect. The corrected
    version stays, superseded once the new one is published."""
    now = timezone.now()
    if not release.is_published(now):
        raise ReleaseError(None, "Only a published release can be corrected")
    latest = (
        Release.objects.filter(
            area=release.area, period_start=release.period_start, period_end=release.period_end
        )
        .order_by("-version")
        .first()
    )
    if latest.pk != release.pk:
        raise ReleaseError(None, f"Version {latest.version} is the latest: correct that one")
    note = {
        "what_changed": what_changed.strip(),
        "why_changed": why_changed.strip(),
        "effect_of_change": effect.strip(),
    }
    labels = {
        "what_changed": "Enter what changed",
        "why_changed": "Enter why it changed",
        "effect_of_change": "Enter the effect of the change",
    }
    for field, text in note.items():
        if not text:
            raise ReleaseError(field, labels[field])
    return _release_freeze(
        area=release.area,
        period_start=release.period_start,
        period_end=release.period_end,
        version=release.version + 1,
        publish_at=publish_at,
        user=user,
        change_note=note,
    )


def _release_freeze(*, area, period_start, period_end, version, publish_at, user, change_note):
    now = timezone.now()
    if publish_at <= now:
        raise ReleaseError("publish_at", "The publication time must be in the future")
    year = AcademicYear.of(period_end)
    earlier = series_pattern(area=area, year=year)
    files, published = _frozen_files(
        area=area,
        period_start=period_start,
        period_end=period_end,
        year=year,
        pattern=earlier or SeriesPattern.empty(),
        generated_at=now,
    )
    with transaction.atomic():
        release = Release.objects.create(
            area=area,
            period_start=period_start,
            period_end=period_end,
            academic_year=year.start_year,
            version=version,
            publish_at=publish_at,
            prepared_by=user,
            suppression_pattern=published.as_json(),
            **change_note,
        )
        for order, (kind, name, title, content_type, content) in enumerate(files):
            ReleaseFile.objects.create(
                release=release,
                kind=kind,
                name=name,
                title=title,
                content_type=content_type,
                content=content,
                order=order,
            )
        change_record(obj=release, user=user, action=ChangeAction.CREATED, area=area)
    return release


def _frozen_files(*, area, period_start, period_end, year, pattern, generated_at):
    """(kind, name, title, content type, bytes) of every file, and the
    pattern the release publishes: the earlier releases' and its own."""
    reader = report_reader()
    snapshot = report_snapshot(
        area=area,
        period_start=period_start,
        period_end=period_end,
        generated_at=generated_at,
        disclosure_pattern=pattern,
    )
    stem = f"{area.slug}-{year.time_period}-{period_slug(period_start, period_end)}"
    report = render.report_files(snapshot, stem=f"{stem}-progress-report")
    coverage = area_coverage(user=reader, area=area, year=year, pattern=pattern)
    breakdown = area_breakdown(user=reader, area=area, year=year, pattern=pattern)
    open_data = area_coverage_data_set(user=reader, area=area, year=year, pattern=pattern)
    files = [
        (
            ReleaseFileKind.REPORT,
            report["pdf_file"].name,
            "Progress report (PDF)",
            "application/pdf",
            report["pdf_file"].content,
        ),
        (
            ReleaseFileKind.REPORT,
            report["html_file"].name,
            "Progress report (HTML)",
            "text/html; charset=utf-8",
            report["html_file"].content,
        ),
        (
            ReleaseFileKind.REPORT,
            report["snapshot_file"].name,
            "Progress report data (JSON)",
            "application/json",
            report["snapshot_file"].content,
        ),
        (
            ReleaseFileKind.REPORT,
            report["csv_file"].name,
            "Progress report data (EES data files and their metadata, zip)",
            "application/zip",
            report["csv_file"].content,
        ),
        *(
            (
                ReleaseFileKind.OPEN_DATA,
                name,
                f"Encounter coverage by school and year group ({kind})",
                "text/csv; charset=utf-8",
                content,
            )
            for (name, content), kind in zip(
                open_data.files().items(), ("EES data file", "EES metadata file"), strict=True
            )
        ),
        (
            ReleaseFileKind.OPEN_DATA,
            f"{open_data.name}-{ees.DATA_GUIDANCE}",
            "Data guidance and footnotes, provisional figures among them (text)",
            "text/plain; charset=utf-8",
            ees.data_set_files([open_data])[ees.DATA_GUIDANCE],
        ),
        (
            ReleaseFileKind.DASHBOARD,
            f"{stem}-dashboard-figures.json",
            "Dashboard figures (JSON)",
            "application/json",
            json.dumps(dashboard_figures(coverage, breakdown), indent=2).encode(),
        ),
    ]
    published = pattern.union(coverage["pattern"]).union(breakdown["pattern"])
    return files, published


DASHBOARD_FIGURES = (
    ("pupils_on_roll", "Secondary pupils on roll"),
    ("pupils_with_one", "Pupils with at least one encounter this year"),
    ("pupils_with_one_percent", "Pupils with at least one encounter this year (%)"),
    ("pupils_with_four", "Pupils with at least four encounters since Year 7"),
    ("pupils_with_four_percent", "Pupils with at least four encounters since Year 7 (%)"),
    ("pupil_encounters_with_employers", "Pupil encounters with employers"),
    ("cornerstone_share_percent", "Cornerstone employers' share of them (%)"),
)


def dashboard_figures(coverage, breakdown) -> list[dict]:
    """The area's headline figures as the dashboard shows them, taken from
    the release's own published tables so that no surface shows more."""
    values = {}
    tables = coverage["by_measure"]
    for measure in ("on_roll", "with_one", "with_four"):
        published = tables[measure]["grand_total"] if tables else None
        values[f"pupils_{measure}"] = published.count.csv_value if published else "x"
        if measure != "on_roll":
            values[f"pupils_{measure}_percent"] = published.rate.csv_value if published else "x"
    values["pupil_encounters_with_employers"] = breakdown["employer_encounters"].csv_value
    values["cornerstone_share_percent"] = breakdown["cornerstone_share"].csv_value
    return [{"key": key, "label": label, "value": values[key]} for key, label in DASHBOARD_FIGURES]


def pre_release_grant(*, release: Release, person, user) -> PreReleaseAccess:
    if release.is_published():
        raise PublishedReleaseError()
    if not person.is_active:
        raise ReleaseError("email", f"{person.email} cannot sign in")
    access, created = PreReleaseAccess.objects.get_or_create(
        release=release, user=person, defaults={"granted_by": user}
    )
    if not created:
        raise ReleaseError("email", f"{person.email} is already on the list")
    change_record(obj=access, user=user, action=ChangeAction.CREATED, area=release.area)
    return access


def pre_release_revoke(*, access: PreReleaseAccess, user) -> None:
    release = access.release
    if release.is_published():
        raise PublishedReleaseError()
    with transaction.atomic():
        change_record(obj=access, user=user, action=ChangeAction.DELETED, area=release.area)
        access.delete()
