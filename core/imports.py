"""Reading uploaded files: the one layer every import reads through.

An import declares its `UploadFormat` (encoding, size limit, how its messages
name the file) and its columns; this module turns the bytes into records and
says, naming the line, why a file cannot be read:

- `upload_text` decodes (byte-order marks, the declared encoding) and refuses
  empty, over-large, binary and wrongly encoded files. It normalises line
  endings: CR LF, CR alone (older Excel for Mac) and LF become LF, one for
  one, so every importer reads the same lines and line N is still line N of
  the file as uploaded.
- `CsvTable` reads the records with the csv module, turning its errors
  (broken quoting, an over-long cell) into messages, finds the declared
  columns through one header normaliser, skips blank rows and reports rows
  with more cells than the header.

- `ImportSpec` is an import's declaration: its format and its `Column`s,
  from which the header is matched, the upload page lists the columns and
  the template file is written.
- The typed cell parsers (`date_cell`, `number_cell`, `whole_number_cell`,
  `code_cell`, `boolean_cell`, `year_group_cell`) are the one set of forms
  every import accepts; `cell_problem` words their refusals.

Problems with the file as a whole raise `CsvFileError`; problems with one line
are `LineError`s, which importers collect so every bad line is named.
Nothing here knows about any app. The preview-and-confirm step is in
core.upload_previews.
"""

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .numbers import NumberError, number_from_text

# The csv module's own limit on one cell, which it enforces by raising.
CELL_MAX_CHARACTERS = csv.field_size_limit()

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_IN_A_HEADER_KEY = re.compile(r"[\W_]+")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ENCODING_NAMES = {
    "cp1252": "Windows-1252",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "iso8859-1": "ISO-8859-1",
}
_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"|(?P<uk_day>\d{1,2})(?P<separator>[/.-])(?P<uk_month>\d{1,2})(?P=separator)(?P<uk_year>\d{4})",
    re.ASCII,
)
_CSV_PROBLEMS = {
    "',' expected after '\"'": "a quoted cell has text after its closing quote",
    "unexpected end of data": 'a quote (") opens a cell that is never closed',
    "field larger than field limit": (f"a cell is longer than {CELL_MAX_CHARACTERS:,} characters"),
}


class CsvFileError(ValueError):
    """The file as a whole cannot be read or imported; the message says why,
    and `line` is the line it names, if any."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.line = line


class LineError(NamedTuple):
    """One line's problem. A tuple, so it can be stored as JSON and unpacked
    as (line, message)."""

    line: int
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}"


@dataclass(frozen=True)
class UploadFormat:
    """How an import's files are encoded and how its messages name them."""

    encoding: str = "utf-8"
    max_bytes: int | None = None
    subject: str = "The selected file"
    # How to put right a file in another encoding ({found} names it), and
    # one with bytes the declared encoding cannot have.
    other_encoding_fix: str = (
        "it must be saved as CSV UTF-8. In Excel, choose Save As, then "
        "'CSV UTF-8 (Comma delimited)'"
    )
    undecodable_fix: str = (
        "The selected file must be saved as CSV UTF-8: in Excel, choose Save As, "
        "then 'CSV UTF-8 (Comma delimited)'"
    )


def encoding_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _ENCODING_NAMES.get(name, name.upper())


def line_of(prefix: bytes | str) -> int:
    """The line (from 1) that starts after `prefix`, counting CR LF, CR and
    LF as one line break each."""
    if isinstance(prefix, bytes):
        return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


def normalise_line_endings(text: str) -> str:
    """LF for every line break, one for one, so line numbers do not move."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def upload_text(data: bytes, upload_format: UploadFormat = UploadFormat()) -> str:  # noqa: B008 - frozen
    """The text of an uploaded file with LF line endings, or CsvFileError."""
    subject, encoding = upload_format.subject, upload_format.encoding
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise CsvFileError(f"Unknown encoding {encoding!r}") from None
    if not data.strip():
        raise CsvFileError(f"{subject} is empty")
    limit = upload_format.max_bytes
    if limit is not None and len(data) > limit:
        raise CsvFileError(f"{subject} must be smaller than {_size(limit)}")
    wide = codec.startswith(("utf-16", "utf-32"))
    if data.startswith(_UTF16_BOMS) and not wide:
        raise _other_encoding(upload_format, "UTF-16")
    if not wide and b"\x00" in data:
        line = line_of(data[: data.index(b"\x00")])
        raise CsvFileError(
            f"{subject} is not a CSV file: it contains NUL bytes (first on line {line}), "
            "so it looks binary (a spreadsheet, archive or other non-text file)",
            line=line,
        )
    if codec == "utf-8":
        codec = "utf-8-sig"
    elif not wide and _looks_utf8(data):
        raise _other_encoding(upload_format, "UTF-8")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = line_of(data[: error.start])
        bad = data[error.start : error.end].hex(" ")
        raise CsvFileError(
            f"Line {line} cannot be read as {encoding_name(encoding)}: byte {bad} is not "
            f"valid in that encoding. {upload_format.undecodable_fix}",
            line=line,
        ) from None
    control = _CONTROL_CHARACTERS.search(text)
    if control:
        line = line_of(text[: control.start()])
        raise CsvFileError(
            f"{subject} is not a CSV file: line {line} contains control character "
            f"{ord(control.group()):#04x}, so it looks binary",
            line=line,
        )
    return normalise_line_endings(text)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)}MB"
    return f"{limit // 1024}KB"


def _other_encoding(upload_format: UploadFormat, found: str) -> CsvFileError:
    fix = upload_format.other_encoding_fix.format(found=found.lower())
    return CsvFileError(f"{upload_format.subject} looks {found} encoded; {fix}")


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


# --- Records and columns -------------------------------------------------


class Record(NamedTuple):
    """One CSV record and the line of the file it starts on (header = 1; a
    record with a line break inside a quoted cell spans several lines)."""

    line: int
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def csv_records(text: str) -> Iterator[Record]:
    """Every record of `text`, blank ones included, or CsvFileError naming
    the line the csv module cannot read."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvFileError(
                f"Line {line} is not valid CSV ({_csv_problem(error)}), so the file cannot be read",
                line=line,
            ) from None
        yield Record(line, cells)
        line = reader.line_num + 1


def _csv_problem(error: csv.Error) -> str:
    message = str(error)
    for start, plain in _CSV_PROBLEMS.items():
        if message.startswith(start):
            return plain
    return message


def header_key(name: str) -> str:
    """One spelling of a column name, whatever its case, spaces and
    punctuation: "Pupil ID", "pupil_id" and " PUPIL-ID " are all "pupil id"."""
    return _NOT_IN_A_HEADER_KEY.sub(" ", name.casefold()).strip()


def column_positions(
    header: list[str], columns: dict[str, tuple[str, ...]], *, other_columns: bool = True
) -> dict[str, int]:
    """Where each declared column is: {column: index} for those present.

    `columns` maps each column to the header spellings it accepts, most
    preferred first; a header naming one spelling twice is refused, as it is
    unclear which to read. With `other_columns` false, a header cell that is
    no declared column, or a second spelling of one, is refused too, so a
    misspelt optional column is not silently ignored."""
    spellings = _spellings(tuple(columns.items()))
    keys = [header_key(name) for name in header]
    found: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key in spellings:
            found.setdefault(spellings[key][0], []).append(index)
        elif key and not other_columns:
            raise CsvFileError(
                f"Column '{header[index].strip()}' is not recognised. The columns can be: "
                + ", ".join(names[0] for names in columns.values()),
                line=1,
            )
    positions = {}
    for column in columns:
        present = found.get(column)
        if not present:
            continue
        index = min(present, key=lambda i: spellings[keys[i]][1])
        if keys.count(keys[index]) > 1 or (not other_columns and len(present) > 1):
            raise CsvFileError(
                f"Column '{header[max(present)].strip()}' appears more than once, so it is "
                "unclear which to read",
                line=1,
            )
        positions[column] = index
    return positions


@functools.cache
def _spellings(columns: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, int]]:
    """{header key: (column, preference)} for each declared spelling."""
    keys = {}
    for column, names in columns:
        for preference, name in enumerate(names):
            keys.setdefault(header_key(name), (column, preference))
    return keys


class CsvTable:
    """A CSV file's header (its first record with anything in it), where the
    declared columns are, and its other records.

    `rows()` yields the records after the header that have something in
    them. A row with more cells than the header, the extra ones not blank,
    has data in no column; with `short_rows` false, so does one with fewer
    (a machine-written extract). `width_problem` says so for a row."""

    def __init__(
        self,
        text: str,
        columns: dict[str, tuple[str, ...]],
        *,
        other_columns: bool = True,
        short_rows: bool = True,
        subject: str = "The selected file",
    ):
        self._records = csv_records(text)
        header = next((record for record in self._records if not record.is_blank), None)
        if header is None:
            raise CsvFileError(f"{subject} is empty")
        self.header = header
        self.width = len(header.cells)
        self.short_rows = short_rows
        self.positions = column_positions(header.cells, columns, other_columns=other_columns)

    def rows(self) -> Iterator[Record]:
        return (record for record in self._records if not record.is_blank)

    def width_problem(self, record: Record) -> str | None:
        cells = len(record.cells)
        if cells < self.width and self.short_rows:
            return None
        if cells > self.width and not any(cell.strip() for cell in record.cells[self.width :]):
            return None
        if cells == self.width:
            return None
        return (
            f"the row has {cells} {'cell' if cells == 1 else 'cells'} but the header "
            f"(line {self.header.line}) has {self.width} columns"
        )

    def cell(self, record: Record, column: str) -> str:
        """The cell of `column` in the record, stripped; blank when the
        column or the cell is missing."""
        index = self.positions.get(column)
        if index is None or index >= len(record.cells):
            return ""
        return record.cells[index].strip()


# --- Declared imports ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column an import reads: its name in the template file, the other
    spellings it accepts (matched through `header_key`), whether the file
    must have it, and, for the upload page and the template file, what it
    holds and an example cell."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    holds: str = ""
    example: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def also_called(self) -> list[str]:
        """The other spellings as a person would write them."""
        return [header_key(alias) for alias in self.aliases]


@dataclass(frozen=True)
class ImportSpec:
    """What one import reads, declared once: its file format and columns.

    The same declaration finds the columns in an uploaded header, lists the
    columns and the forms they accept on the upload page, and gives the
    template file the page offers for download. `other_columns` false
    refuses any header cell that is not a declared column; `short_rows`
    false makes a row with fewer cells than the header a line error."""

    name: str
    columns: tuple[Column, ...]
    upload_format: UploadFormat = UploadFormat()  # noqa: RUF009 - frozen
    other_columns: bool = True
    short_rows: bool = True
    # Said after the missing columns, such as what file was expected.
    missing_hint: str = ""

    @functools.cached_property
    def spellings(self) -> dict[str, tuple[str, ...]]:
        return {column.key: column.spellings for column in self.columns}

    def table(self, text: str) -> CsvTable:
        return CsvTable(
            text,
            self.spellings,
            other_columns=self.other_columns,
            short_rows=self.short_rows,
            subject=self.upload_format.subject,
        )

    def missing(self, positions: dict[str, int]) -> list[Column]:
        """The required columns a header lacks."""
        return [c for c in self.columns if c.required and c.key not in positions]

    def check_header(self, positions: dict[str, int], *, also_missing: tuple[str, ...] = ()):
        """Refuse a header without the required columns, naming them all, in
        one wording for every import. `also_missing` names requirements the
        declaration cannot say, already quoted ("'UPN' or 'Pupil
        identifier'")."""
        missing = [*also_missing, *(f"'{c.header}'" for c in self.missing(positions))]
        if missing:
            raise CsvFileError(
                f"The header is missing required {'column' if len(missing) == 1 else 'columns'}"
                f": {', '.join(missing)}{self.missing_hint}",
                line=1,
            )

    @property
    def template_file_name(self) -> str:
        return f"{self.name}-template.csv"

    def read(self, text: str, row_rule: "RowRule") -> "ImportRead":
        """Every row the import's rule makes of the file, every line error
        and where the columns are: the header is checked (CsvFileError),
        blank rows skipped, a row with cells outside the header's columns is
        an error of its own, and `row_rule(cells)` gives each other row's
        (row or None, errors)."""
        table = self.table(text)
        self.check_header(table.positions)
        rows, errors = [], []
        for record in table.rows():
            width_problem = table.width_problem(record)
            if width_problem:
                errors.append(LineError(record.line, width_problem))
                continue
            row, row_errors = row_rule(RowCells(table, record))
            errors.extend(row_errors)
            if row is not None and not row_errors:
                rows.append(row)
        return ImportRead(rows, errors, table.positions)

    def template_rows(self) -> tuple[list[str], list[list[str]]]:
        """The template file's header and its one example row (for
        core.csv_export.csv_download, which writes it as Excel reads it)."""
        return (
            [column.header for column in self.columns],
            [[column.example for column in self.columns]],
        )


class RowCells:
    """One row's cells by column key, stripped: blank for a column the file
    lacks (`in` says whether it has it) or a cell the row lacks."""

    def __init__(self, table: CsvTable, record: Record):
        self.table = table
        self.record = record
        self.line = record.line

    def __getitem__(self, column: str) -> str:
        return self.table.cell(self.record, column)

    def __contains__(self, column: str) -> bool:
        return column in self.table.positions

    def as_dict(self) -> dict[str, str]:
        """{column: cell} for the columns the file has."""
        return {column: self[column] for column in self.table.positions}


RowRule = Callable[[RowCells], tuple[object | None, list[LineError]]]


class ImportRead(NamedTuple):
    rows: list
    errors: list[LineError]
    positions: dict[str, int]


# --- Typed cells ---------------------------------------------------------


class CellError(ValueError):
    """A cell cannot be read as its type; the message follows the cell's
    name and value ("date '30/02/2020' is not a real date"): see
    `cell_problem`. `quote_value` is false when the message is about the
    value read, not the text ("9999999999 is too large")."""

    def __init__(self, message: str, *, quote_value: bool = True):
        super().__init__(message)
        self.quote_value = quote_value


DATE_FORMS = "a date like 31/08/2019, 31/8/2019, 31-08-2019, 31.08.2019 or 2019-08-31"


def date_cell(text: str) -> date:
    """A date written ISO (2019-08-31) or day first with slashes, dashes or
    dots (31/08/2019, 31-08-2019, 31.08.2019), as spreadsheets and MIS
    exports write them: the one set of forms every import accepts."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise CellError("is not a date. Write dates like 31/08/2019")
    if match["year"]:
        year, month, day = match["year"], match["month"], match["day"]
    else:
        year, month, day = match["uk_year"], match["uk_month"], match["uk_day"]
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CellError("is not a real date") from None


def cell_problem(label: str, text: str, error: CellError) -> str:
    """The sentence for a cell that cannot be read: "date '30/02/2020' is
    not a real date", "URN 9999999999 is too large (at most 2147483647)"."""
    value = f"'{text}'" if error.quote_value else text
    return f"{label} {value} {error}"


_CODE = re.compile(r"\d+", re.ASCII)


def number_cell(
    text: str,
    *,
    decimal_places: int | None = None,
    whole: bool = False,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    max_digits: int | None = None,
    unit: str = "",
) -> Decimal:
    """A number in the forms the forms and the API accept too
    (core.numbers), within the column's bounds. `unit` is "%" (a trailing
    percent sign is allowed) or "£" (a leading pound sign is allowed);
    `whole` refuses a decimal point; `decimal_places` refuses more places
    and gives the value that many."""
    try:
        value = number_from_text(text, unit=unit, whole=whole)
    except NumberError:
        raise CellError("is not a whole number" if whole else "is not a number") from None
    whole_digits = None if max_digits is None else max_digits - (decimal_places or 0)
    if whole_digits is not None and value.copy_abs() >= Decimal(10) ** whole_digits:
        raise CellError("is too large")
    if decimal_places is not None:
        places = Decimal(1).scaleb(-decimal_places)
        if value != value.quantize(places):
            raise CellError(f"has more than {decimal_places} decimal places")
        value = value.quantize(places)
    if minimum is not None and maximum is not None:
        if not minimum <= value <= maximum:
            raise CellError(f"is not between {minimum} and {maximum}", quote_value=False)
    elif minimum is not None and value < minimum:
        raise CellError(f"must be {minimum} or more", quote_value=False)
    elif maximum is not None and value > maximum:
        raise CellError(f"is too large (at most {maximum})", quote_value=False)
    return value


def whole_number_cell(text: str, *, minimum: int = 0, maximum: int = 2_147_483_647) -> int:
    """A count (pupils, an age): a number with no decimal point, commas
    allowed ("1,200"), from `minimum` to `maximum`."""
    value = number_cell(text, whole=True)
    if value < minimum:
        raise CellError(f"must be {minimum} or more", quote_value=False)
    if value > maximum:
        raise CellError(f"is too large (at most {maximum})", quote_value=False)
    return int(value)


def code_cell(text: str, *, positive: bool = False, maximum: int = 2_147_483_647) -> int:
    """A numeric code (URN, LA code, establishment number): digits only, as
    the register writes them, so "1,200", "12.0" and "-5" are not codes."""
    cleaned = text.strip()
    kind = "a positive whole number" if positive else "a whole number"
    if not _CODE.fullmatch(cleaned) or (positive and int(cleaned) == 0):
        raise CellError(f"is not {kind}")
    if int(cleaned) > maximum:
        raise CellError(f"is too large (at most {maximum})", quote_value=False)
    return int(cleaned)


_YES = frozenset({"y", "yes", "true", "t", "1"})
_NO = frozenset({"n", "no", "false", "f", "0"})
BOOLEAN_FORMS = "Y or N (also yes, no, true, false, 1 or 0); blank is N"


def boolean_cell(text: str) -> bool:
    """Yes or no, as MIS exports and spreadsheets write it; blank is no."""
    key = text.strip().casefold()
    if key in _YES:
        return True
    if key in _NO or not key:
        return False
    raise CellError("must be Y or N")


YEAR_GROUP_FORMS = "R (or Reception) or a number from 1 to 13, like 7, Y7 or Year 7"


def year_group_cell(text: str) -> int:
    """A year group: 0 for Reception, else 1 to 13. "R", "Rec",
    "Reception", "7", "Y7", "Year 7" and "year7" are all accepted."""
    key = text.strip().casefold().removeprefix("year").removeprefix("y").strip()
    if key in ("r", "rec", "reception"):
        return 0
    if _CODE.fullmatch(key) and 0 <= int(key) <= 13:
        return int(key)
    raise CellError("must be Reception (R) or a number from 1 to 13")
