"""Writes: rosters, encounters and attendance. Keyword-only, atomic.

No function here logs or returns a UPN: rows carry only its keyed hash.
"""

import logging
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.background import ClaimedWork, LostClaim
from core.history import change_record
from core.imports import CsvFileError, LineError, upload_text
from core.models import ChangeAction, UploadPreview
from core.upload_previews import (
    UploadPreviewGone,
    upload_preview_apply,
    upload_preview_store,
    upload_previews_remove_expired,
)
from dashboard.services import summary_refresh_on_commit, summary_refresh_run

from .academic_years import AcademicYear
from .attendance_bulk import (
    attendance_analyze,
    attendance_insert,
    attendance_insert_staged,
    attendance_lock_keys,
    attendance_stage,
)
from .attendance_files import (
    AttendanceLookups,
    attendance_rows,
    pseudonymise_attendance,
    resolve_attendance,
    source_key,
)
from .models import (
    ROSTER_FIELDS,
    Attendance,
    AttendanceUpload,
    EmployerContribution,
    Encounter,
    EncounterType,
    Pupil,
    PupilDataAccess,
    UploadStatus,
    year_group_label,
)
from .roster_files import ROSTER_IMPORT, RosterRow, parse_roster

logger = logging.getLogger(__name__)

# Files with more rows than this are imported by a Celery task.
ATTENDANCE_ASYNC_ROWS = 3000
_COPY_BATCH = 5000


# --- Roster --------------------------------------------------------------


@dataclass
class RosterPlan:
    """What importing a roster would do to the school's pupils."""

    creates: list[RosterRow] = field(default_factory=list)
    updates: list[tuple[Pupil, RosterRow, list[str]]] = field(default_factory=list)
    leavers: list[Pupil] = field(default_factory=list)
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    def summary(self):
        return {
            "creates": [
                {"identifier": r.pupil_identifier, "name": r.display_name, "year": r.year_group}
                for r in self.creates
            ],
            "updates": [
                {"identifier": p.pupil_identifier, "name": r.display_name, "changes": changes}
                for p, r, changes in self.updates
            ],
            "leavers": [
                {"identifier": p.pupil_identifier, "name": p.display_name} for p in self.leavers
            ],
            "unchanged": self.unchanged,
        }


class RosterFileInvalid(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} rows are not valid")
        self.errors = errors


def roster_plan(*, school, rows: list[RosterRow], full_roster: bool, today: date) -> RosterPlan:
    plan = RosterPlan()
    pupils = list(Pupil.objects.filter(school=school))
    by_identifier = {p.pupil_identifier: p for p in pupils}
    by_hash = {p.upn_hash: p for p in pupils}
    for row in rows:
        pupil = by_identifier.get(row.pupil_identifier)
        holder = by_hash.get(row.upn_hash)
        if holder is not None and holder is not pupil:
            plan.errors.append(
                LineError(
                    row.line,
                    f"The UPN belongs to pupil {holder.pupil_identifier} at this school; "
                    "change that pupil's identifier in the file, or this one's",
                )
            )
            continue
        if pupil is None:
            plan.creates.append(row)
            continue
        changes = _roster_changes(pupil, row, today)
        if changes:
            plan.updates.append((pupil, row, changes))
        else:
            plan.unchanged += 1
    if full_roster:
        listed = {row.pupil_identifier for row in rows}
        plan.leavers = [
            p for p in pupils if p.pupil_identifier not in listed and p.is_on_roll(today)
        ]
    return plan


def _roster_changes(pupil: Pupil, row: RosterRow, today: date) -> list[str]:
    changes = []
    if pupil.on_roll_until is not None:
        changes.append("back on roll")
    if pupil.reception_year != Pupil.derive_reception_year(row.year_group, today):
        changes.append(f"year group to {year_group_label(row.year_group)}")
    if pupil.upn_hash != row.upn_hash:
        changes.append("UPN")
    if pupil.display_name != row.display_name:
        changes.append("name")
    if pupil.disadvantaged != row.disadvantaged:
        changes.append("disadvantaged" if row.disadvantaged else "no longer disadvantaged")
    if pupil.send != row.send:
        changes.append("SEND")
    if row.tutor_group is not None and pupil.tutor_group != row.tutor_group:
        changes.append(f"group to {row.tutor_group}" if row.tutor_group else "no group")
    return changes


@transaction.atomic
def roster_import(
    *, school, rows: list[RosterRow], full_roster: bool, today: date | None = None
) -> RosterPlan:
    """Upsert pupils by the school's identifier. A full roster marks pupils
    missing from it as off roll (never deletes them). All or nothing."""
    today = today or timezone.localdate()
    Pupil.objects.select_for_update().filter(school=school).exists()
    plan = roster_plan(school=school, rows=rows, full_roster=full_roster, today=today)
    if plan.errors:
        raise RosterFileInvalid(plan.errors)
    reception = Pupil.derive_reception_year
    start_of_year = AcademicYear.of(today).start
    Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                pupil_identifier=row.pupil_identifier,
                upn_hash=row.upn_hash,
                display_name=row.display_name,
                year_group=row.year_group,
                year_group_on=today,
                reception_year=reception(row.year_group, today),
                disadvantaged=row.disadvantaged,
                send=row.send,
                tutor_group=row.tutor_group or "",
                on_roll_from=min(
                    date.fromisoformat(row.entry_date) if row.entry_date else start_of_year, today
                ),
            )
            for row in plan.creates
        ]
    )
    for pupil, row, _ in plan.updates:
        pupil.upn_hash = row.upn_hash
        pupil.display_name = row.display_name
        if pupil.reception_year != reception(row.year_group, today):
            pupil.year_group, pupil.year_group_on = row.year_group, today
            pupil.reception_year = reception(row.year_group, today)
        pupil.disadvantaged = row.disadvantaged
        pupil.send = row.send
        if row.tutor_group is not None:
            pupil.tutor_group = row.tutor_group
        pupil.on_roll_until = None
        pupil.updated_at = timezone.now()
    Pupil.objects.bulk_update(
        [pupil for pupil, _, _ in plan.updates],
        [*ROSTER_FIELDS, "tutor_group", "on_roll_until", "updated_at"],
    )
    for pupil in plan.leavers:
        pupil.on_roll_until = max(pupil.on_roll_from, today - timedelta(days=1))
        pupil.updated_at = timezone.now()
    Pupil.objects.bulk_update(plan.leavers, ["on_roll_until", "updated_at"])
    summary_refresh_on_commit(school_id=school.pk)
    logger.info(
        "Roster import for school %s: %d created, %d updated, %d off roll",
        school.urn,
        len(plan.creates),
        len(plan.updates),
        len(plan.leavers),
    )
    return plan


def roster_import_preview(
    *, school, user, file_name: str, data: bytes, full_roster: bool
) -> UploadPreview:
    """Parse and check a roster file and keep it for the uploader to confirm;
    nothing is written to the roster. Raises CsvFileError or RosterFileInvalid."""
    rows, errors = parse_roster(upload_text(data, ROSTER_IMPORT.upload_format))
    if errors:
        raise RosterFileInvalid(errors)
    plan = roster_plan(
        school=school, rows=rows, full_roster=full_roster, today=timezone.localdate()
    )
    if plan.errors:
        raise RosterFileInvalid(plan.errors)
    return upload_preview_store(
        kind=ROSTER_IMPORT.name,
        user=user,
        school=school,
        file_name=file_name,
        options={"full_roster": full_roster},
        content={"rows": [row.as_dict() for row in rows]},
        summary=plan.summary(),
    )


def roster_import_confirm(*, preview: UploadPreview, user) -> RosterPlan:
    """Apply a previewed import once. The stored rows were checked when the
    file was read and are planned again against the roster as it is now."""
    if preview.uploaded_by_id != user.pk or preview.kind != ROSTER_IMPORT.name:
        raise ValidationError("This import is not yours to apply")

    def apply(preview):
        rows = [RosterRow(**row) for row in preview.content["rows"]]
        return roster_import(
            school=preview.school, rows=rows, full_roster=preview.options["full_roster"]
        )

    try:
        return upload_preview_apply(preview=preview, apply=apply)
    except UploadPreviewGone as gone:
        raise ValidationError(str(gone)) from None


def pupils_remove_expired(*, today: date | None = None) -> int:
    """Delete pupils who left more than PUPIL_RETENTION_DAYS ago, with their
    attendance, and the access log's rows older than that period (ADR 0013),
    and uploads checked but never confirmed in their lifetime (ADR 0014).
    Returns the number of pupils deleted."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.PUPIL_RETENTION_DAYS)
    with transaction.atomic():
        expired = Pupil.objects.filter(on_roll_until__lt=cutoff)
        for school_id in expired.values_list("school_id", flat=True).distinct():
            summary_refresh_on_commit(school_id=school_id)
        Attendance.objects.filter(pupil__in=expired).delete()
        deleted, _ = expired.delete()
        start_of_cutoff = datetime.combine(cutoff, time.min, tzinfo=timezone.get_current_timezone())
        PupilDataAccess.objects.filter(accessed_at__lt=start_of_cutoff).delete()
        # Unconfirmed roster files hold names and UPN hashes too.
        upload_previews_remove_expired()
    return deleted


def pupil_data_access_record(
    *,
    user,
    school_id: int | None,
    channel: str,
    view_name: str,
    method: str,
    path: str,
    object_id: str,
    query: dict,
    status_code: int,
    pupil_count: int | None,
) -> PupilDataAccess:
    """One row of the access log: a single INSERT, so it fits every page's
    and endpoint's query budget. Over-long text from the address is cut to
    fit rather than failing the request."""
    texts = {"view_name": view_name, "method": method, "path": path, "object_id": object_id}
    fitted = {
        name: text[: PupilDataAccess._meta.get_field(name).max_length]
        for name, text in texts.items()
    }
    return PupilDataAccess.objects.create(
        user=user,
        role=user.role,
        school_id=school_id,
        channel=channel,
        query=query,
        status_code=status_code,
        pupil_count=pupil_count,
        **fitted,
    )


# --- Encounters ----------------------------------------------------------


def _check_pupils(*, school, pupils, on: date):
    outsiders = [p for p in pupils if p.school_id != school.pk]
    if outsiders:
        raise ValidationError({"pupils": "Choose pupils from this school only"})
    off_roll = [p for p in pupils if not p.is_on_roll(on)]
    if off_roll:
        names = ", ".join(p.pupil_identifier for p in off_roll[:5])
        raise ValidationError({"pupils": f"These pupils were not on roll on that date: {names}"})


def _lock_pupils(pupil_ids):
    """Attendance has no database foreign keys (see the model): hold the
    pupils for the transaction as the constraint would."""
    list(Pupil.objects.filter(pk__in=pupil_ids).select_for_update(no_key=True).values("pk"))


def _encounter_history(encounter: Encounter, employers, pupil_count: int) -> dict:
    return {
        "date": encounter.date.isoformat(),
        "type": encounter.encounter_type.name,
        "title": encounter.title,
        "employers": ", ".join(sorted(e.name for e in employers)) or None,
        "delivered through": encounter.get_delivered_through_display(),
        "duration (minutes)": encounter.duration_minutes,
        "pupils": pupil_count,
        "meaningful criteria met": ", ".join(encounter.meaningful_criteria) or None,
    }


def _encounter_fill(
    encounter: Encounter,
    *,
    date: date,
    encounter_type: EncounterType,
    title: str,
    delivered_through: str,
    pupils,
    employers=(),
    duration_minutes: int | None = None,
    meaningful_criteria=(),
) -> list:
    """What recording and editing an encounter share: check the pupils (at
    least one, on the school's roll that day) and the details, save them
    and set the employers. Returns the pupils as a list."""
    pupils = list(pupils)
    if not pupils:
        raise ValidationError({"pupils": "Choose at least one pupil"})
    _check_pupils(school=encounter.school, pupils=pupils, on=date)
    encounter.date = date
    encounter.encounter_type = encounter_type
    encounter.title = title
    encounter.delivered_through = delivered_through
    encounter.duration_minutes = duration_minutes
    encounter.meaningful_criteria = sorted(meaningful_criteria)
    encounter.full_clean(exclude=["employers", "recorded_by"])
    encounter.save()
    encounter.employers.set(employers)
    return pupils


@transaction.atomic
def encounter_record(*, school, user, **details) -> Encounter:
    """Record an encounter and the pupils (one, a class or a year group) who
    took part. ``details`` are ``_encounter_fill``'s: date, encounter_type,
    title, delivered_through, pupils, and optionally employers,
    duration_minutes and meaningful_criteria (Gatsby, ADR 0025)."""
    encounter = Encounter(school=school, recorded_by=user)
    pupils = _encounter_fill(encounter, **details)
    employers = details.get("employers", ())
    _lock_pupils([p.pk for p in pupils])
    Attendance.objects.bulk_create([Attendance(encounter=encounter, pupil=p) for p in pupils])
    change_record(
        obj=encounter,
        user=user,
        action=ChangeAction.CREATED,
        after=_encounter_history(encounter, employers, len(pupils)),
        area=school.area,
        school=school,
    )
    summary_refresh_on_commit(school_id=school.pk, since_year=encounter.academic_year)
    return encounter


class EncounterBatchError(Exception):
    """Some records of a batch were refused, so none was recorded.

    ``errors`` has one entry per record, in order: the ValidationError that
    refused it, or None for a record that was valid."""

    def __init__(self, errors: list[ValidationError | None]):
        super().__init__(f"{sum(e is not None for e in errors)} of {len(errors)} records refused")
        self.errors = errors


def encounters_record_all(*, user, records: list[dict]) -> list[Encounter]:
    """Record many encounters all or nothing: each record holds
    encounter_record's keyword arguments but ``user``. Every record is tried,
    so one answer names every refused record (EncounterBatchError); then the
    whole batch is rolled back."""
    errors: list[ValidationError | None] = [None] * len(records)
    created = []
    with transaction.atomic():  # raising EncounterBatchError rolls it all back
        for index, values in enumerate(records):
            try:
                created.append(encounter_record(user=user, **values))
            except ValidationError as error:
                errors[index] = error
        if any(errors):
            raise EncounterBatchError(errors)
    return created


@transaction.atomic
def encounter_update(*, encounter: Encounter, user, **details) -> Encounter:
    """Change an encounter's details and pupils (``details`` as for
    ``encounter_record``)."""
    encounter = Encounter.objects.select_for_update().get(pk=encounter.pk)
    year_before = encounter.academic_year
    before = _encounter_history(
        encounter, list(encounter.employers.all()), encounter.attendances.count()
    )
    pupils = _encounter_fill(encounter, **details)
    employers = details.get("employers", ())
    wanted = {p.pk for p in pupils}
    encounter.attendances.exclude(pupil_id__in=wanted).delete()
    present = set(encounter.attendances.values_list("pupil_id", flat=True))
    _lock_pupils(sorted(wanted - present))
    Attendance.objects.bulk_create(
        [Attendance(encounter=encounter, pupil_id=pk) for pk in wanted - present]
    )
    change_record(
        obj=encounter,
        user=user,
        action=ChangeAction.UPDATED,
        before=before,
        after=_encounter_history(encounter, employers, len(wanted)),
        area=encounter.school.area,
        school=encounter.school,
    )
    summary_refresh_on_commit(
        school_id=encounter.school_id, since_year=min(year_before, encounter.academic_year)
    )
    return encounter


@transaction.atomic
def encounter_delete(*, encounter: Encounter, user) -> None:
    before = _encounter_history(
        encounter, list(encounter.employers.all()), encounter.attendances.count()
    )
    change_record(
        obj=encounter,
        user=user,
        action=ChangeAction.DELETED,
        before=before,
        area=encounter.school.area,
        school=encounter.school,
    )
    summary_refresh_on_commit(school_id=encounter.school_id, since_year=encounter.academic_year)
    encounter.delete()


# --- Attendance files ----------------------------------------------------


@dataclass
class AttendanceImportResult:
    rows: int = 0
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    encounters_created: int = 0
    attendances_created: int = 0

    @property
    def ok(self):
        return self.error_count == 0


def attendance_import(
    *, school, text: str, user=None, today: date | None = None, progress=None
) -> AttendanceImportResult:
    """Import an attendance file: all or nothing, and idempotent (the same
    file twice creates nothing the second time). Raises CsvFileError when
    the file cannot be read at all.

    UPNs are replaced by their keyed hashes before anything else. On
    PostgreSQL a file goes through the bulk path (attendance_bulk); a file
    it cannot take, and any file with a bad row, is read line by line,
    which names every bad line."""
    today = today or timezone.localdate()
    text = pseudonymise_attendance(text)
    lookups = AttendanceLookups(school=school, today=today)
    result = AttendanceImportResult()
    with transaction.atomic():
        staged = None
        if connection.vendor == "postgresql":
            staged = attendance_stage(text=text, lookups=lookups)
        if staged is not None:
            result.rows, groups = staged.rows, staged.groups
            if progress is not None:
                progress(staged.rows)
            encounter_ids, new = _encounters_merge(school=school, groups=groups, user=user)
            result.attendances_created = attendance_insert_staged(
                staged=staged, encounter_ids=encounter_ids, new=new
            )
        else:
            resolved = resolve_attendance(
                school=school, text=text, today=today, progress=progress, lookups=lookups
            )
            result.rows, groups = resolved.rows, resolved.groups
            if resolved.error_count:
                result.errors, result.error_count = resolved.errors, resolved.error_count
                return result
            encounter_ids, new = _encounters_merge(school=school, groups=groups, user=user)
            resolved.buffer.seek(0)
            result.attendances_created = _attendance_merge(
                resolved.buffer, encounter_ids, new, sorted(resolved.pupil_ids)
            )
        result.encounters_created = sum(new)
        if result.attendances_created:
            attendance_analyze()
        # Large files are already in a worker: refresh in the same transaction.
        summary_refresh_run(
            school_id=school.pk,
            since_year=min(
                (AcademicYear.of(group[0]).start_year for group in groups), default=None
            ),
        )
    logger.info(
        "Attendance import for school %s: %d rows, %d encounters and %d attendances created",
        school.urn,
        result.rows,
        result.encounters_created,
        result.attendances_created,
    )
    return result


def _encounters_merge(*, school, groups, user) -> tuple[list[int], list[bool]]:
    """The encounter id for each group, creating the ones not yet there,
    and whether this import created it."""
    type_codes = dict(EncounterType.objects.values_list("pk", "code"))
    keys = [source_key(group, type_codes) for group in groups]
    existing = dict(
        Encounter.objects.filter(school=school, source_key__in=keys).values_list("source_key", "pk")
    )
    new = []
    for key, (when, type_id, title, _employer, programme) in zip(keys, groups, strict=True):
        if key in existing:
            continue
        new.append(
            Encounter(
                school=school,
                date=when,
                academic_year=AcademicYear.of(when).start_year,
                encounter_type_id=type_id,
                title=title,
                delivered_through=programme,
                source_key=key,
                recorded_by=user,
            )
        )
    Encounter.objects.bulk_create(new, ignore_conflicts=True)
    ids = dict(
        Encounter.objects.filter(school=school, source_key__in=keys).values_list("source_key", "pk")
    )
    Link = Encounter.employers.through
    Link.objects.bulk_create(
        [
            Link(encounter_id=ids[key], organisation_id=group[3])
            for key, group in zip(keys, groups, strict=True)
            if group[3] and key not in existing
        ],
        ignore_conflicts=True,
    )
    return [ids[key] for key in keys], [key not in existing for key in keys]


def _attendance_merge(buffer, encounter_ids: list[int], new: list[bool], pupil_ids) -> int:
    if connection.vendor == "postgresql":
        return _attendance_merge_postgresql(buffer, encounter_ids, new, pupil_ids)
    return _attendance_merge_portable(buffer, encounter_ids, new, pupil_ids)


def _attendance_merge_postgresql(buffer, encounter_ids: list[int], new, pupil_ids) -> int:
    """COPY the checked rows ("group index<TAB>pupil id") into a temporary
    staging table, then INSERT ... SELECT into the attendance table."""
    with connection.cursor() as cursor:
        attendance_lock_keys(cursor, pupil_ids=pupil_ids, encounter_ids=encounter_ids)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.encounters_attendance_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE encounters_attendance_rows "
            "(group_index integer NOT NULL, pupil_id bigint NOT NULL) ON COMMIT DROP"
        )
        cursor.copy_expert(
            "COPY encounters_attendance_rows (group_index, pupil_id) FROM STDIN", buffer
        )
        created = attendance_insert(
            cursor,
            select=(
                "SELECT groups.encounter_id, staging.pupil_id "
                "FROM encounters_attendance_rows AS staging "
                "JOIN unnest(%s::integer[], %s::bigint[], %s::boolean[]) "
                "AS groups (group_index, encounter_id, is_new) USING (group_index) "
            ),
            params=[list(range(len(encounter_ids))), encounter_ids, new],
            new=new,
        )
        cursor.execute("DROP TABLE pg_temp.encounters_attendance_rows")
    return created


def _attendance_merge_portable(buffer, encounter_ids: list[int], new, pupil_ids) -> int:
    """The same result on any database: batched INSERT OR IGNORE."""
    before = Attendance.objects.filter(encounter_id__in=set(encounter_ids)).count()
    batch = []
    for line in buffer:
        group_index, pupil_id = line.split("\t")
        encounter_id = encounter_ids[int(group_index)]
        batch.append(Attendance(encounter_id=encounter_id, pupil_id=int(pupil_id)))
        if len(batch) >= _COPY_BATCH:
            Attendance.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Attendance.objects.bulk_create(batch, ignore_conflicts=True)
    return Attendance.objects.filter(encounter_id__in=set(encounter_ids)).count() - before


def upload_progress_key(upload_id: int) -> str:
    return f"encounters:attendance-upload:{upload_id}:rows-checked"


@transaction.atomic
def attendance_upload_create(*, school, user, file_name: str, data: bytes) -> AttendanceUpload:
    """Store an attendance file with its UPNs already hashed, then import it
    now (small files) or in a Celery task once this transaction commits.
    Raises CsvFileError, storing nothing, when the file cannot be read."""
    text = upload_text(data)
    payload, rows = pseudonymise_attendance(text), attendance_rows(text)
    if not rows:
        raise CsvFileError("The selected file has no rows in it")
    upload = AttendanceUpload.objects.create(
        school=school,
        uploaded_by=user,
        file_name=file_name[:200],
        rows_total=rows,
        payload=zlib.compress(payload.encode()),
    )
    if rows <= ATTENDANCE_ASYNC_ROWS:
        attendance_upload_process(upload_id=upload.pk, task_id=upload.task_id)
        upload.refresh_from_db()
    else:
        transaction.on_commit(partial(attendance_upload_enqueue, upload.pk, upload.task_id))
    return upload


def attendance_upload_enqueue(upload_id: int, task_id: str) -> None:
    from .tasks import attendance_upload_run

    attendance_upload_run.apply_async(args=[upload_id], task_id=task_id)


def attendance_upload_process(*, upload_id: int, task_id: str) -> bool:
    """Import a stored upload. Claims it first, and records the result in
    the import's own transaction only while the claim holds: whenever its
    worker is killed, the file is imported once or not at all, and the
    next claim imports it. False if another task has it."""
    if not ATTENDANCE_UPLOADS.claim(upload_id, task_id):
        return False
    upload = AttendanceUpload.objects.select_related("school").get(pk=upload_id)
    key = upload_progress_key(upload_id)
    text = zlib.decompress(bytes(upload.payload)).decode()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    result = attendance_import(
                        school=upload.school,
                        text=text,
                        user=upload.uploaded_by,
                        progress=lambda rows: cache.set(key, rows, timeout=3600),
                    )
            except CsvFileError as error:
                # Checked when it was uploaded, so only a file read differently
                # since: it fails like a file with bad rows, rather than staying
                # in progress for ever.
                result = AttendanceImportResult(errors=[LineError(error.line or 1, str(error))])
                result.error_count = 1
            recorded = ATTENDANCE_UPLOADS.held(upload_id, task_id).update(
                status=UploadStatus.DONE if result.ok else UploadStatus.FAILED,
                errors=[list(error) for error in result.errors],
                encounters_created=result.encounters_created,
                attendances_created=result.attendances_created,
                payload=b"",
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            if not recorded:
                raise LostClaim()
    except LostClaim:
        logger.warning("Attendance upload %s: task %s lost its claim", upload_id, task_id)
        return False
    finally:
        cache.delete(key)
    logger.info("Attendance upload %s imported under task %s", upload_id, task_id)
    return True


def _uploads_fail(uploads, message: str) -> None:
    uploads.update(
        status=UploadStatus.FAILED,
        error_message=message,
        payload=b"",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


ATTENDANCE_UPLOADS = ClaimedWork(
    model=AttendanceUpload,
    pending=UploadStatus.PENDING,
    running=UploadStatus.PROCESSING,
    enqueue=attendance_upload_enqueue,
    fail=_uploads_fail,
)


# --- Employer contribution ---------------------------------------------------

CONTRIBUTION_FIGURES = (
    "volunteers",
    "volunteer_hours",
    "placements_offered",
    "placements_taken",
    "schools_reached",
)


@transaction.atomic
def employer_contribution_record(
    *, area, organisation, academic_year: int, user, **figures
) -> EmployerContribution:
    """Record (or correct) what an employer gave the area in an academic
    year: one row per employer, area and year, with its history."""
    from partners.models import EMPLOYER_KINDS

    if organisation.kind not in EMPLOYER_KINDS:
        raise ValidationError({"organisation": "Select an employer"})
    if organisation.area_id not in (None, area.pk):
        raise ValidationError({"organisation": "Select an employer of this area"})
    contribution = (
        EmployerContribution.objects.select_for_update()
        .filter(organisation=organisation, area=area, academic_year=academic_year)
        .first()
    )
    created = contribution is None
    if created:
        contribution = EmployerContribution(
            organisation=organisation, area=area, academic_year=academic_year
        )
    before = {name: getattr(contribution, name) for name in CONTRIBUTION_FIGURES}
    for name in CONTRIBUTION_FIGURES:
        setattr(contribution, name, figures[name])
    contribution.recorded_by = user
    contribution.full_clean()
    contribution.save()
    change_record(
        obj=contribution,
        user=user,
        action=ChangeAction.CREATED if created else ChangeAction.UPDATED,
        before=None if created else before,
        after={name: getattr(contribution, name) for name in CONTRIBUTION_FIGURES},
        area=area,
    )
    return contribution
