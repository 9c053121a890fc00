"""The reading layer every import reads through: decoding, lines, records,
columns and the errors that name a line."""

import codecs
from datetime import date

import pytest

from core.imports import (
    CELL_MAX_CHARACTERS,
    CellError,
    CsvFileError,
    CsvTable,
    LineError,
    UploadFormat,
    column_positions,
    date_cell,
    header_key,
    upload_text,
)
from tests.uploads import same_file_variants

COLUMNS = {
    "pupil_identifier": ("pupil_identifier", "admission number"),
    "name": ("name", "preferred name"),
    "year_group": ("year group",),
}


def refusal(data, upload_format=UploadFormat()):  # noqa: B008 - frozen
    with pytest.raises(CsvFileError) as raised:
        upload_text(data, upload_format)
    return raised.value


# --- Decoding ------------------------------------------------------------------


def test_every_line_ending_and_a_byte_order_mark_give_the_same_text():
    variants = same_file_variants(b'Name,Note\r\nAda,"two\r\nlines"\r\nCy,\r\n')

    texts = {name: upload_text(data) for name, data in variants.items()}

    assert set(texts.values()) == {'Name,Note\nAda,"two\nlines"\nCy,\n'}


def test_the_declared_encoding_is_read():
    data = "Name\r\nCafé\r\n".encode("cp1252")

    assert upload_text(data, UploadFormat(encoding="cp1252")) == "Name\nCafé\n"


def test_a_byte_the_encoding_cannot_have_names_its_line_and_value():
    error = refusal(b"Name\rAda\rCaf\xe9\r")

    assert str(error) == (
        "Line 3 cannot be read as UTF-8: byte e9 is not valid in that encoding. "
        "The selected file must be saved as CSV UTF-8: in Excel, choose Save As, then "
        "'CSV UTF-8 (Comma delimited)'"
    )
    assert error.line == 3


@pytest.mark.parametrize(
    ("data", "upload_format", "found"),
    [
        (codecs.BOM_UTF16_LE + "Name\r\n".encode("utf-16-le"), UploadFormat(), "UTF-16"),
        (codecs.BOM_UTF8 + b"Name\r\n", UploadFormat(encoding="cp1252"), "UTF-8"),
        ("Name\r\nZoë\r\n".encode(), UploadFormat(encoding="cp1252"), "UTF-8"),
    ],
    ids=["UTF-16 for UTF-8", "UTF-8 BOM for Windows-1252", "UTF-8 for Windows-1252"],
)
def test_a_file_in_another_encoding_is_named_as_such(data, upload_format, found):
    assert str(refusal(data, upload_format)).startswith(
        f"The selected file looks {found} encoded; "
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Name\rAda\rB\x00b\r",
            "The selected file is not a CSV file: it contains NUL bytes (first on line 3), "
            "so it looks binary (a spreadsheet, archive or other non-text file)",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "The selected file is not a CSV file: it contains NUL bytes (first on line 1), "
            "so it looks binary (a spreadsheet, archive or other non-text file)",
        ),
        (
            b"Name\r\nAda\x1b\r\n",
            "The selected file is not a CSV file: line 2 contains control character 0x1b, "
            "so it looks binary",
        ),
        (b" \r\n\r\n", "The selected file is empty"),
    ],
    ids=["NUL byte", "spreadsheet", "control character", "empty"],
)
def test_binary_and_empty_files_are_refused(data, message):
    assert str(refusal(data)) == message


def test_a_file_over_the_size_limit_is_refused():
    error = refusal(b"Name\n" + b"x" * 2048, UploadFormat(max_bytes=2048))

    assert str(error) == "The selected file must be smaller than 2KB"


def test_messages_name_the_file_as_the_import_does():
    assert str(refusal(b"", UploadFormat(subject="The file"))) == "The file is empty"


# --- Records -------------------------------------------------------------------


def table(text, **options):
    return CsvTable(text, COLUMNS, **options)


def test_records_name_the_line_they_start_on_and_blank_rows_are_skipped():
    rows = table('\nName,Year group\nAda,"9\n(set 2)"\n,\n  \nCy,10\n').rows()

    assert [(row.line, row.cells) for row in rows] == [
        (3, ["Ada", "9\n(set 2)"]),
        (7, ["Cy", "10"]),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'Name\nAda\n"Bo"b\n',
            "Line 3 is not valid CSV (a quoted cell has text after its closing quote), "
            "so the file cannot be read",
        ),
        (
            'Name\nAda\n"Bob\nCy\n',
            'Line 3 is not valid CSV (a quote (") opens a cell that is never closed), '
            "so the file cannot be read",
        ),
        (
            "Name\nAda\n" + "x" * (CELL_MAX_CHARACTERS + 1) + "\n",
            f"Line 3 is not valid CSV (a cell is longer than {CELL_MAX_CHARACTERS:,} "
            "characters), so the file cannot be read",
        ),
    ],
    ids=["text after a closing quote", "a quote never closed", "an over-long cell"],
)
def test_what_the_csv_module_cannot_read_is_named_by_line(text, message):
    with pytest.raises(CsvFileError) as raised:
        list(table(text).rows())

    assert (str(raised.value), raised.value.line) == (message, 3)


def test_a_cell_at_the_limit_is_read():
    [row] = table("Name\n" + "x" * CELL_MAX_CHARACTERS + "\n").rows()

    assert len(row.cells[0]) == CELL_MAX_CHARACTERS


def test_a_row_with_data_beyond_the_header_is_a_line_error():
    reading = table("Name,Year group\nAda,9,extra\nBo,9,,\nCy\n")

    problems = [reading.width_problem(row) for row in reading.rows()]

    assert problems == ["the row has 3 cells but the header (line 1) has 2 columns", None, None]


def test_machine_written_files_may_refuse_short_rows():
    reading = table("Name,Year group\nCy\n", short_rows=False)

    [row] = reading.rows()
    assert reading.width_problem(row) == "the row has 1 cell but the header (line 1) has 2 columns"


def test_a_file_with_no_header_is_empty():
    with pytest.raises(CsvFileError, match="The selected file is empty"):
        table(",,\n \n")


def test_a_line_error_names_its_line_and_is_a_pair():
    error = LineError(4, "the date is not a real date")

    assert str(error) == "Line 4: the date is not a real date"
    assert error == (4, "the date is not a real date")


# --- Columns -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Pupil ID", "pupil_id", " PUPIL-ID ", "Pupil  ID:"])
def test_one_header_normaliser_for_every_import(name):
    assert header_key(name) == "pupil id"


def test_columns_are_found_by_any_spelling_the_most_preferred_first():
    header = ["Preferred name", "ADMISSION NUMBER", "Name", "Notes"]

    assert column_positions(header, COLUMNS) == {"pupil_identifier": 1, "name": 2}


def test_the_same_column_twice_is_refused():
    with pytest.raises(CsvFileError, match="Column 'name' appears more than once"):
        column_positions(["Name", "Year group", "name"], COLUMNS)


def test_an_import_that_knows_all_its_columns_refuses_others():
    with pytest.raises(CsvFileError, match="Column 'Notes' is not recognised"):
        column_positions(["Name", "Notes"], COLUMNS, other_columns=False)
    with pytest.raises(CsvFileError, match="Column 'Preferred name' appears more than once"):
        column_positions(["Name", "Preferred name"], COLUMNS, other_columns=False)


# --- Typed cells ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2019-08-31", "31/08/2019", "31-08-2019", "31.08.2019", " 31/8/2019 ", "2019-8-31"]
)
def test_every_import_accepts_the_same_date_forms(text):
    assert date_cell(text) == date(2019, 8, 31)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("30/02/2020", "is not a real date"),
        ("2019-13-01", "is not a real date"),
        ("31/08-2019", "is not a date. Write dates like 31/08/2019"),
        ("08/31/19", "is not a date. Write dates like 31/08/2019"),
        ("٣١/٠٨/٢٠١٩", "is not a date. Write dates like 31/08/2019"),
        ("next tuesday", "is not a date. Write dates like 31/08/2019"),
    ],
)
def test_a_cell_that_is_not_a_date_says_why(text, reason):
    with pytest.raises(CellError) as raised:
        date_cell(text)

    assert str(raised.value) == reason
