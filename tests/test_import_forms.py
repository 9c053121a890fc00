"""Every import reads dates, numbers and headers the same way, and names
the line of the file as uploaded (issue 11, ADR 0014).

Each case takes an import's good file (tests/uploads.py), puts a blank line
before its first row, so that row is line 3 of the file though it is the
second record, writes one form into one cell (or into the header) and runs
the import's own checks, without writing: GIAS, roster, attendance (the
line-by-line path), measurements and actions. A form is accepted by every
import that has such a cell, or refused by every one, each naming line 3.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.db import transaction
from rest_framework import serializers

from areas import gias
from core.api import NumberField as ApiNumberField
from core.api import WholeNumberField as ApiWholeNumberField
from core.csv_export import csv_text
from core.forms import NumberField, WholeNumberField
from core.imports import (
    CellError,
    CsvFileError,
    LineError,
    number_cell,
    upload_text,
    whole_number_cell,
)
from core.numbers import PERCENT, POUNDS
from encounters import attendance_bulk
from encounters import services as encounter_services
from encounters.attendance_files import (
    ATTENDANCE_IMPORT,
    AttendanceLookups,
    pseudonymise_attendance,
    resolve_attendance,
)
from encounters.models import Encounter
from encounters.roster_files import ROSTER_IMPORT, parse_roster
from encounters.services import attendance_import
from plans import imports as plan_imports
from plans.api import ActionUpdateSerializer
from plans.forms import ActionUpdateForm, MeasurementForm
from plans.models import Unit, unit_mark
from tests import uploads

pytestmark = pytest.mark.django_db

ATTENDANCE_TODAY = date(2018, 8, 31)

# The cell each import reads as a date, and the day written there; the day
# is after the 12th, so a month-first form cannot pass as day-first.
DATE_CELLS = {
    "roster": ("Entry date", date(2017, 9, 14)),
    "attendance": ("Date", date(2018, 3, 14)),
    "measurements": ("date", date(2019, 8, 31)),
    "actions": ("start date", date(2020, 9, 14)),
}
# The cell each import reads as a number.
NUMBER_CELLS = {
    "gias": gias.NUMBER_OF_PUPILS,
    "measurements": "value",
    "actions": "budget",
}
DECIMAL_CELLS = {
    "gias": gias.PERCENTAGE_FSM,
    "measurements": "value",
    "actions": "budget",
}
IMPORTS = ("gias", "roster", "attendance", "measurements", "actions")
BAD_LINE = 3

ACCEPTED_DATE_FORMS = {
    "ISO": lambda day: f"{day:%Y-%m-%d}",
    "ISO, no leading zero": lambda day: f"{day.year}-{day.month}-{day.day}",
    "day first, slashes": lambda day: f"{day:%d/%m/%Y}",
    "day first, dashes": lambda day: f"{day:%d-%m-%Y}",
    "day first, dots": lambda day: f"{day:%d.%m.%Y}",
    "day first, no leading zero": lambda day: f"{day.day}/{day.month}/{day.year}",
    "with spaces around": lambda day: f" {day:%d/%m/%Y} ",
}
REFUSED_DATE_FORMS = {
    "month first": lambda day: f"{day:%m/%d/%Y}",
    "two-digit year": lambda day: f"{day:%d/%m/%y}",
    "month name": lambda day: f"{day:%d %B %Y}",
    "year first, slashes": lambda day: f"{day:%Y/%m/%d}",
    "mixed separators": lambda day: f"{day:%d/%m-%Y}",
    "not a real day": lambda day: f"31/02/{day.year}",
    "words": lambda day: "next tuesday",
}
ACCEPTED_NUMBERS = {"1200": 1200, "1,200": 1200, " 1200 ": 1200, "+1200": 1200}
REFUSED_NUMBERS = ("1 200", "1,20,0", "1.200,00", "1e3", "0x4B0", "NaN", "Infinity", "twelve")
ACCEPTED_DECIMALS = ("61.5", "61.50", "+61.5", "0.5", ".5")
REFUSED_DECIMALS = ("61,5", "61.5.0", "6 1.5", ".", "61.5e0")
HEADER_FORMS = {
    "lower case": str.lower,
    "upper case": str.upper,
    "underscores": lambda name: name.replace(" ", "_"),
    "spaces around": lambda name: f"  {name} ",
    "title case": str.title,
}


@pytest.fixture
def importing(reference_areas):
    return uploads.importing_setup()


def good_table(name, importing):
    text = uploads.good_file_text(name, indicator_names=importing["indicator_names"])
    header, first, *_ = csv.reader(io.StringIO(text))
    return header, first


def file_with(header, row, *, encoding):
    """The header, a blank line, then the row: the row is line 3."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    buffer.write("\r\n")
    writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def with_cell(name, importing, column, value):
    header, row = good_table(name, importing)
    row[header.index(column)] = value
    if name == "actions" and column == "start date":
        row[header.index("due date")] = "31/07/2021"
    return file_with(header, row, encoding=_encoding(name))


def _encoding(name):
    return gias.DEFAULT_ENCODING if name == "gias" else "utf-8"


def line_errors(name, data, importing) -> list[LineError]:
    """What the import's own checks say about every line of the file (none:
    it would be imported), or CsvFileError for the file as a whole."""
    if name == "gias":
        try:
            gias.gias_csv_parse(data)
        except gias.GiasImportError as error:
            return error.errors
        except gias.GiasFileError as error:
            raise CsvFileError(str(error)) from None
        return []
    if name == "roster":
        return parse_roster(upload_text(data))[1]
    if name == "attendance":
        text = upload_text(data)
        lookups = AttendanceLookups(school=importing["school"], today=ATTENDANCE_TODAY)
        return resolve_attendance(
            school=importing["school"],
            text=pseudonymise_attendance(text),
            today=ATTENDANCE_TODAY,
            lookups=lookups,
        ).errors
    text = plan_imports.csv_text_decode(data)
    if name == "measurements":
        return plan_imports.measurements_csv_preview(area=importing["area"], text=text).errors
    return plan_imports.actions_csv_preview(plan=importing["draft"], text=text).errors


@pytest.mark.parametrize("name", IMPORTS)
def test_the_good_file_with_a_blank_line_is_accepted(name, importing):
    header, row = good_table(name, importing)

    assert line_errors(name, file_with(header, row, encoding=_encoding(name)), importing) == []


@pytest.mark.parametrize("form", ACCEPTED_DATE_FORMS)
@pytest.mark.parametrize("name", DATE_CELLS)
def test_every_import_accepts_the_same_date_forms(name, form, importing):
    column, day = DATE_CELLS[name]

    data = with_cell(name, importing, column, ACCEPTED_DATE_FORMS[form](day))

    assert line_errors(name, data, importing) == []


@pytest.mark.parametrize("form", [*ACCEPTED_DATE_FORMS, *REFUSED_DATE_FORMS])
def test_the_attendance_copy_path_reads_dates_as_the_line_by_line_path_does(
    form, importing, monkeypatch
):
    """On PostgreSQL a good attendance file is staged with COPY (here one with
    no blank line, which that path takes); a file with a bad row falls back
    to the line-by-line path, which names the line."""
    column, day = DATE_CELLS["attendance"]
    written = ACCEPTED_DATE_FORMS.get(form) or REFUSED_DATE_FORMS[form]
    header, row = good_table("attendance", importing)
    row[header.index(column)] = written(day)
    text = csv_text(header, [row])
    staged = []

    def stage(**kwargs):
        staged.append(attendance_bulk.attendance_stage(**kwargs))
        return staged[-1]

    monkeypatch.setattr(encounter_services, "attendance_stage", stage)

    with transaction.atomic():
        result = attendance_import(school=importing["school"], text=text, today=ATTENDANCE_TODAY)
        encounters = Encounter.objects.filter(school=importing["school"])
        dates = set(encounters.values_list("date", flat=True))
        transaction.set_rollback(True)

    if form in ACCEPTED_DATE_FORMS:
        assert (result.errors, dates, staged[0] is not None) == ([], {day}, True)
    else:
        assert ([error.line for error in result.errors], dates, staged) == ([2], set(), [None])


@pytest.mark.parametrize("form", REFUSED_DATE_FORMS)
@pytest.mark.parametrize("name", DATE_CELLS)
def test_every_import_refuses_the_same_date_forms_naming_the_line(name, form, importing):
    column, day = DATE_CELLS[name]
    value = REFUSED_DATE_FORMS[form](day)

    errors = line_errors(name, with_cell(name, importing, column, value), importing)

    assert [error.line for error in errors] == [BAD_LINE]
    assert f"'{value}'" in errors[0].message
    assert "not a date" in errors[0].message or "not a real date" in errors[0].message


@pytest.mark.parametrize("text", ACCEPTED_NUMBERS)
@pytest.mark.parametrize("name", NUMBER_CELLS)
def test_every_import_accepts_the_same_number_forms(name, text, importing):
    data = with_cell(name, importing, NUMBER_CELLS[name], text)

    assert line_errors(name, data, importing) == []


@pytest.mark.parametrize("text", REFUSED_NUMBERS)
@pytest.mark.parametrize("name", NUMBER_CELLS)
def test_every_import_refuses_the_same_number_forms_naming_the_line(name, text, importing):
    errors = line_errors(name, with_cell(name, importing, NUMBER_CELLS[name], text), importing)

    assert [error.line for error in errors] == [BAD_LINE]
    assert f"'{text}' is not a" in errors[0].message


@pytest.mark.parametrize("text", ACCEPTED_DECIMALS)
@pytest.mark.parametrize("name", DECIMAL_CELLS)
def test_every_import_accepts_the_same_decimal_forms(name, text, importing):
    data = with_cell(name, importing, DECIMAL_CELLS[name], text)

    assert line_errors(name, data, importing) == []


@pytest.mark.parametrize("text", REFUSED_DECIMALS)
@pytest.mark.parametrize("name", DECIMAL_CELLS)
def test_every_import_refuses_the_same_decimal_forms_naming_the_line(name, text, importing):
    errors = line_errors(name, with_cell(name, importing, DECIMAL_CELLS[name], text), importing)

    assert [error.line for error in errors] == [BAD_LINE]
    assert f"'{text}' is not a number" in errors[0].message


# A unit mark is read where the column is in that unit, and only there.
UNIT_MARKS = [
    ("gias", gias.PERCENTAGE_FSM, "61.5%", True),
    ("measurements", "value", "61.5%", True),
    ("actions", "budget", "£61.50", True),
    ("gias", gias.PERCENTAGE_FSM, "£61.5", False),
    ("measurements", "value", "£61.5", False),
    ("actions", "budget", "61.5%", False),
]


@pytest.mark.parametrize(("name", "column", "text", "accepted"), UNIT_MARKS)
def test_a_unit_mark_is_read_only_in_a_column_of_that_unit(name, column, text, accepted, importing):
    errors = line_errors(name, with_cell(name, importing, column, text), importing)

    if accepted:
        assert errors == []
    else:
        assert errors == [LineError(BAD_LINE, f"{column} '{text}' is not a number")]


@pytest.mark.parametrize("form", HEADER_FORMS)
@pytest.mark.parametrize("name", IMPORTS)
def test_every_import_reads_the_same_header_forms(name, form, importing):
    header, row = good_table(name, importing)
    header = [HEADER_FORMS[form](column) for column in header]

    assert line_errors(name, file_with(header, row, encoding=_encoding(name)), importing) == []


@pytest.mark.parametrize("name", IMPORTS)
def test_every_import_refuses_a_column_named_twice(name, importing):
    header, row = good_table(name, importing)
    header, row = [*header, header[0].upper()], [*row, row[0]]

    with pytest.raises(CsvFileError, match="appears more than once"):
        line_errors(name, file_with(header, row, encoding=_encoding(name)), importing)


@pytest.mark.parametrize("name", ["roster", "attendance"])
def test_pupil_id_is_the_pupil_identifier_to_every_import_that_reads_one(name, importing):
    header, row = good_table(name, importing)
    header = ["Pupil ID" if column == "Pupil identifier" else column for column in header]

    assert line_errors(name, file_with(header, row, encoding=_encoding(name)), importing) == []


SPECS = {
    "gias": gias.GIAS_IMPORT,
    "roster": ROSTER_IMPORT,
    "attendance": ATTENDANCE_IMPORT,
    "measurements": plan_imports.MEASUREMENT_IMPORT,
    "actions": plan_imports.ACTION_IMPORT,
}


@pytest.mark.parametrize("name", IMPORTS)
def test_every_import_names_a_missing_column_in_the_same_words(name, importing):
    header, row = good_table(name, importing)
    required = next(column for column in SPECS[name].columns if column.required)
    keep = [index for index, column in enumerate(header) if column != required.header]

    with pytest.raises(CsvFileError) as raised:
        line_errors(
            name,
            file_with([header[i] for i in keep], [row[i] for i in keep], encoding=_encoding(name)),
            importing,
        )

    assert str(raised.value).startswith(
        f"The header is missing required column: '{required.header}'"
    )


# --- One number parser for forms, API and imports (issue 14 item 5) --------
#
# Each written form, in a field of each unit, goes through the three
# surfaces that take typed numbers: a form field (core.forms.NumberField), an
# API field (core.api.NumberField) and an import cell (core.imports.
# number_cell). Each accepts it, with the same value, or each refuses it.

NUMBER_CASES = [
    # (written, unit, value read, or None where refused)
    ("1200", "", Decimal("1200")),
    ("1,200", "", Decimal("1200")),
    (" 9,100 ", "", Decimal("9100")),
    ("+1200", "", Decimal("1200")),
    ("-0.5", "", Decimal("-0.5")),
    ("12,500.5", "", Decimal("12500.5")),
    ("£12,500", POUNDS, Decimal("12500")),
    ("-£5", POUNDS, Decimal("-5")),
    ("12,500", POUNDS, Decimal("12500")),
    ("61.5%", PERCENT, Decimal("61.5")),
    ("61.5 %", PERCENT, Decimal("61.5")),
    ("61.5", PERCENT, Decimal("61.5")),
    ("£12,500", "", None),
    ("£12,500", PERCENT, None),
    ("61.5%", "", None),
    ("61.5%", POUNDS, None),
    ("1,2,00", "", None),
    ("1,20,0", "", None),
    ("61,5", "", None),
    ("1 200", "", None),
    ("1e3", "", None),
    ("1E3", POUNDS, None),
    ("inf", "", None),
    ("Infinity", "", None),
    ("nan", PERCENT, None),
    ("0x4B0", "", None),
    ("twelve", "", None),
]


def _form_reads(text, unit):
    class Form(forms.Form):
        figure = NumberField(label="Figure", unit=unit, max_digits=12, decimal_places=3)

    form = Form({"figure": text})
    return (form.cleaned_data["figure"], None) if form.is_valid() else (None, form.errors)


def _api_reads(text, unit):
    class Input(serializers.Serializer):
        figure = ApiNumberField(unit=unit, max_digits=12, decimal_places=3)

    data = Input(data={"figure": text})
    return (data.validated_data["figure"], None) if data.is_valid() else (None, data.errors)


def _import_reads(text, unit):
    try:
        return number_cell(text, unit=unit), None
    except CellError as error:
        return None, str(error)


@pytest.mark.parametrize(("text", "unit", "value"), NUMBER_CASES)
def test_forms_the_api_and_imports_read_a_written_number_alike(text, unit, value):
    reads = {
        "form": _form_reads(text, unit),
        "api": _api_reads(text, unit),
        "import": _import_reads(text, unit),
    }

    if value is None:
        assert {surface: read[0] for surface, read in reads.items()} == dict.fromkeys(reads)
        assert all(read[1] for read in reads.values())
    else:
        assert reads == dict.fromkeys(reads, (value, None))


WHOLE_NUMBER_CASES = [
    ("1,200", 1200),
    (" 45 ", 45),
    ("+7", 7),
    ("12.5", None),
    ("12.0", None),
    ("1,20,0", None),
    ("1e3", None),
    ("45%", None),
    ("£45", None),
    ("forty", None),
]


@pytest.mark.parametrize(("text", "value"), WHOLE_NUMBER_CASES)
def test_forms_the_api_and_imports_read_a_written_whole_number_alike(text, value):
    class Form(forms.Form):
        count = WholeNumberField(label="Count")

    class Input(serializers.Serializer):
        count = ApiWholeNumberField()

    form, data = Form({"count": text}), Input(data={"count": text})
    try:
        cell = whole_number_cell(text)
    except CellError:
        cell = None

    reads = {
        "form": form.cleaned_data["count"] if form.is_valid() else None,
        "api": data.validated_data["count"] if data.is_valid() else None,
        "import": cell,
    }
    assert reads == dict.fromkeys(reads, value)
    assert all(type(read) is int for read in reads.values()) or value is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e3", "Spend to date must be written out in full"),
        ("1,2,00", "Spend to date must have commas only between groups of 3 digits"),
        ("61.5%", "Spend to date cannot end in %: it is not a percentage"),
        ("twelve", "Spend to date must be an amount of money, like 12,500"),
    ],
)
def test_a_refused_number_is_named_in_the_forms_and_api_words(text, message):
    form = ActionUpdateForm({"spend_to_date": text})
    api_field = ApiNumberField(unit=POUNDS, max_digits=12, decimal_places=2)
    api_field.bind("spend_to_date", None)

    with pytest.raises(serializers.ValidationError) as refused:
        api_field.to_internal_value(text)

    assert form.errors["spend_to_date"][0].startswith(message)
    assert str(refused.value.detail[0]).startswith(message)


# What the service prints, typed back: through the form, the API and the CSV.
PRINTED = [("9,100", Decimal("9100")), ("£12,500", Decimal("12500"))]


@pytest.mark.parametrize(("text", "value"), PRINTED)
def test_spend_the_service_prints_is_accepted_by_form_api_and_import(text, value, importing):
    form = ActionUpdateForm(
        {
            "status": "on_track",
            "narrative": "Going well",
            "spend_to_date": text,
            "date_0": "1",
            "date_1": "9",
            "date_2": "2018",
        }
    )
    field = ActionUpdateSerializer().fields["spend_to_date"]

    assert form.is_valid(), form.errors
    assert form.cleaned_data["spend_to_date"] == value
    assert field.run_validation(text) == value
    assert line_errors("actions", with_cell("actions", importing, "budget", text), importing) == []


def test_a_percentage_is_accepted_for_a_percentage_indicator_only(importing):
    indicator = importing["area"].plans.get(status="published").indicators.first()
    percentage = MeasurementForm(_measurement_data("61.5%"), number_unit=indicator.number_unit)
    count = MeasurementForm(_measurement_data("61.5%"), number_unit=unit_mark(Unit.COUNT))
    written = with_cell("measurements", importing, "value", "61.5%")

    assert indicator.unit == Unit.PERCENTAGE
    assert percentage.is_valid(), percentage.errors
    assert percentage.cleaned_data["value"] == Decimal("61.5")
    assert count.errors["value"] == ["Value cannot end in %: it is not a percentage"]
    assert line_errors("measurements", written, importing) == []

    # The published indicators, every one made a count (the file names the first).
    importing["area"].plans.get(status="published").indicators.update(unit=Unit.COUNT)

    assert line_errors("measurements", written, importing) == [
        LineError(BAD_LINE, "value '61.5%' is not a number")
    ]


def _measurement_data(value):
    return {"date_0": "31", "date_1": "8", "date_2": "2019", "value": value, "status": "final"}
