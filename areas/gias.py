"""The GIAS "establishment fields" CSV extract: reading and writing it.

Pure Python (no ORM), so the format can be tested on its own. Real extracts
are Windows-1252 encoded, have ~140 columns in any order and many blank
cells; the service reads the columns in SERVICE_COLUMNS and ignores the rest.

Reading is all-or-nothing: `gias_csv_parse` either returns every row,
validated, or raises `GiasFileError` (the file as a whole is unusable) or
`GiasImportError` (some rows are invalid; it lists them all).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.imports import (
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    RowCells,
    UploadFormat,
    cell_problem,
    code_cell,
    encoding_name,
    number_cell,
    upload_text,
    whole_number_cell,
)

URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
GSS_LA_CODE = "GSSLACode (name)"
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
    GSS_LA_CODE,
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
    GSS_LA_CODE: 9,
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
_SUBJECT = "The file"
GIAS_IMPORT = ImportSpec(
    name="gias",
    columns=tuple(
        Column(name, name, required=name in REQUIRED_COLUMNS) for name in SERVICE_COLUMNS
    ),
    upload_format=UploadFormat(encoding=DEFAULT_ENCODING, subject=_SUBJECT),
    short_rows=False,
    missing_hint=". Is this a GIAS establishment fields extract?",
)


class GiasFileError(Exception):
    """The file as a whole cannot be imported; the message says why."""


class GiasImportError(GiasFileError):
    """The file is readable but some rows are invalid, so nothing is imported."""

    def __init__(self, errors):
        self.errors = list(errors)
        lines = len({error.line for error in self.errors})
        super().__init__(f"{lines} {'row has' if lines == 1 else 'rows have'} errors")


@dataclass(frozen=True)
class GiasRow:
    """One establishment, validated. Attribute names match areas.models.School."""

    line: int
    urn: int
    la_code: int
    la_name: str
    new_la_code: str
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
    try:
        return _parse(data, encoding)
    except CsvFileError as error:
        message = str(error)
        raise GiasFileError(message if message.endswith("?") else f"{message}.") from None


def _parse(data: bytes, encoding: str) -> list[GiasRow]:
    text = upload_text(data, _upload_format(encoding))
    first_line_of_urn = {}

    def row_rule(cells: RowCells):
        """One establishment per row, each URN once in the file."""
        row, row_errors = _row(cells)
        if row.urn in first_line_of_urn:
            first = first_line_of_urn[row.urn]
            row_errors.append(_cell_error(cells.line, URN, f"{row.urn} is also on line {first}"))
        elif row.urn is not None:
            first_line_of_urn[row.urn] = cells.line
        return row, row_errors

    rows, errors, _ = GIAS_IMPORT.read(text, row_rule)
    if errors:
        raise GiasImportError(errors)
    if not rows:
        raise GiasFileError("The file has a header but no rows of schools.")
    return rows


_EXTRACT_NAME_DATE = re.compile(r"edubasealldata(\d{4})(\d{2})(\d{2})", re.IGNORECASE)


def extract_date_from_name(file_name: str) -> date | None:
    """The date in a GIAS download's name ("edubasealldata20250901.csv"), or
    None when the name carries none."""
    match = _EXTRACT_NAME_DATE.search(file_name)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


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


def _upload_format(encoding: str) -> UploadFormat:
    try:
        expected = encoding_name(encoding)
    except LookupError:
        raise GiasFileError(f"Unknown encoding {encoding!r}.") from None
    return UploadFormat(
        encoding=encoding,
        subject=_SUBJECT,
        other_encoding_fix=(
            f"GIAS extracts are {expected} — pass --encoding {{found}} if this is intended"
        ),
        undecodable_fix=(f"Check the file's encoding and pass --encoding if it is not {expected}"),
    )


def _cell_error(line: int, column: str, message: str) -> LineError:
    return LineError(line, f"{column} {message}")


def _row(cells: RowCells):
    """The row and its errors; a field with an error is None in the row."""
    errors = []
    line = cells.line

    def cell(column):
        return cells[column]

    def text(column, *, required=False):
        value = cell(column)
        if required and not value:
            errors.append(_cell_error(line, column, "is blank"))
        elif column in TEXT_MAX_LENGTHS and len(value) > TEXT_MAX_LENGTHS[column]:
            errors.append(
                _cell_error(
                    line,
                    column,
                    f"is {len(value)} characters long; at most "
                    f"{TEXT_MAX_LENGTHS[column]} are allowed",
                )
            )
        return value

    def number(column, parse, *, required=False):
        value = cell(column)
        if not value or (column in _SUPPRESSIBLE and value.upper() in NOT_A_FIGURE):
            if required:
                errors.append(_cell_error(line, column, "is blank"))
            return None
        try:
            return parse(value)
        except CellError as error:
            errors.append(LineError(line, cell_problem(column, value, error)))
            return None

    def code(column, *, required=False, positive=False, maximum=_INTEGER_MAX):
        return number(
            column,
            lambda value: code_cell(value, positive=positive, maximum=maximum),
            required=required,
        )

    def count(column, *, maximum=_INTEGER_MAX):
        return number(column, lambda value: whole_number_cell(value, maximum=maximum))

    def percentage(value):
        number = number_cell(value, minimum=0, maximum=100, unit="%")
        return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    row = GiasRow(
        line=line,
        urn=code(URN, required=True, positive=True),
        la_code=code(LA_CODE, required=True, maximum=_SMALL_INTEGER_MAX),
        la_name=text(LA_NAME, required=True),
        new_la_code=text(GSS_LA_CODE),
        establishment_number=code(ESTABLISHMENT_NUMBER),
        name=text(ESTABLISHMENT_NAME, required=True),
        establishment_type=text(ESTABLISHMENT_TYPE),
        status=text(ESTABLISHMENT_STATUS, required=True),
        phase=text(PHASE),
        statutory_low_age=count(STATUTORY_LOW_AGE, maximum=_SMALL_INTEGER_MAX),
        statutory_high_age=count(STATUTORY_HIGH_AGE, maximum=_SMALL_INTEGER_MAX),
        number_of_pupils=count(NUMBER_OF_PUPILS),
        percentage_fsm=number(PERCENTAGE_FSM, percentage),
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
    GSS_LA_CODE,
)
