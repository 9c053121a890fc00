"""Writes for areas and schools."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .gias import DEFAULT_ENCODING, GiasRow, gias_csv_parse
from .models import OPEN_STATUSES, AreaLocalAuthority, School

# The School fields a GIAS extract sets; GiasRow has attributes of the same names.
GIAS_SCHOOL_FIELDS = (
    "name",
    "la_code",
    "la_name",
    "new_la_code",
    "establishment_number",
    "establishment_type",
    "phase",
    "status",
    "statutory_low_age",
    "statutory_high_age",
    "number_of_pupils",
    "percentage_fsm",
    "trust_name",
    "district",
    "postcode",
)
_BATCH_SIZE = 1000


@dataclass
class GiasImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped_closed_not_held: int = 0
    not_in_any_area: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.closed)

    def summary_lines(self) -> list[str]:
        return [
            f"Rows read: {self.rows}",
            f"Created: {self.created}",
            f"Updated: {self.updated}",
            f"Unchanged: {self.unchanged}",
            f"Closed: {self.closed}",
            f"Skipped (closed, not held): {self.skipped_closed_not_held}",
            f"Not in any area: {self.not_in_any_area}",
            "Changes were saved." if self.changed else "No changes.",
        ]


def normalise_district_name(name: str) -> str:
    return " ".join(name.split()).casefold()


class AreaMembership:
    """Which area a school belongs to, from the AreaLocalAuthority and
    AreaDistrict rows, loaded once (two queries) and applied in memory.

    A school belongs to the area holding its LA code; when that LA lists
    districts, only if the school's district is one of them.
    """

    def __init__(self):
        self._by_la_code = {
            la.la_code: (la.area_id, {normalise_district_name(d.name) for d in la.districts.all()})
            for la in AreaLocalAuthority.objects.prefetch_related("districts")
        }

    def area_id_for(self, *, la_code: int, district: str) -> int | None:
        area_id, districts = self._by_la_code.get(la_code, (None, set()))
        if districts and normalise_district_name(district) not in districts:
            return None
        return area_id


@transaction.atomic
def school_import_gias(*, data: bytes, encoding: str = DEFAULT_ENCODING) -> GiasImportResult:
    """Create or update schools from a GIAS extract, all or nothing.

    Open schools are created or updated, each placed in its area (or none).
    A closed row updates the status of a school already held and is skipped
    otherwise. Schools not in the file are left as they are, so a partial
    extract is safe.

    Raises areas.gias.GiasFileError for an unusable file and
    areas.gias.GiasImportError (with .errors) when any row is invalid;
    either way nothing is written.
    """
    rows = gias_csv_parse(data, encoding=encoding)
    membership = AreaMembership()
    result = GiasImportResult(rows=len(rows))
    now = timezone.now()
    for start in range(0, len(rows), _BATCH_SIZE):
        _import_batch(rows[start : start + _BATCH_SIZE], membership, result, now)
    return result


def _import_batch(rows: list[GiasRow], membership, result, now):
    held = School.objects.in_bulk([row.urn for row in rows], field_name="urn")
    to_save = []
    closing = []
    for row in rows:
        school = held.get(row.urn)
        if row.status not in OPEN_STATUSES:
            if school is None:
                result.skipped_closed_not_held += 1
            elif school.status == row.status:
                result.unchanged += 1
            else:
                if school.is_open:
                    result.closed += 1
                else:
                    result.updated += 1
                school.status = row.status
                school.updated_at = now
                closing.append(school)
            continue

        values = {field: getattr(row, field) for field in GIAS_SCHOOL_FIELDS}
        values["area_id"] = membership.area_id_for(la_code=row.la_code, district=row.district)
        if values["area_id"] is None:
            result.not_in_any_area += 1
        if school is None:
            result.created += 1
        elif any(getattr(school, field) != value for field, value in values.items()):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        to_save.append(School(urn=row.urn, **values))

    # One upsert writes new and changed schools alike: far cheaper than
    # bulk_update, whose CASE expressions cost milliseconds per row to build.
    School.objects.bulk_create(
        to_save,
        update_conflicts=True,
        unique_fields=["urn"],
        update_fields=[*GIAS_SCHOOL_FIELDS, "area", "updated_at"],
    )
    School.objects.bulk_update(closing, ["status", "updated_at"])
