"""Reading an attendance file: one row per pupil per encounter.

Columns: pupil identifier or UPN (either column, or both), date, type,
employer (optional), title, delivered through (optional). Rows with the
same date, type, title, employer and programme are one encounter.

`resolve_attendance` is the one validating pass the import makes over the
file: every lookup is a dictionary (pupils, types, employers, parsed dates,
hashed UPNs are cached), and each good row is written straight into the
COPY buffer as "group<TAB>pupil id", so a million rows need no more memory
than that buffer.
"""

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.csv_upload import CsvFileError
from partners.models import EMPLOYER_KINDS, Organisation

from .csv_files import column_positions, parse_date
from .models import EncounterType, Programme, Pupil
from .pseudonymisation import InvalidUPN, upn_hash

ATTENDANCE_COLUMNS = {
    "upn": ("upn", "unique_pupil_number"),
    "upn_hash": ("upn_hash",),
    "pupil_identifier": ("pupil_identifier", "pupil_id", "identifier", "admission_number"),
    "date": ("date", "encounter_date", "date_of_encounter"),
    "type": ("type", "encounter_type", "activity_type"),
    "employer": ("employer", "employer_name", "organisation"),
    "title": ("title", "activity", "encounter_title", "name"),
    "delivered_through": ("delivered_through", "programme", "delivered_by"),
}
PAYLOAD_HEADER = [
    "line",
    "pupil_identifier",
    "upn_hash",
    "date",
    "type",
    "employer",
    "title",
    "delivered_through",
]
INVALID_UPN = "!invalid"
MAX_ERRORS = 500
PROGRESS_EVERY = 50_000


@dataclass
class ResolvedAttendance:
    """The outcome of the validating pass."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    # One entry per encounter: (date, type, title, employer id, programme).
    groups: list[tuple] = field(default_factory=list)
    # "group index<TAB>pupil id\n" per good row, ready for COPY.
    buffer: io.StringIO = field(default_factory=io.StringIO)
    pupil_ids: set[int] = field(default_factory=set)

    def add_error(self, line, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))


def _positions(header):
    positions = column_positions(header, ATTENDANCE_COLUMNS)
    missing = [name for name in ("date", "type", "title") if name not in positions]
    if not ({"upn", "upn_hash", "pupil_identifier"} & positions.keys()):
        missing.insert(0, "pupil identifier or UPN")
    if missing:
        names = ", ".join(name.replace("_", " ") for name in missing)
        raise CsvFileError(f"The file must have a header row with the columns: {names}")
    return positions


def pseudonymise_attendance(text: str) -> tuple[str, int]:
    """The file with every UPN replaced by its keyed hash (an invalid UPN by
    a marker), line numbers kept, for storing until a task imports it."""
    reader = csv.reader(io.StringIO(text))
    positions = _positions(next(reader, None))
    hashes: dict[str, str] = {}
    rows = []

    def cell(fields, column):
        index = positions.get(column)
        return fields[index] if index is not None and index < len(fields) else ""

    for fields in reader:
        if not any(value.strip() for value in fields):
            continue
        upn = cell(fields, "upn").strip()
        hashed = cell(fields, "upn_hash").strip()
        if upn:
            if upn not in hashes:
                try:
                    hashes[upn] = upn_hash(upn)
                except InvalidUPN:
                    hashes[upn] = INVALID_UPN
            hashed = hashes[upn]
        rows.append(
            [
                reader.line_num,
                cell(fields, "pupil_identifier"),
                hashed,
                *(cell(fields, c) for c in ("date", "type", "employer", "title")),
                cell(fields, "delivered_through"),
            ]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PAYLOAD_HEADER)
    writer.writerows(rows)
    return buffer.getvalue(), len(rows)


def _programmes():
    lookup = {}
    for choice in Programme:
        lookup[choice.value] = choice.value
        lookup[choice.label.lower()] = choice.value
    lookup.update({"school": Programme.SCHOOL, "schools own": Programme.SCHOOL, "": None})
    return lookup


def resolve_attendance(
    *,
    school,
    text: str,
    today: date,
    default_programme: str = Programme.SCHOOL,
    progress: Callable[[int], None] | None = None,
) -> ResolvedAttendance:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    positions = _positions(header)
    has_line_column = header is not None and header[:1] == ["line"]

    by_identifier, by_hash = {}, {}
    for pk, identifier, hashed, joined, left in Pupil.objects.filter(school=school).values_list(
        "pk", "pupil_identifier", "upn_hash", "on_roll_from", "on_roll_until"
    ):
        by_identifier[identifier] = (pk, joined, left)
        by_hash[hashed] = (pk, joined, left)
    types = {}
    for encounter_type in EncounterType.objects.all():
        types[encounter_type.code] = encounter_type.pk
        types[encounter_type.name.lower()] = encounter_type.pk
    employers = {}
    for pk, name in Organisation.objects.filter(kind__in=list(EMPLOYER_KINDS)).values_list(
        "pk", "name"
    ):
        employers.setdefault(name.strip().lower(), pk)
    programmes = _programmes()

    i_line = 0 if has_line_column else None
    i_upn, i_hash, i_id = (positions.get(c) for c in ("upn", "upn_hash", "pupil_identifier"))
    i_date, i_type, i_title = positions["date"], positions["type"], positions["title"]
    i_employer, i_programme = positions.get("employer"), positions.get("delivered_through")

    result = ResolvedAttendance()
    write = result.buffer.write
    pupil_ids = result.pupil_ids
    group_index: dict[tuple, int] = {}
    dates: dict[str, date | str] = {}
    hashes: dict[str, str] = {}
    width = len(header)

    for fields in reader:
        if len(fields) < width:
            if not any(value.strip() for value in fields):
                continue
            fields = fields + [""] * (width - len(fields))
        line = int(fields[i_line]) if i_line is not None else reader.line_num
        result.rows += 1
        if progress is not None and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows)
        problems = []

        pupil = None
        hashed = fields[i_hash].strip() if i_hash is not None else ""
        upn = fields[i_upn].strip() if i_upn is not None else ""
        if upn:
            hashed = hashes.get(upn)
            if hashed is None:
                try:
                    hashed = hashes[upn] = upn_hash(upn)
                except InvalidUPN:
                    hashed = hashes[upn] = INVALID_UPN
        identifier = fields[i_id].strip() if i_id is not None else ""
        if hashed == INVALID_UPN:
            problems.append("the UPN is not valid")
        elif hashed:
            pupil = by_hash.get(hashed)
            if pupil is None:
                problems.append("no pupil at this school has that UPN")
        elif identifier:
            pupil = by_identifier.get(identifier)
            if pupil is None:
                problems.append(f"no pupil at this school has the identifier {identifier}")
        else:
            problems.append("enter the pupil identifier or UPN")

        raw_date = fields[i_date].strip()
        when = dates.get(raw_date)
        if when is None:
            parsed = parse_date(raw_date)
            if parsed is None:
                when = "the date must be a real date, like 2018-03-14 or 14/03/2018"
            elif parsed > today:
                when = "the date must be today or in the past"
            else:
                when = parsed
            dates[raw_date] = when
        if isinstance(when, str):
            problems.append(when)
        elif pupil is not None and not (
            pupil[1] <= when and (pupil[2] is None or when <= pupil[2])
        ):
            problems.append(f"the pupil was not on roll on {when:%-d %B %Y}")

        raw_type = fields[i_type].strip().lower()
        type_id = types.get(raw_type)
        if type_id is None:
            problems.append(f"unknown encounter type '{fields[i_type].strip()}'")

        title = fields[i_title].strip()
        if not title:
            problems.append("enter the title")
        elif len(title) > 200:
            problems.append("the title must be 200 characters or fewer")

        employer_id = 0
        if i_employer is not None:
            raw_employer = fields[i_employer].strip()
            if raw_employer:
                employer_id = employers.get(raw_employer.lower())
                if employer_id is None:
                    problems.append(f"unknown employer '{raw_employer}'")

        programme = default_programme
        if i_programme is not None:
            programme = programmes.get(fields[i_programme].strip().lower(), "")
            if programme == "":
                problems.append("delivered through must be CEC, ELS, NCS, school or other")
            programme = programme or default_programme

        if problems:
            result.add_error(line, _sentence(problems))
            continue
        key = (when, type_id, title, employer_id, programme)
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
