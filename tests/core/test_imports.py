"""The reading layer every import reads through: decoding, lines, records,
columns and the errors that name a line."""

import codecs
from datetime import date
from decimal import Decimal

import pytest

from core.imports import (
    CELL_MAX_CHARACTERS,
    CellError,
    Column,
    CsvFileError,
    CsvTable,
    ImportSpec,
    LineError,
    UploadFormat,
    boolean_cell,
    cell_problem,
    code_cell,
    column_positions,
    date_cell,
    header_key,
    number_cell,
    upload_text,
    whole_number_cell,
    year_group_cell,
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


@pytest.mark.parametrize(
    ("text", "options", "value"),
    [
        ("1200", {}, Decimal("1200")),
        ("1,200.5", {}, Decimal("1200.5")),
        (" -0.5 ", {}, Decimal("-0.5")),
        (".5", {}, Decimal("0.5")),
        ("61.5%", {"unit": "%"}, Decimal("61.5")),
        ("£12,000", {"unit": "£"}, Decimal("12000")),
        ("1.5", {"decimal_places": 2}, Decimal("1.50")),
    ],
)
def test_a_number_is_read_in_the_forms_every_import_accepts(text, options, value):
    assert number_cell(text, **options) == value


@pytest.mark.parametrize(
    ("text", "options", "reason"),
    [
        ("1 200", {}, "is not a number"),
        ("1,2,0", {}, "is not a number"),
        ("1e3", {}, "is not a number"),
        ("NaN", {}, "is not a number"),
        ("61.5%", {}, "is not a number"),
        ("£5", {"unit": "%"}, "is not a number"),
        ("1.5", {"whole": True}, "is not a whole number"),
        ("1.234", {"decimal_places": 2}, "has more than 2 decimal places"),
        ("1000", {"max_digits": 5, "decimal_places": 2}, "is too large"),
        ("101", {"minimum": 0, "maximum": 100}, "is not between 0 and 100"),
    ],
)
def test_a_cell_that_is_not_such_a_number_says_why(text, options, reason):
    with pytest.raises(CellError) as raised:
        number_cell(text, **options)

    assert str(raised.value) == reason


def test_a_cell_problem_names_the_column_and_the_value():
    with pytest.raises(CellError) as text_error:
        number_cell("lots")
    with pytest.raises(CellError) as value_error:
        whole_number_cell("99", maximum=10)

    assert cell_problem("value", "lots", text_error.value) == "value 'lots' is not a number"
    assert cell_problem("Age", "99", value_error.value) == "Age 99 is too large (at most 10)"


@pytest.mark.parametrize(("text", "value"), [("1,200", 1200), ("0", 0), ("+7", 7)])
def test_a_count_takes_the_number_forms_without_a_point(text, value):
    assert whole_number_cell(text) == value


@pytest.mark.parametrize("text", ["1,200", "12.0", "-5", "+5", "٣"])
def test_a_code_is_digits_only(text):
    with pytest.raises(CellError, match="is not a whole number"):
        code_cell(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("Y", True), ("yes", True), ("TRUE", True), ("1", True), ("n", False), ("", False)],
)
def test_yes_or_no_is_read_as_mis_exports_write_it(text, value):
    assert boolean_cell(text) is value


def test_a_cell_that_is_neither_yes_nor_no_is_refused():
    with pytest.raises(CellError, match="must be Y or N"):
        boolean_cell("maybe")


@pytest.mark.parametrize(
    ("text", "value"),
    [("R", 0), ("Reception", 0), ("rec", 0), ("7", 7), ("Y7", 7), ("Year 7", 7), ("year13", 13)],
)
def test_a_year_group_is_read_in_every_common_spelling(text, value):
    assert year_group_cell(text) == value


@pytest.mark.parametrize("text", ["14", "Year", "Y-1", "nursery", ""])
def test_a_year_group_outside_reception_to_13_is_refused(text):
    with pytest.raises(CellError, match="Reception"):
        year_group_cell(text)


# --- Declared imports ----------------------------------------------------------

SPEC = ImportSpec(
    name="pupils",
    columns=(
        Column(
            "pupil_identifier",
            "Pupil identifier",
            ("admission number",),
            required=True,
            holds="Your identifier",
            example="ADM1",
        ),
        Column("year_group", "Year group", required=True, example="Y7"),
        Column("name", "Name", example=""),
    ),
)


def test_a_declared_import_finds_its_columns_by_any_spelling_and_names_those_missing():
    table = SPEC.table("Admission Number,NAME\nA1,Ada\n")

    assert table.positions == {"pupil_identifier": 0, "name": 1}
    assert [column.key for column in SPEC.missing(table.positions)] == ["year_group"]


def test_the_template_file_is_the_declared_header_and_the_example_row():
    assert SPEC.template_rows() == (
        ["Pupil identifier", "Year group", "Name"],
        [["ADM1", "Y7", ""]],
    )
    assert SPEC.template_file_name == "pupils-template.csv"
