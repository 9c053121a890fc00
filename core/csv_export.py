"""CSV downloads that spreadsheets open safely.

Every export goes through here: a text cell starting with =, +, -, @, tab
or carriage return would run as a formula in Excel, so it is prefixed with an
apostrophe (OWASP's advice). Numbers are written as numbers, including a
negative number that arrives as text ("-2.4", as published figures are
carried): a spreadsheet reads it as a number, never as a formula, and an
apostrophe would turn it into text that open-data tools cannot read.
"""

import csv
import io
import re
from decimal import Decimal

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number, as Python and Cell.csv_value write one: no
# exponent, no thousands separators, no leading "+".
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_safe(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


def csv_download(filename: str, header, rows) -> HttpResponse:
    """A UTF-8 CSV attachment (with a byte-order mark, so Excel reads it as UTF-8)."""
    response = HttpResponse(
        "\ufeff" + csv_text(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # exports can hold personal data
    return response
