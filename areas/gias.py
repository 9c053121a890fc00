"""The GIAS "establishment fields" CSV extract: reading and writing it.

Pure Python (no ORM), so the format can be tested on its own. Real extracts
are Windows-1252 encoded, have ~140 columns in any order and many blank
cells; the service reads the columns in SERVICE_COLUMNS and ignores the rest.

Reading is all-or-nothing: `gias_csv_parse` either returns every row,
validated, or raises `GiasFileError` (the file as a whole is unusable) or
`GiasImportError` (some rows are invalid; it lists them all).
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
ESTABLISHMENT_NUMBER = "EstablishmentNumber"
ESTABLISHMENT_NAME = "EstablishmentName"
ESTABLISHMENT_TYPE = "TypeOfEstablishment (name)"
ESTABLISHMENT_STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
STATUTORY_LOW_AGE = "StatutoryLowAge"
STATUTORY_HIGH_AGE = "StatutoryHighAge"
NUMBER_OF_PUPILS = "NumberOfPupils"
PERCENTAGE_FSM = "PercentageFSM"
TRUST_NAME = "Trusts (name)"
DISTRICT = "DistrictAdministrative (name)"
POSTCODE = "Postcode"

SERVICE_COLUMNS = (
    URN,
    LA_CODE,
    LA_NAME,
    ESTABLISHMENT_NUMBER,
    ESTABLISHMENT_NAME,
    ESTABLISHMENT_TYPE,
    ESTABLISHMENT_STATUS,
    PHASE,
    STATUTORY_LOW_AGE,
    STATUTORY_HIGH_AGE,
    NUMBER_OF_PUPILS,
    PERCENTAGE_FSM,
    TRUST_NAME,
    DISTRICT,
    POSTCODE,
)
# Without these a row cannot be identified, placed in an area or told apart
# from a closed school; the other service columns may be absent (read as blank).
REQUIRED_COLUMNS = (URN, LA_CODE, LA_NAME, ESTABLISHMENT_NAME, ESTABLISHMENT_STATUS, DISTRICT)

# Mirrors the max_length of the matching areas.models.School fields (a test
# keeps them in step), so an over-long value is a row error, not a database error.
TEXT_MAX_LENGTHS = {
    LA_NAME: 100,
    ESTABLISHMENT_NAME: 200,
    ESTABLISHMENT_TYPE: 100,
    ESTABLISHMENT_STATUS: 60,
    PHASE: 60,
    TRUST_NAME: 200,
    DISTRICT: 100,
    POSTCODE: 10,
}
# GIAS and DfE statistics publish these instead of a figure (suppressed, not
# available, not applicable); they mean "no value", not a bad row.
NOT_A_FIGURE = frozenset({"SUPP", "NA", "X", "C", "Z"})
_SUPPRESSIBLE = (NUMBER_OF_PUPILS, PERCENTAGE_FSM)

DEFAULT_ENCODING = "cp1252"

_INTEGER_MAX = 2_147_483_647
_SMALL_INTEGER_MAX = 32_767
_WHOLE_NUMBER = re.compile(r"\d+", re.ASCII)
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODING_NAMES = {
    "cp1252": "Windows-1252",
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "iso8859-1": "ISO-8859-1",
}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class GiasFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""


class GiasImportError(GiasFileError):
    """The file is readable but some rows are invalid, so nothing is imported."""

    def __init__(self, errors):
        self.errors = list(errors)
        lines = len({error.line for error in self.errors})
        super().__init__(f"{lines} {'row has' if lines == 1 else 'rows have'} errors")


@dataclass(frozen=True)
class GiasRowError:
    line: int
    column: str | None
    message: str

    def __str__(self):
        where = f"Line {self.line}, {self.column}" if self.column else f"Line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class GiasRow:
    """One establishment, validated. Attribute names match areas.models.School."""

    line: int
    urn: int
    la_code: int
    la_name: str
    establishment_number: int | None
    name: str
    establishment_type: str
    status: str
    phase: str
    statutory_low_age: int | None
    statutory_high_age: int | None
    number_of_pupils: int | None
    percentage_fsm: Decimal | None
    trust_name: str
    district: str
    postcode: str


def gias_csv_parse(data: bytes, *, encoding: str = DEFAULT_ENCODING) -> list[GiasRow]:
    """Every row of a GIAS extract, validated, in file order.

    Raises GiasFileError when the file cannot be read as a GIAS extract, and
    GiasImportError (listing every bad cell) when any row is invalid.
    """
    text = _decode(data, encoding)
    records = _csv_records(text)
    header_line, header = next(records, (None, None))
    if header is None:
        raise GiasFileError("The file is empty.")
    positions = _column_positions(header)

    rows = []
    errors = []
    first_line_of_urn = {}
    for line, cells in records:
        if len(cells) != len(header):
            errors.append(
                GiasRowError(
                    line,
                    None,
                    f"has {len(cells)} cells but the header (line {header_line}) "
                    f"has {len(header)} columns",
                )
            )
            continue
        row, row_errors = _row(line, cells, positions)
        if row.urn in first_line_of_urn:
            row_errors.append(
                GiasRowError(line, URN, f"{row.urn} is also on line {first_line_of_urn[row.urn]}")
            )
        elif row.urn is not None:
            first_line_of_urn[row.urn] = line
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(row)
    if errors:
        raise GiasImportError(errors)
    if not rows:
        raise GiasFileError("The file has a header but no rows of schools.")
    return rows


def gias_csv_bytes(
    rows: list[dict], *, extra_columns: bool = True, encoding: str = DEFAULT_ENCODING
) -> bytes:
    """A GIAS-shaped CSV extract of `rows` (dicts keyed by GIAS column name).

    Columns come in a fixed GIAS-like order, interleaved with some of the
    other columns a real extract carries when `extra_columns` is true; keys
    that are not known columns are added at the end. Missing values and None
    are written as blank cells.
    """
    columns = [c for c in _WRITER_COLUMNS if extra_columns or c in SERVICE_COLUMNS]
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row[c]) for c in columns])
    return buffer.getvalue().encode(encoding)


def _encoding_display_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _ENCODING_NAMES.get(name, name.upper())


def _decode(data: bytes, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise GiasFileError(f"Unknown encoding {encoding!r}.") from None
    expected = _encoding_display_name(encoding)
    if not data.strip():
        raise GiasFileError("The file is empty.")

    if data.startswith(_UTF16_BOMS) and not codec.startswith("utf-16"):
        raise GiasFileError(
            f"The file looks UTF-16 encoded; GIAS extracts are {expected} — pass "
            "--encoding utf-16 if this is intended."
        )
    if not codec.startswith(("utf-16", "utf-32")) and b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise GiasFileError(
            f"The file is not a CSV file: it contains NUL bytes (first on line {line}), "
            "so it looks binary (a spreadsheet, archive or other non-text file)."
        )
    if codec in ("utf-8", "utf-8-sig"):
        codec = "utf-8-sig"
    elif not codec.startswith(("utf-16", "utf-32")) and _looks_utf8(data):
        raise GiasFileError(
            f"The file looks UTF-8 encoded; GIAS extracts are {expected} — pass "
            "--encoding utf-8 if this is intended."
        )

    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.end].hex(" ")
        raise GiasFileError(
            f"Line {line} cannot be read as {expected}: byte {bad} is not valid in that "
            "encoding. Check the file's encoding and pass --encoding if it is not "
            f"{expected}."
        ) from None

    control = _CONTROL_CHARACTERS.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise GiasFileError(
            f"The file is not a CSV file: line {line} contains control character "
            f"{ord(control.group()):#04x}, so it looks binary."
        )
    return text


def _looks_utf8(data: bytes) -> bool:
    if data.startswith(codecs.BOM_UTF8):
        return True
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_records(text: str):
    """(first physical line, cells) for each non-blank record, header first.

    Line numbers are physical lines in the file (header = 1), so a record
    with a line break inside a quoted cell is named by the line it starts on.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise GiasFileError(
                f"Line {line} is not valid CSV ({error}), so the file cannot be read."
            ) from None
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def _column_positions(header: list[str]) -> dict[str, int]:
    names = [name.strip() for name in header]
    repeated = sorted({n for n in SERVICE_COLUMNS if names.count(n) > 1})
    if repeated:
        raise GiasFileError(
            f"The header names {_join(repeated)} more than once, so it is unclear which to read."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise GiasFileError(
            f"The header is missing required "
            f"{'column' if len(missing) == 1 else 'columns'}: {_join(missing)}. "
            "Is this a GIAS establishment fields extract?"
        )
    return {name: names.index(name) for name in SERVICE_COLUMNS if name in names}


def _join(names):
    return ", ".join(f"'{name}'" for name in names)


def _row(line: int, cells: list[str], positions: dict[str, int]):
    """The row and its errors; a field with an error is None in the row."""
    errors = []

    def cell(column):
        return cells[positions[column]].strip() if column in positions else ""

    def text(column, *, required=False):
        value = cell(column)
        if required and not value:
            errors.append(GiasRowError(line, column, "is blank"))
        elif column in TEXT_MAX_LENGTHS and len(value) > TEXT_MAX_LENGTHS[column]:
            errors.append(
                GiasRowError(
                    line,
                    column,
                    f"is {len(value)} characters long; at most "
                    f"{TEXT_MAX_LENGTHS[column]} are allowed",
                )
            )
        return value

    def whole_number(column, *, required=False, positive=False, maximum=_INTEGER_MAX):
        value = cell(column)
        if not value or (column in _SUPPRESSIBLE and value.upper() in NOT_A_FIGURE):
            if required:
                errors.append(GiasRowError(line, column, "is blank"))
            return None
        kind = "a positive whole number" if positive else "a whole number"
        if not _WHOLE_NUMBER.fullmatch(value) or (positive and int(value) == 0):
            errors.append(GiasRowError(line, column, f"{value!r} is not {kind}"))
            return None
        if int(value) > maximum:
            errors.append(GiasRowError(line, column, f"{value} is too large (at most {maximum})"))
            return None
        return int(value)

    def percentage(column):
        value = cell(column)
        if not value or value.upper() in NOT_A_FIGURE:
            return None
        number = Decimal(value) if _DECIMAL_NUMBER.fullmatch(value) else None
        if number is None:
            errors.append(GiasRowError(line, column, f"{value!r} is not a number"))
            return None
        if not 0 <= number <= 100:
            errors.append(GiasRowError(line, column, f"{value} is not between 0 and 100"))
            return None
        return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    row = GiasRow(
        line=line,
        urn=whole_number(URN, required=True, positive=True),
        la_code=whole_number(LA_CODE, required=True, maximum=_SMALL_INTEGER_MAX),
        la_name=text(LA_NAME, required=True),
        establishment_number=whole_number(ESTABLISHMENT_NUMBER),
        name=text(ESTABLISHMENT_NAME, required=True),
        establishment_type=text(ESTABLISHMENT_TYPE),
        status=text(ESTABLISHMENT_STATUS, required=True),
        phase=text(PHASE),
        statutory_low_age=whole_number(STATUTORY_LOW_AGE, maximum=_SMALL_INTEGER_MAX),
        statutory_high_age=whole_number(STATUTORY_HIGH_AGE, maximum=_SMALL_INTEGER_MAX),
        number_of_pupils=whole_number(NUMBER_OF_PUPILS),
        percentage_fsm=percentage(PERCENTAGE_FSM),
        trust_name=text(TRUST_NAME),
        district=text(DISTRICT),
        postcode=text(POSTCODE),
    )
    return row, errors


# A fixed, GIAS-like order: the service's columns scattered among others that
# real extracts carry, so readers cannot depend on positions.
_WRITER_COLUMNS = (
    URN,
    LA_CODE,
    LA_NAME,
    ESTABLISHMENT_NUMBER,
    ESTABLISHMENT_NAME,
    "TypeOfEstablishment (code)",
    ESTABLISHMENT_TYPE,
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    ESTABLISHMENT_STATUS,
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    PHASE,
    STATUTORY_LOW_AGE,
    STATUTORY_HIGH_AGE,
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (name)",
    "Gender (name)",
    "ReligiousCharacter (name)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (name)",
    "CensusDate",
    NUMBER_OF_PUPILS,
    "NumberOfBoys",
    "NumberOfGirls",
    PERCENTAGE_FSM,
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    TRUST_NAME,
    "SchoolSponsorFlag (name)",
    "FEHEIdentifier",
    "UKPRN",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    POSTCODE,
    "SchoolWebsite",
    "TelephoneNum",
    "HeadFirstName",
    "HeadLastName",
    "OfstedLastInsp",
    "OfstedRating (name)",
    "GOR (name)",
    "DistrictAdministrative (code)",
    DISTRICT,
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (name)",
    "Easting",
    "Northing",
    "MSOA (name)",
    "LSOA (name)",
)
