"""Writes for areas and schools."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .gias import DEFAULT_ENCODING, GiasRow, gias_csv_parse
from .models import OPEN_STATUSES, Area, AreaLocalAuthority, School

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
    # The warnings the import was confirmed over (see AreaChangesUnconfirmed).
    area_warnings: list[str] = field(default_factory=list)

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
            *(f"Confirmed: {warning}" for warning in self.area_warnings),
            "Changes were saved." if self.changed else "No changes.",
        ]


class AreaMembership:
    """Which area a school belongs to on a day, from the AreaLocalAuthority
    and AreaRule rows, loaded once (two queries) and applied in memory.

    A school belongs to the area holding its LA code: always when the LA has
    no rules, otherwise when it meets one of the LA's rules valid on the day
    (ADR 0017). An LA whose rules are none of them valid on the day puts no
    school in its area: it never falls back to the whole LA.
    """

    def __init__(self, *, on: date):
        self.on = on
        self._by_la_code = {}
        for la in AreaLocalAuthority.objects.prefetch_related("rules"):
            rules = list(la.rules.all())
            self._by_la_code[la.la_code] = (
                la.area_id,
                bool(rules),
                [rule for rule in rules if rule.is_valid_on(on)],
            )

    def area_id_for(self, *, la_code: int, district: str, postcode: str) -> int | None:
        area_id, has_rules, rules = self._by_la_code.get(la_code, (None, False, []))
        if has_rules and not any(r.matches(district=district, postcode=postcode) for r in rules):
            return None
        return area_id

    def area_id_of_la(self, la_code: int) -> int | None:
        """The area some of whose schools are in this LA, if any."""
        return self._by_la_code.get(la_code, (None,))[0]


class AreaChangesUnconfirmed(Exception):
    """The import would empty an area or move too many of its schools; it
    goes ahead only when confirmed. Nothing was written."""

    def __init__(self, warnings):
        self.warnings = list(warnings)
        count = len(self.warnings)
        super().__init__(
            f"{count} {'area' if count == 1 else 'areas'} would change more than expected"
        )


def school_area_changes(
    rows: list[GiasRow],
    held_schools: dict[int, School],
    area_ids: dict[int, int | None],
    membership: AreaMembership,
) -> list[str]:
    """A warning for each area the rows would leave with no open schools, or
    out of which they would move more than GIAS_MAX_MOVED_SHARE of its open
    schools. `held_schools` is every school held, by URN; `area_ids` each
    open row's new area by URN. Asks the database for area names only when
    there is something to say."""
    held = {
        urn: (school.area_id if school.is_open else None) for urn, school in held_schools.items()
    }
    open_before = Counter(area_id for area_id in held.values() if area_id)
    after = dict(held)
    moved_out = Counter()
    open_rows_in_las = Counter()
    for row in rows:
        if row.status not in OPEN_STATUSES:
            if row.urn in after:
                after[row.urn] = None
            continue
        la_area_id = membership.area_id_of_la(row.la_code)
        if la_area_id:
            open_rows_in_las[la_area_id] += 1
        old_area_id, new_area_id = held.get(row.urn), area_ids[row.urn]
        if old_area_id and old_area_id != new_area_id:
            moved_out[old_area_id] += 1
        after[row.urn] = new_area_id
    open_after = Counter(area_id for area_id in after.values() if area_id)

    day = f"{membership.on:%-d %B %Y}"
    problems = {}
    for area_id in set(open_before) | set(open_rows_in_las):
        before, moved = open_before[area_id], moved_out[area_id]
        if not open_after[area_id] and before:
            problems[area_id] = f"would have no open schools (it has {before} now)"
        elif not open_after[area_id]:
            problems[area_id] = (
                f"would get no open schools, though the file has {open_rows_in_las[area_id]} "
                "open schools in its local authorities"
            )
        elif before and moved / before > settings.GIAS_MAX_MOVED_SHARE:
            problems[area_id] = (
                f"would lose {moved} of its {before} open schools to another area or none, "
                f"more than {settings.GIAS_MAX_MOVED_SHARE:.0%}"
            )
    if not problems:
        return []
    return [
        f"{area.name} {problems[area.pk]}. Check its membership rules for {day}."
        for area in Area.objects.filter(pk__in=problems).order_by("name")
    ]


@transaction.atomic
def school_import_gias(
    *,
    data: bytes,
    encoding: str = DEFAULT_ENCODING,
    extract_date: date | None = None,
    confirm_area_changes: bool = False,
) -> GiasImportResult:
    """Create or update schools from a GIAS extract, all or nothing.

    Open schools are created or updated, each placed in its area (or none)
    by the membership rules valid on `extract_date` (default today). A
    closed row updates the status of a school already held and is skipped
    otherwise. Schools not in the file are left as they are, so a partial
    extract is safe.

    Raises areas.gias.GiasFileError for an unusable file,
    areas.gias.GiasImportError (with .errors) when any row is invalid, and
    AreaChangesUnconfirmed (with .warnings) when the import would empty an
    area or move too many of its schools and `confirm_area_changes` is
    false; whichever it raises, nothing is written.
    """
    rows = gias_csv_parse(data, encoding=encoding)
    membership = AreaMembership(on=extract_date or timezone.localdate())
    area_ids = {
        row.urn: membership.area_id_for(
            la_code=row.la_code, district=row.district, postcode=row.postcode
        )
        for row in rows
        if row.status in OPEN_STATUSES
    }
    # Every school held, once: the area check needs those not in the file too.
    held = School.objects.in_bulk(field_name="urn")
    warnings = school_area_changes(rows, held, area_ids, membership)
    if warnings and not confirm_area_changes:
        raise AreaChangesUnconfirmed(warnings)
    result = GiasImportResult(rows=len(rows), area_warnings=warnings)
    now = timezone.now()
    for start in range(0, len(rows), _BATCH_SIZE):
        _import_batch(rows[start : start + _BATCH_SIZE], held, area_ids, result, now)
    return result


def _import_batch(rows: list[GiasRow], held, area_ids, result, now):
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
        values["area_id"] = area_ids[row.urn]
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
