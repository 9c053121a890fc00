import csv
import io
from decimal import Decimal

import pytest

from core.csv_export import csv_download, csv_safe


@pytest.mark.parametrize(
    "dangerous",
    ["=1+1", "+44 20", "-2+3", "-A1", "-1,234", "- 2", "-2.", "+2", "@SUM(A1)", "\tx", "\rx"],
)
def test_formula_cells_are_escaped(dangerous):
    assert csv_safe(dangerous) == "'" + dangerous


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-2, "-2"),
        (Decimal("-1.5"), "-1.5"),
        (None, ""),
        # Published figures arrive as text (Cell.csv_value): a negative gap
        # such as Bradford's is a number, not a formula.
        ("-2.4", "-2.4"),
        ("-2", "-2"),
        ("-0.05", "-0.05"),
        ("12.5", "12.5"),
    ],
)
def test_numbers_stay_numbers(value, text):
    assert csv_safe(value) == text


def test_a_negative_number_reads_back_as_a_number():
    body = csv_download("x.csv", ["gap"], [["-2.4"]]).content.decode("utf-8-sig")
    assert Decimal(list(csv.reader(io.StringIO(body)))[1][0]) == Decimal("-2.4")


def test_download_is_a_utf8_attachment_that_parses():
    response = csv_download("x.csv", ["name", "value"], [["=HYPERLINK()", 3], ["Café", 4]])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    body = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["name", "value"],
        ["'=HYPERLINK()", "3"],
        ["Café", "4"],
    ]
