"""Reading an attendance file: one row per pupil per encounter.

Columns: pupil identifier or UPN (either column, or both), date, type,
employer (optional), title, delivered through (optional). Rows with the
same date, type, title, employer and programme are one encounter.

`pseudonymise_attendance` replaces the UPN column by keyed hashes first;
nothing later sees a UPN. `AttendanceLookups` is the one place a row's cells
are checked, for both paths: the bulk path (attendance_bulk, PostgreSQL)
checks each distinct value once, and `resolve_attendance`, the line-by-line
path, checks each row and names the lines that are wrong. Both cache every
lookup, and the line-by-line path writes each good row straight into a COPY
buffer as "group<TAB>pupil id".
"""

import csv
import dataclasses
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat

from core.imports import (
    CELL_MAX_CHARACTERS,
    DATE_FORMS,
    CellError,
    Column,
    CsvFileError,
    CsvTable,
    ImportSpec,
    LineError,
    Record,
    cell_problem,
    column_positions,
    csv_records,
    date_cell,
    normalise_line_endings,
)
from partners.models import EMPLOYER_KINDS, Organisation

from .models import EncounterType, Programme, Pupil
from .pseudonymisation import InvalidUPN, upn_hash

UPN_HASH_HEADER = "UPN hash"
_ONE_OF_THE_PUPIL_COLUMNS = "Give the pupil identifier column, the UPN column, or both."
ATTENDANCE_IMPORT = ImportSpec(
    name="attendance",
    columns=(
        Column(
            "pupil_identifier",
            "Pupil identifier",
            ("pupil_id", "identifier", "admission_number"),
            holds=f"Your identifier for the pupil, as in the roster. {_ONE_OF_THE_PUPIL_COLUMNS}",
            example="ADM0001",
        ),
        Column(
            "upn",
            "UPN",
            ("unique_pupil_number",),
            holds=f"The pupil's UPN, if the file has no identifier. {_ONE_OF_THE_PUPIL_COLUMNS}",
            example="",
        ),
        Column("upn_hash", UPN_HASH_HEADER),
        Column(
            "date",
            "Date",
            ("encounter_date", "date_of_encounter"),
            required=True,
            holds=f"The day of the encounter: {DATE_FORMS}. Today or earlier.",
            example="14/03/2018",
        ),
        Column(
            "type",
            "Type",
            ("encounter_type", "activity_type"),
            required=True,
            holds="The encounter type's name or code, such as Employer talk.",
            example="Employer talk",
        ),
        Column(
            "employer",
            "Employer",
            ("employer_name", "organisation"),
            holds="Optional. The employer's name as the service knows it.",
            example="",
        ),
        Column(
            "title",
            "Title",
            ("activity", "encounter_title", "name"),
            required=True,
            holds="What the encounter was (200 characters or fewer).",
            example="Careers in banking",
        ),
        Column(
            "delivered_through",
            "Delivered through",
            ("programme", "delivered_by"),
            holds="Optional. CEC, ELS, NCS, school or other; blank is the school's own.",
            example="school",
        ),
    ),
)
# What the upload page lists and the template file holds: the columns people
# fill in (the UPN hash column is the service's own, written by
# pseudonymise_attendance).
ATTENDANCE_TEMPLATE = dataclasses.replace(
    ATTENDANCE_IMPORT,
    columns=tuple(c for c in ATTENDANCE_IMPORT.columns if c.key != "upn_hash"),
)
# What str.strip removes from a line that has no cells in it.
BLANK_CELLS = " ,\t\r"
INVALID_UPN = "!invalid"
MAX_ERRORS = 500
PROGRESS_EVERY = 50_000


@dataclass
class ResolvedAttendance:
    """The outcome of the validating pass."""

    rows: int = 0
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0
    # One entry per encounter: (date, type, title, employer id, programme).
    groups: list[tuple] = field(default_factory=list)
    # "group index<TAB>pupil id\n" per good row, ready for COPY.
    buffer: io.StringIO = field(default_factory=io.StringIO)
    pupil_ids: set[int] = field(default_factory=set)

    def add_error(self, line, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line, message))


def attendance_columns(header: list[str]) -> dict[str, int]:
    """Where each column the import reads is, or a CsvFileError saying what
    the header lacks."""
    positions = column_positions(header, ATTENDANCE_IMPORT.spellings)
    pupil_columns = {"upn", "upn_hash", "pupil_identifier"} & positions.keys()
    ATTENDANCE_IMPORT.check_header(
        positions, also_missing=() if pupil_columns else ("'Pupil identifier' or 'UPN'",)
    )
    if {"upn", "upn_hash"} <= positions.keys():
        raise CsvFileError("The file must have a UPN column or a UPN hash column, not both")
    return positions


def attendance_table(text: str) -> CsvTable:
    """The file's header and rows, its columns checked."""
    table = ATTENDANCE_IMPORT.table(text)
    attendance_columns(table.header.cells)
    return table


def _hash_or_invalid(upn: str) -> str:
    try:
        return upn_hash(upn)
    except InvalidUPN:
        return INVALID_UPN


def attendance_rows(text: str) -> int:
    """How many rows with something in them the file has (for progress and
    for choosing between importing now and in a task)."""
    if '"' in text:
        return sum(1 for _ in attendance_table(text).rows())
    lines = text.split("\n")[1:]
    return sum(1 for line in map(str.strip, lines, repeat(BLANK_CELLS)) if line)


def pseudonymise_attendance(text: str) -> str:
    """The file with LF line endings and its UPN column replaced by a UPN
    hash column (keyed hashes; an invalid UPN becomes a marker).

    Every line stays where it was, so errors found later still name the
    lines of the file as uploaded. A file without quotes is rewritten line
    by line with str.split, several times faster than the csv module; a
    file with quoted fields goes through the csv module.
    """
    text = normalise_line_endings(text)
    lines = text.split("\n")
    if max(map(len, lines)) > CELL_MAX_CHARACTERS:
        _refuse_long_cells(lines)
    table = attendance_table(text)
    index = table.positions.get("upn")
    if index is None:
        return text
    if '"' in text:
        return _pseudonymise_csv(text, index)
    header = table.header.line - 1
    names = lines[header].split(",")
    names[index] = UPN_HASH_HEADER
    lines[header] = ",".join(names)
    hashes: dict[str, str] = {}
    for number in range(header + 1, len(lines)):
        # Split no further than the UPN: the rest of the line stays one string.
        fields = lines[number].split(",", index + 1)
        if len(fields) <= index:
            continue
        upn = fields[index].strip()
        if not upn:
            continue
        hashed = hashes.get(upn)
        if hashed is None:
            hashed = hashes[upn] = _hash_or_invalid(upn)
        fields[index] = hashed
        lines[number] = ",".join(fields)
    return "\n".join(lines)


def _refuse_long_cells(lines: list[str]) -> None:
    """The csv module cannot read a cell longer than its limit, though COPY
    could: refuse such a file whichever path would read it."""
    for number, line in enumerate(lines, start=1):
        if len(line) > CELL_MAX_CHARACTERS and any(
            len(cell) > CELL_MAX_CHARACTERS for cell in line.split(",")
        ):
            raise CsvFileError(
                f"Line {number} is not valid CSV (a cell is longer than "
                f"{CELL_MAX_CHARACTERS:,} characters), so the file cannot be read",
                line=number,
            )


def _pseudonymise_csv(text: str, index: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    hashes: dict[str, str] = {}
    header_seen = False
    for record in csv_records(text):
        fields = record.cells
        if not header_seen:
            if record.is_blank:
                writer.writerow(fields)
                continue
            header_seen = True
            fields[index] = UPN_HASH_HEADER
        elif index < len(fields):
            upn = fields[index].strip()
            if upn:
                hashed = hashes.get(upn)
                if hashed is None:
                    hashed = hashes[upn] = _hash_or_invalid(upn)
                fields[index] = hashed
        writer.writerow(fields)
    return buffer.getvalue()


def _programmes():
    lookup = {}
    for choice in Programme:
        lookup[choice.value] = choice.value
        lookup[choice.label.lower()] = choice.value
    lookup.update({"school": Programme.SCHOOL, "schools own": Programme.SCHOOL, "": None})
    return lookup


class AttendanceLookups:
    """What a row's cells are checked against: the school's pupils, the
    encounter types, employers and programmes. Both import paths resolve
    cells through these two methods, so they accept and refuse the same
    rows with the same messages."""

    def __init__(self, *, school, today: date, default_programme: str = Programme.SCHOOL):
        self.today = today
        self.default_programme = default_programme
        self.by_identifier, self.by_hash = {}, {}
        for pk, identifier, hashed, joined, left in Pupil.objects.filter(school=school).values_list(
            "pk", "pupil_identifier", "upn_hash", "on_roll_from", "on_roll_until"
        ):
            self.by_identifier[identifier] = (pk, joined, left)
            self.by_hash[hashed] = (pk, joined, left)
        self.types = {}
        for encounter_type in EncounterType.objects.all():
            self.types[encounter_type.code] = encounter_type.pk
            self.types[encounter_type.name.lower()] = encounter_type.pk
        self.employers = {}
        for pk, name in Organisation.objects.filter(kind__in=list(EMPLOYER_KINDS)).values_list(
            "pk", "name"
        ):
            self.employers.setdefault(name.strip().lower(), pk)
        self.programmes = _programmes()
        self._dates: dict[str, date | str] = {}

    def pupil(self, identifier: str, hashed: str) -> tuple[tuple | None, str | None]:
        """(pk, on roll from, on roll until) of the pupil named by the
        identifier or the UPN's keyed hash, or the problem."""
        if hashed == INVALID_UPN:
            return None, "the UPN is not valid"
        if hashed:
            pupil = self.by_hash.get(hashed)
            return pupil, None if pupil else "no pupil at this school has that UPN"
        if identifier:
            pupil = self.by_identifier.get(identifier)
            return pupil, None if pupil else (
                f"no pupil at this school has the identifier {identifier}"
            )
        return None, "enter the pupil identifier or UPN"

    def date(self, raw: str) -> date | str:
        """The date, or the problem with it."""
        when = self._dates.get(raw)
        if when is None:
            try:
                parsed = date_cell(raw)
            except CellError as error:
                when = cell_problem("the date", raw, error)
            else:
                when = parsed if parsed <= self.today else "the date must be today or in the past"
            self._dates[raw] = when
        return when

    def encounter(
        self, raw_date: str, raw_type: str, raw_title: str, raw_employer: str, raw_programme
    ) -> tuple[tuple | None, list[str]]:
        """The encounter a row belongs to, (date, type id, title, employer id
        or 0, programme), or the problems with its cells. `raw_programme` is
        None when the file has no such column."""
        problems = []
        when = self.date(raw_date.strip())
        if isinstance(when, str):
            problems.append(when)
        type_id = self.types.get(raw_type.strip().lower())
        if type_id is None:
            problems.append(f"unknown encounter type '{raw_type.strip()}'")
        title = raw_title.strip()
        if not title:
            problems.append("enter the title")
        elif len(title) > 200:
            problems.append("the title must be 200 characters or fewer")
        employer_id = 0
        raw_employer = raw_employer.strip()
        if raw_employer:
            employer_id = self.employers.get(raw_employer.lower())
            if employer_id is None:
                problems.append(f"unknown employer '{raw_employer}'")
        programme = self.default_programme
        if raw_programme is not None:
            programme = self.programmes.get(raw_programme.strip().lower(), "")
            if programme == "":
                problems.append("delivered through must be CEC, ELS, NCS, school or other")
            programme = programme or self.default_programme
        if problems:
            return None, problems
        return (when, type_id, title, employer_id, programme), problems


def _on_roll(pupil: tuple, when: date) -> bool:
    return pupil[1] <= when and (pupil[2] is None or when <= pupil[2])


def not_on_roll_problem(when: date) -> str:
    return f"the pupil was not on roll on {when:%-d %B %Y}"


def resolve_attendance(
    *,
    school,
    text: str,
    today: date,
    default_programme: str = Programme.SCHOOL,
    progress: Callable[[int], None] | None = None,
    lookups: AttendanceLookups | None = None,
) -> ResolvedAttendance:
    """Check every row in Python, naming each bad row's line: the path for
    files the bulk path cannot stage, and for the errors of any file."""
    table = attendance_table(normalise_line_endings(text))
    positions = table.positions
    lookups = lookups or AttendanceLookups(
        school=school, today=today, default_programme=default_programme
    )

    i_upn, i_hash, i_id = (positions.get(c) for c in ("upn", "upn_hash", "pupil_identifier"))
    i_date, i_type, i_title = positions["date"], positions["type"], positions["title"]
    i_employer, i_programme = positions.get("employer"), positions.get("delivered_through")

    result = ResolvedAttendance()
    write = result.buffer.write
    pupil_ids = result.pupil_ids
    group_index: dict[tuple, int] = {}
    encounters: dict[tuple, tuple] = {}
    pupils: dict[tuple, tuple] = {}
    hashes: dict[str, str] = {}
    width = table.width

    for line, fields in table.rows():
        if len(fields) != width:
            width_problem = table.width_problem(Record(line, fields))
            if width_problem:
                result.rows += 1
                result.add_error(line, _sentence([width_problem]))
                continue
            fields = fields + [""] * (width - len(fields))
        hashed = fields[i_hash].strip() if i_hash is not None else ""
        upn = fields[i_upn].strip() if i_upn is not None else ""
        if upn:
            hashed = hashes.get(upn)
            if hashed is None:
                hashed = hashes[upn] = _hash_or_invalid(upn)
        identifier = fields[i_id].strip() if i_id is not None else ""
        encounter_key = (
            fields[i_date],
            fields[i_type],
            fields[i_title],
            fields[i_employer] if i_employer is not None else "",
            fields[i_programme] if i_programme is not None else None,
        )
        read = "".join(encounter_key[:4]) + (encounter_key[4] or "")
        if not (identifier or hashed or read.strip()):
            continue  # no cell the import reads has anything: a blank row
        result.rows += 1
        if progress is not None and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows)
        pupil_key = (identifier, hashed)
        resolved_pupil = pupils.get(pupil_key)
        if resolved_pupil is None:
            resolved_pupil = pupils[pupil_key] = lookups.pupil(identifier, hashed)
        pupil, pupil_problem = resolved_pupil

        resolved_encounter = encounters.get(encounter_key)
        if resolved_encounter is None:
            resolved_encounter = encounters[encounter_key] = lookups.encounter(*encounter_key)
        key, encounter_problems = resolved_encounter

        if pupil_problem or encounter_problems or (pupil and key and not _on_roll(pupil, key[0])):
            problems = [pupil_problem] if pupil_problem else []
            date_problem = lookups.date(fields[i_date].strip())
            if isinstance(date_problem, str):
                problems.append(date_problem)
            elif pupil is not None and not _on_roll(pupil, date_problem):
                problems.append(not_on_roll_problem(date_problem))
            problems += [p for p in encounter_problems if p != date_problem]
            result.add_error(line, _sentence(problems))
            continue
        index = group_index.get(key)
        if index is None:
            index = group_index[key] = len(result.groups)
            result.groups.append(key)
        write(f"{index}\t{pupil[0]}\n")
        pupil_ids.add(pupil[0])
    if result.rows == 0:
        raise CsvFileError("The selected file has no rows in it")
    return result


def source_key(group: tuple, type_codes: dict[int, str]) -> str:
    """Stable identity of an uploaded encounter within its school."""
    when, type_id, title, employer_id, programme = group
    text = f"{when.isoformat()}|{type_codes[type_id]}|{title}|{employer_id}|{programme}"
    return hashlib.sha256(text.encode()).hexdigest()


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[:1].upper() + text[1:]
