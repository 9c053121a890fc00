"""Reads for progress reports, always through scoping."""

from django.shortcuts import get_object_or_404

from core.scoping import visible_to

from .models import ReportRun


def report_runs(*, user, area):
    """The area's runs the user may see, newest first."""
    return visible_to(ReportRun.objects.filter(area=area), user).select_related(
        "area", "requested_by"
    )


def report_run(*, user, area, pk: int) -> ReportRun:
    return get_object_or_404(report_runs(user=user, area=area), pk=pk)
