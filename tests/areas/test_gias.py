"""The GIAS extract format: parsing and writing, no database."""

import codecs
import csv
import io
from decimal import Decimal

import pytest

from areas import gias
from areas.gias import GiasFileError, GiasImportError, gias_csv_bytes, gias_csv_parse
from core.imports import LineError

REQUIRED_HEADER = ",".join(gias.REQUIRED_COLUMNS)


def row_errors(data, **options):
    with pytest.raises(GiasImportError) as raised:
        gias_csv_parse(data, **options)
    return [str(error) for error in raised.value.errors]


def file_error(data, **options):
    with pytest.raises(GiasFileError) as raised:
        gias_csv_parse(data, **options)
    assert not isinstance(raised.value, GiasImportError)
    return str(raised.value)


def one_row_file(gias_school, **columns):
    return gias_csv_bytes([gias_school(100001, **columns)])


# --- Reading a good extract ---------------------------------------------------


def test_reads_a_windows_1252_extract_with_extra_columns(gias_school):
    data = gias_csv_bytes(
        [
            gias_school(100001, name="St Mary’s Church of England Primary School"),
            gias_school(
                100002,
                name="Café École",
                la_code=845,
                la_name="East Sussex",
                district="Hastings",
                **{gias.TRUST_NAME: "Hastings Academies Trust", gias.PERCENTAGE_FSM: "40"},
            ),
        ]
    )
    assert b"St Mary\x92s" in data  # the Windows-1252 apostrophe
    header = next(csv.reader(io.StringIO(data.decode("cp1252"))))
    assert len(header) > 50

    first, second = gias_csv_parse(data)

    assert first == gias.GiasRow(
        line=2,
        urn=100001,
        la_code=890,
        la_name="Blackpool",
        new_la_code="E06000009",
        establishment_number=2001,
        name="St Mary’s Church of England Primary School",
        establishment_type="Academy converter",
        status="Open",
        phase="Primary",
        statutory_low_age=4,
        statutory_high_age=11,
        number_of_pupils=210,
        percentage_fsm=Decimal("23.5"),
        trust_name="",
        district="Blackpool",
        postcode="FY1 1AA",
    )
    assert (second.line, second.name, second.la_code, second.district) == (
        3,
        "Café École",
        845,
        "Hastings",
    )
    assert (second.trust_name, second.percentage_fsm) == ("Hastings Academies Trust", 40)


def test_columns_may_come_in_any_order(gias_school):
    rows = list(csv.reader(io.StringIO(one_row_file(gias_school).decode("cp1252"))))
    reversed_data = "\r\n".join(",".join(reversed(row)) for row in rows).encode("cp1252")

    (row,) = gias_csv_parse(reversed_data)

    assert (row.urn, row.name, row.district) == (100001, "School 100001", "Blackpool")


def test_blank_cells_are_none_or_empty_and_whitespace_is_trimmed(gias_school):
    data = one_row_file(
        gias_school,
        name="  Padded  Name ",
        district=" Blackpool ",
        **{
            gias.ESTABLISHMENT_NUMBER: "",
            gias.PHASE: " ",
            gias.STATUTORY_LOW_AGE: "",
            gias.STATUTORY_HIGH_AGE: "",
            gias.NUMBER_OF_PUPILS: "",
            gias.PERCENTAGE_FSM: "",
            gias.POSTCODE: " FY1 1AA ",
            gias.URN: " 100001 ",
        },
    )

    (row,) = gias_csv_parse(data)

    assert row.urn == 100001
    assert row.name == "Padded  Name"
    assert row.district == "Blackpool"
    assert row.postcode == "FY1 1AA"
    assert row.phase == ""
    assert row.establishment_number is None
    assert row.statutory_low_age is row.statutory_high_age is None
    assert row.number_of_pupils is row.percentage_fsm is None


def test_optional_columns_may_be_absent():
    data = (REQUIRED_HEADER + "\r\n100001,890,Blackpool,A School,Open,Blackpool\r\n").encode()

    (row,) = gias_csv_parse(data)

    assert (row.urn, row.name, row.status) == (100001, "A School", "Open")
    assert row.phase == row.postcode == row.trust_name == row.new_la_code == ""
    assert row.number_of_pupils is row.percentage_fsm is row.establishment_number is None


@pytest.mark.parametrize("marker", ["SUPP", "NA", "x", "c", "z", "supp"])
def test_suppression_markers_mean_no_figure(gias_school, marker):
    data = one_row_file(gias_school, **{gias.NUMBER_OF_PUPILS: marker, gias.PERCENTAGE_FSM: marker})

    (row,) = gias_csv_parse(data)

    assert row.number_of_pupils is None
    assert row.percentage_fsm is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "0.0"), ("100", "100.0"), ("23.45", "23.5"), ("7.04", "7.0"), (".5", "0.5")],
)
def test_percentage_fsm_is_kept_to_one_decimal_place(gias_school, value, expected):
    (row,) = gias_csv_parse(one_row_file(gias_school, **{gias.PERCENTAGE_FSM: value}))

    assert str(row.percentage_fsm) == expected


def test_blank_lines_are_skipped_and_lines_are_physical_lines(gias_school):
    text = gias_csv_bytes(
        [gias_school(100001, name="Line\nBreak School"), gias_school(100002)]
    ).decode("cp1252")
    header, rest = text.split("\r\n", 1)
    data = (header + "\r\n\r\n" + rest + ",,,\r\n\r\n").encode("cp1252")

    first, second = gias_csv_parse(data)

    assert (first.line, first.name) == (3, "Line\nBreak School")
    assert second.line == 5


def test_utf8_is_read_when_asked(gias_school):
    data = gias_csv_bytes([gias_school(100001, name="Ysgol Gŵyr")], encoding="utf-8")

    (row,) = gias_csv_parse(data, encoding="utf-8")
    (with_bom,) = gias_csv_parse(codecs.BOM_UTF8 + data, encoding="utf-8")

    assert row.name == with_bom.name == "Ysgol Gŵyr"


# --- Row errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (gias.URN, "abc", "Line 2: URN 'abc' is not a positive whole number"),
        (gias.URN, "0", "Line 2: URN '0' is not a positive whole number"),
        (gias.URN, "-5", "Line 2: URN '-5' is not a positive whole number"),
        (gias.URN, "12.0", "Line 2: URN '12.0' is not a positive whole number"),
        (gias.URN, "", "Line 2: URN is blank"),
        (gias.URN, "9999999999", "Line 2: URN 9999999999 is too large (at most 2147483647)"),
        (gias.LA_CODE, "ABC", "Line 2: LA (code) 'ABC' is not a whole number"),
        (gias.LA_CODE, "", "Line 2: LA (code) is blank"),
        (gias.LA_NAME, "", "Line 2: LA (name) is blank"),
        (gias.ESTABLISHMENT_NAME, "  ", "Line 2: EstablishmentName is blank"),
        (gias.ESTABLISHMENT_STATUS, "", "Line 2: EstablishmentStatus (name) is blank"),
        (
            gias.ESTABLISHMENT_NUMBER,
            "12A",
            "Line 2: EstablishmentNumber '12A' is not a whole number",
        ),
        (gias.STATUTORY_LOW_AGE, "four", "Line 2: StatutoryLowAge 'four' is not a whole number"),
        (gias.STATUTORY_HIGH_AGE, "11.5", "Line 2: StatutoryHighAge '11.5' is not a whole number"),
        (gias.STATUTORY_HIGH_AGE, "SUPP", "Line 2: StatutoryHighAge 'SUPP' is not a whole number"),
        (gias.NUMBER_OF_PUPILS, "-3", "Line 2: NumberOfPupils -3 must be 0 or more"),
        (gias.NUMBER_OF_PUPILS, "1,2,0", "Line 2: NumberOfPupils '1,2,0' is not a whole number"),
        (gias.PERCENTAGE_FSM, "high", "Line 2: PercentageFSM 'high' is not a number"),
        (gias.PERCENTAGE_FSM, "NaN", "Line 2: PercentageFSM 'NaN' is not a number"),
        (gias.PERCENTAGE_FSM, "100.1", "Line 2: PercentageFSM 100.1 is not between 0 and 100"),
        (gias.PERCENTAGE_FSM, "-0.5", "Line 2: PercentageFSM -0.5 is not between 0 and 100"),
        (
            gias.POSTCODE,
            "FY1 1AA EXTRA",
            "Line 2: Postcode is 13 characters long; at most 10 are allowed",
        ),
    ],
)
def test_a_bad_cell_names_its_line_and_column(gias_school, column, value, message):
    assert row_errors(one_row_file(gias_school, **{column: value})) == [message]


def test_counts_and_percentages_take_the_number_forms_every_import_accepts(gias_school):
    (row,) = gias_csv_parse(
        one_row_file(gias_school, **{gias.NUMBER_OF_PUPILS: "1,200", gias.PERCENTAGE_FSM: "23.5%"})
    )

    assert (row.number_of_pupils, row.percentage_fsm) == (1200, Decimal("23.5"))


def test_every_bad_cell_in_every_row_is_reported(gias_school):
    data = gias_csv_bytes(
        [
            gias_school(100001),
            gias_school(100002, name="", **{gias.PERCENTAGE_FSM: "120"}),
            gias_school(100003),
            gias_school(100004, la_code="X9"),
        ]
    )

    with pytest.raises(GiasImportError) as raised:
        gias_csv_parse(data)

    assert [str(e) for e in raised.value.errors] == [
        "Line 3: EstablishmentName is blank",
        "Line 3: PercentageFSM 120 is not between 0 and 100",
        "Line 5: LA (code) 'X9' is not a whole number",
    ]
    assert str(raised.value) == "2 rows have errors"
    assert raised.value.errors[0] == LineError(3, f"{gias.ESTABLISHMENT_NAME} is blank")


def test_a_repeated_urn_names_both_lines(gias_school):
    data = gias_csv_bytes(
        [gias_school(100001), gias_school(100002), gias_school(100001, name="Again")]
    )

    assert row_errors(data) == ["Line 4: URN 100001 is also on line 2"]


def test_a_row_with_the_wrong_number_of_cells_is_an_error(gias_school):
    text = one_row_file(gias_school).decode("cp1252")
    data = (text + "100002,890,Blackpool\r\n").encode("cp1252")
    columns = text.split("\r\n")[0].count(",") + 1

    assert row_errors(data) == [
        f"Line 3: the row has 3 cells but the header (line 1) has {columns} columns"
    ]


# --- Whole-file errors --------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"\r\n"])
def test_an_empty_file_is_refused(data):
    assert file_error(data) == "The file is empty."


def test_a_header_without_rows_is_refused():
    assert file_error((REQUIRED_HEADER + "\r\n").encode()) == (
        "The file has a header but no rows of schools."
    )


def test_missing_required_columns_are_named():
    data = b"URN,LA (name),EstablishmentName,EstablishmentStatus (name)\r\n1,A,B,Open\r\n"

    assert file_error(data) == (
        "The header is missing required columns: 'LA (code)', "
        "'DistrictAdministrative (name)'. Is this a GIAS establishment fields extract?"
    )


def test_a_single_missing_column_is_named():
    header = REQUIRED_HEADER.replace(",DistrictAdministrative (name)", "")

    assert "missing required column: 'DistrictAdministrative (name)'." in file_error(
        (header + "\r\n1,890,Blackpool,A,Open\r\n").encode()
    )


def test_a_repeated_service_column_is_refused():
    data = (REQUIRED_HEADER + ",URN\r\n1,890,Blackpool,A,Open,Blackpool,2\r\n").encode()

    assert file_error(data) == (
        "Column 'URN' appears more than once, so it is unclear which to read."
    )


UTF8_MESSAGE = (
    "The file looks UTF-8 encoded; GIAS extracts are Windows-1252 — pass "
    "--encoding utf-8 if this is intended."
)


def test_a_utf8_file_with_non_ascii_text_is_refused(gias_school):
    data = gias_csv_bytes([gias_school(100001, name="St Mary’s")], encoding="utf-8")

    assert file_error(data) == UTF8_MESSAGE


def test_a_utf8_bom_is_refused_even_when_the_rest_is_ascii(gias_school):
    assert file_error(codecs.BOM_UTF8 + one_row_file(gias_school)) == UTF8_MESSAGE


def test_a_utf16_file_is_refused(gias_school):
    data = gias_csv_bytes([gias_school(100001)], encoding="utf-16")

    assert file_error(data) == (
        "The file looks UTF-16 encoded; GIAS extracts are Windows-1252 — pass "
        "--encoding utf-16 if this is intended."
    )
    (row,) = gias_csv_parse(data, encoding="utf-16")
    assert row.urn == 100001


def test_bytes_outside_the_encoding_name_the_line(gias_school):
    data = gias_csv_bytes(
        [gias_school(100001), gias_school(100002, name="Bad \x81 byte")], encoding="latin-1"
    )

    assert file_error(data) == (
        "Line 3 cannot be read as Windows-1252: byte 81 is not valid in that encoding. "
        "Check the file's encoding and pass --encoding if it is not Windows-1252."
    )


def test_binary_data_is_refused():
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4

    assert file_error(data) == (
        "The file is not a CSV file: it contains NUL bytes (first on line 3), so it looks "
        "binary (a spreadsheet, archive or other non-text file)."
    )


def test_control_characters_are_refused():
    data = (REQUIRED_HEADER + "\r\n1,890,Blackpool,A\x1bB,Open,Blackpool\r\n").encode()

    assert file_error(data) == (
        "The file is not a CSV file: line 2 contains control character 0x1b, so it looks binary."
    )


def test_broken_quoting_is_refused():
    data = (REQUIRED_HEADER + '\r\n1,890,"Black"pool,A,Open,Blackpool\r\n').encode()

    assert file_error(data) == (
        "Line 2 is not valid CSV (a quoted cell has text after its closing quote), so the "
        "file cannot be read."
    )


def test_text_that_is_not_a_gias_extract_is_refused():
    message = file_error(b"<html><body>Not found</body></html>\n")

    assert message.startswith("The header is missing required columns: 'URN', 'LA (code)'")


def test_an_unknown_encoding_is_refused(gias_school):
    assert file_error(one_row_file(gias_school), encoding="klingon") == (
        "Unknown encoding 'klingon'."
    )


# --- Writing ------------------------------------------------------------------


def test_the_writer_writes_gias_columns_with_extras_and_blank_cells(gias_school):
    data = gias_csv_bytes([{gias.URN: 100001, gias.ESTABLISHMENT_NAME: "Café", "Custom": 1}])

    header, row = list(csv.reader(io.StringIO(data.decode("cp1252"), newline="")))
    assert data.endswith(b"\r\n")
    assert b"Caf\xe9" in data
    assert set(gias.SERVICE_COLUMNS) < set(header)
    assert {"EstablishmentTypeGroup (name)", "OpenDate", "CloseDate", "Street", "Town"} < set(
        header
    )
    assert {"SchoolCapacity", "OfstedRating (name)", "UKPRN"} < set(header)
    assert header[-1] == "Custom"
    assert len(header) == len(set(header))
    cells = dict(zip(header, row, strict=True))
    assert (cells[gias.URN], cells[gias.ESTABLISHMENT_NAME], cells["Custom"]) == (
        "100001",
        "Café",
        "1",
    )
    assert cells[gias.DISTRICT] == cells["OpenDate"] == ""


def test_the_writer_can_leave_out_extra_columns():
    data = gias_csv_bytes([{gias.URN: 1}], extra_columns=False)

    header = data.decode("cp1252").split("\r\n")[0].split(",")
    assert sorted(header) == sorted(gias.SERVICE_COLUMNS)


def test_written_files_read_back_unchanged(gias_school):
    rows = [
        gias_school(100001, name="St Mary’s"),
        gias_school(100002, name='The "Quoted", School', **{gias.PERCENTAGE_FSM: None}),
    ]

    parsed = gias_csv_parse(gias_csv_bytes(rows))

    assert [(r.urn, r.name, r.percentage_fsm) for r in parsed] == [
        (100001, "St Mary’s", Decimal("23.5")),
        (100002, 'The "Quoted", School', None),
    ]
