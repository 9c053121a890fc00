"""The PostgreSQL bulk path for attendance files: Python never touches a row.

The (pseudonymised) file goes as it is into a temporary staging table with
COPY. Two GROUP BY queries give its distinct encounters (date, type, title,
employer, programme) and its distinct pupil keys (identifier, UPN hash):
a few hundred or thousand values for a million rows. Those are checked in
Python through the same `AttendanceLookups` as the line-by-line path, so
both accept the same rows and give the same encounters. The attendance rows
are then written by one INSERT ... SELECT joining the staging table to the
resolved keys.

Whenever the bulk path cannot be sure, it gives up and the caller uses the
line-by-line path, which names every bad line: a file COPY would read
differently from Python's csv module (stray quotes, blank lines in the
middle, the end-of-data marker), one it cannot read (ragged rows), and any
file with a bad row. Bad files are rare and small; good files are fast.
"""

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg2
from django.db import DataError, IntegrityError, connection, transaction

from core.imports import normalise_line_endings

from .attendance_files import AttendanceLookups, attendance_table
from .models import Attendance, Encounter, Pupil

STAGING = "encounters_attendance_staging"
_GROUP_COLUMNS = ("date", "type", "title", "employer", "delivered_through")
_QUOTED_FIELD = re.compile(r'"(?:[^"]|"")*"')


@dataclass
class StagedAttendance:
    """A file in the staging table, every row checked."""

    rows: int
    columns: dict[str, str]
    # Each encounter's key (date, type id, title, employer id or 0,
    # programme) as the line-by-line path makes it; the distinct raw cells
    # of the file's rows, and the encounter each names (cells can differ
    # and name the same: 14/03/2018 and 2018-03-14).
    groups: list[tuple] = field(default_factory=list)
    raw_groups: list[tuple] = field(default_factory=list)
    raw_group_encounters: list[int] = field(default_factory=list)
    # The raw (identifier, UPN hash) cells of each pupil, and its id.
    raw_pupils: list[tuple] = field(default_factory=list)
    pupil_ids: list[int] = field(default_factory=list)


class _LineByLine(Exception):
    """The file needs the line-by-line path."""


def _reads_like_python(text: str) -> bool:
    r"""Whether COPY's CSV parser reads the text as Python's csv module does,
    where it reads it at all (ragged rows, blank lines and stray carriage
    returns make COPY fail, and the caller goes line by line).

    They agree on plain cells and on cells quoted whole, with quotes inside
    doubled. They differ on a quote inside an unquoted cell (COPY starts a
    quoted section there) and on a line of just \. (COPY's end of data)."""
    if "\\." in text:
        return False
    quotes = text.count('"')
    end = len(text)
    for match in _QUOTED_FIELD.finditer(text) if quotes else ():
        start, stop = match.span()
        if (start and text[start - 1] not in ",\n\r") or (stop < end and text[stop] not in ",\r\n"):
            return False
        quotes -= match.group().count('"')
    return quotes == 0


def _copyable(text: str) -> str:
    """The text (LF line endings only) without what COPY would refuse and
    csv ignores: blank lines at the end."""
    if text.endswith("\n\n"):
        text = text.rstrip("\n") + "\n"
    return text


def attendance_stage(*, text: str, lookups: AttendanceLookups) -> StagedAttendance | None:
    """Stage and check a pseudonymised file; None when it needs the
    line-by-line path. Call inside a transaction: the staging table lasts
    until it commits."""
    text = normalise_line_endings(text)
    table = attendance_table(text)
    positions = table.positions
    if table.header.line != 1 or "upn" in positions:
        return None
    text = _copyable(text)
    if not _reads_like_python(text):
        return None
    try:
        with transaction.atomic():
            return _stage(text, table.width, positions, lookups)
    except (_LineByLine, DataError, psycopg2.DataError):
        # DataError: COPY could not read the file (psycopg2's own error:
        # Django does not wrap copy_expert).
        return None


def _stage(text, width, positions, lookups) -> StagedAttendance:
    columns = {name: f"c{index}" for name, index in positions.items()}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING}")
        cells = ", ".join(f"c{n} text" for n in range(width))
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} ({cells}) ON COMMIT DROP")
        cursor.copy_expert(
            f"COPY {STAGING} FROM STDIN WITH (FORMAT csv, HEADER true)", io.StringIO(text)
        )
        group_cells = [columns.get(name, "NULL") for name in _GROUP_COLUMNS]
        pupil_cells = [columns.get(name, "NULL") for name in ("pupil_identifier", "upn_hash")]
        no_pupil = " AND ".join(f"{cell} IS NULL" for cell in pupil_cells)
        cursor.execute(
            f"SELECT {', '.join(group_cells)}, {no_pupil}, count(*) "  # noqa: S608 - our names
            f"FROM {STAGING} GROUP BY 1, 2, 3, 4, 5, 6"
        )
        group_rows = cursor.fetchall()
        cursor.execute(
            f"SELECT {', '.join(pupil_cells)}, count(*) FROM {STAGING} GROUP BY 1, 2"  # noqa: S608
        )
        pupil_rows = cursor.fetchall()

    staged = StagedAttendance(rows=0, columns=columns)
    has_programme = "delivered_through" in columns
    index: dict[tuple, int] = {}
    for *raw, no_pupil, count in group_rows:
        if no_pupil:
            # A row naming no pupil is an error unless it is blank throughout.
            if all(cell is None for cell in raw):
                continue
            raise _LineByLine
        date, kind, title, employer, programme = (cell or "" for cell in raw)
        key, problems = lookups.encounter(
            date, kind, title, employer, programme if has_programme else None
        )
        if problems:
            raise _LineByLine
        if key not in index:
            index[key] = len(staged.groups)
            staged.groups.append(key)
        staged.raw_groups.append(tuple(raw))
        staged.raw_group_encounters.append(index[key])
        staged.rows += count
    if not staged.groups:
        raise _LineByLine
    first, last = min(key[0] for key in staged.groups), max(key[0] for key in staged.groups)
    partly_on_roll = []
    for identifier, hashed, _count in pupil_rows:
        if identifier is None and hashed is None:
            continue
        pupil, problem = lookups.pupil((identifier or "").strip(), (hashed or "").strip())
        if problem:
            raise _LineByLine
        staged.raw_pupils.append((identifier, hashed))
        staged.pupil_ids.append(pupil[0])
        if not (pupil[1] <= first and (pupil[2] is None or last <= pupil[2])):
            partly_on_roll.append((identifier, hashed, pupil[1], pupil[2]))
    if partly_on_roll and _any_row_off_roll(staged, partly_on_roll):
        raise _LineByLine
    return staged


def _key_tables(cursor, staged: StagedAttendance, encounter_ids=None, new=None):
    """Temporary tables of the resolved keys, for joining to the staging
    table on the raw cells (NULL cells as empty text, so plain equality
    joins, which hash)."""
    group_names = [f"g{n}" for n in range(5)]
    cursor.execute("DROP TABLE IF EXISTS pg_temp.encounters_attendance_groups")
    cursor.execute(
        "CREATE TEMPORARY TABLE encounters_attendance_groups ("
        + ", ".join(f"{name} text" for name in group_names)
        + ", encounter_date date, encounter_id bigint, is_new boolean) ON COMMIT DROP"
    )
    columns = list(zip(*staged.raw_groups, strict=True))
    cursor.execute(
        "INSERT INTO encounters_attendance_groups SELECT * FROM unnest("
        "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::date[], %s::bigint[], %s::boolean[])",
        [
            *([cell or "" for cell in column] for column in columns),
            [staged.groups[n][0] for n in staged.raw_group_encounters],
            [encounter_ids[n] if encounter_ids else 0 for n in staged.raw_group_encounters],
            [new[n] if new else True for n in staged.raw_group_encounters],
        ],
    )
    cursor.execute("DROP TABLE IF EXISTS pg_temp.encounters_attendance_pupils")
    cursor.execute(
        "CREATE TEMPORARY TABLE encounters_attendance_pupils "
        "(identifier text, upn_hash text, pupil_id bigint, on_roll_from date, "
        "on_roll_until date) ON COMMIT DROP"
    )
    cursor.execute("ANALYZE pg_temp.encounters_attendance_groups")


@contextmanager
def _hash_joins_only(cursor):
    """The staging rows join the key tables on four to seven columns at
    once; the planner multiplies their selectivities, expects one row, and
    would loop over the pupils for each of a million rows. Every join here
    wants hashing, so for these statements it gets no other choice."""
    cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute("SET LOCAL enable_mergejoin = off")
    try:
        yield
    finally:
        cursor.execute("SET LOCAL enable_nestloop = on")
        cursor.execute("SET LOCAL enable_mergejoin = on")


def _joins(staged: StagedAttendance) -> str:
    cell = staged.columns.get
    groups = " AND ".join(
        f"coalesce(s.{cell(name)}, '') = g.g{n}" if cell(name) else f"g.g{n} = ''"
        for n, name in enumerate(_GROUP_COLUMNS)
    )
    pupils = " AND ".join(
        f"coalesce(s.{cell(name)}, '') = p.{name}" if cell(name) else f"p.{name} = ''"
        for name in ("pupil_identifier", "upn_hash")
    ).replace("p.pupil_identifier", "p.identifier")
    return (
        f"FROM {STAGING} AS s "
        f"JOIN encounters_attendance_groups AS g ON {groups} "
        f"JOIN encounters_attendance_pupils AS p ON {pupils}"
    )


def _fill_pupils(cursor, pupils):
    cursor.execute("TRUNCATE pg_temp.encounters_attendance_pupils")
    identifiers, hashes, ids, joined, left = (list(c) for c in zip(*pupils, strict=True))
    cursor.execute(
        "INSERT INTO encounters_attendance_pupils SELECT * FROM unnest("
        "%s::text[], %s::text[], %s::bigint[], %s::date[], %s::date[])",
        [
            [cell or "" for cell in identifiers],
            [cell or "" for cell in hashes],
            ids,
            joined,
            left,
        ],
    )
    cursor.execute("ANALYZE pg_temp.encounters_attendance_pupils")


def _any_row_off_roll(staged: StagedAttendance, pupils) -> bool:
    """Whether a row names a pupil on a day they were not on roll; only
    pupils whose roll does not span all the file's dates are looked at."""
    with connection.cursor() as cursor:
        _key_tables(cursor, staged)
        _fill_pupils(
            cursor,
            [(identifier, hashed, 0, joined, left) for identifier, hashed, joined, left in pupils],
        )
        with _hash_joins_only(cursor):
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 {_joins(staged)} "  # noqa: S608 - our own names
                "WHERE g.encounter_date < p.on_roll_from OR g.encounter_date > p.on_roll_until)"
            )
            return cursor.fetchone()[0]


def attendance_lock_keys(cursor, *, pupil_ids, encounter_ids) -> None:
    """What the foreign-key triggers would do (the table has none, see the
    model), once per key instead of once per row: nobody deletes these
    pupils or encounters until we commit."""
    for model, ids in ((Pupil, pupil_ids), (Encounter, encounter_ids)):
        cursor.execute(
            f"SELECT 1 FROM {model._meta.db_table} WHERE id = ANY(%s) FOR KEY SHARE",  # noqa: S608
            [sorted(set(ids))],
        )


def attendance_insert(cursor, *, select: str, params: list, new: list[bool]) -> int:
    """INSERT the (encounter id, pupil id) rows of `select`, which must
    expose `is_new` for each row's encounter; returns how many were new.

    Rows of encounters this import created cannot be there already, so they
    go in with a plain INSERT, much cheaper than ON CONFLICT; only if the
    file names a pupil twice for one encounter does that fail, and those
    rows go in again skipping the repeats. Rows of encounters that were
    there already skip the ones present."""
    insert = f"INSERT INTO {Attendance._meta.db_table} (encounter_id, pupil_id) {select}"
    skip = " ON CONFLICT (pupil_id, encounter_id) DO NOTHING"
    created = 0
    if any(new):
        try:
            with transaction.atomic():
                cursor.execute(insert + "WHERE is_new", params)
                created += cursor.rowcount
        except IntegrityError:
            cursor.execute(insert + "WHERE is_new" + skip, params)
            created += cursor.rowcount
    if not all(new):
        cursor.execute(insert + "WHERE NOT is_new" + skip, params)
        created += cursor.rowcount
    return created


def attendance_analyze() -> None:
    """Fresh statistics after a bulk load, which can change the table's size
    by orders of magnitude, keep the coverage queries on their indexes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {Attendance._meta.db_table}, {Encounter._meta.db_table}, "
                f"{Pupil._meta.db_table}"
            )


def attendance_insert_staged(
    *, staged: StagedAttendance, encounter_ids: list[int], new: list[bool]
) -> int:
    """Write the staged rows as attendance; returns how many were new."""
    with connection.cursor() as cursor:
        attendance_lock_keys(cursor, pupil_ids=staged.pupil_ids, encounter_ids=encounter_ids)
        _key_tables(cursor, staged, encounter_ids, new)
        _fill_pupils(
            cursor,
            [
                (*raw, pk, None, None)
                for raw, pk in zip(staged.raw_pupils, staged.pupil_ids, strict=True)
            ],
        )
        with _hash_joins_only(cursor):
            created = attendance_insert(
                cursor,
                select=f"SELECT g.encounter_id, p.pupil_id {_joins(staged)} ",  # noqa: S608
                params=[],
                new=new,
            )
        for name in (STAGING, "encounters_attendance_groups", "encounters_attendance_pupils"):
            cursor.execute(f"DROP TABLE pg_temp.{name}")
    return created
