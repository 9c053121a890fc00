"""Reads for progress reports, always through scoping."""

import io
import json
import zipfile

from django.shortcuts import get_object_or_404

from core import ees
from core.scoping import visible_to

from .models import ReportRun
from .render import report_data_sets


def report_runs(*, user, area):
    """The area's runs the user may see, newest first."""
    return visible_to(ReportRun.objects.filter(area=area), user).select_related(
        "area", "requested_by"
    )


def report_run(*, user, area, pk: int) -> ReportRun:
    return get_object_or_404(report_runs(user=user, area=area), pk=pk)


def report_open_data(run: ReportRun) -> dict[str, bytes]:
    """The run's open data files by name (data, metadata, data guidance).

    A run generated since ADR 0010 stored them as a zip. One generated
    before stored a CSV that is not an EES data set; its JSON snapshot holds
    every figure the report published, suppressed as published, so its data
    sets are rendered from that, with the area's location code (those
    snapshots coded the area by its slug, which can be over EES's 30
    characters). A run whose snapshot is not a report snapshot (it has no
    schema version) offers none."""
    with run.csv_file.open("rb") as stored:
        content = stored.read()
    if zipfile.is_zipfile(io.BytesIO(content)):
        return ees.unzipped(content)
    with run.snapshot_file.open("rb") as stored:
        data = json.loads(stored.read())
    if "schema_version" not in data:
        return {}
    data["area"] = {**data["area"], "code": run.area.code}
    return ees.data_set_files(report_data_sets(data, stem=run.file_stem))
