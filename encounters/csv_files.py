"""Reading the dates of uploaded CSV files (decoding, records and columns
are core.imports; safe exports are core.csv_export)."""

from datetime import date, datetime

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(raw: str) -> date | None:
    """ISO or UK day-first dates, as MIS exports write them."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None
