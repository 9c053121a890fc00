"""Reading the columns and dates of uploaded CSV files (decoding and safe
exports are core.csv_upload and core.csv_export)."""

import re
from datetime import date, datetime

from core.csv_upload import CsvFileError

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(raw: str) -> date | None:
    """ISO or UK day-first dates, as MIS exports write them."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def column_positions(header: list[str] | None, aliases: dict[str, tuple[str, ...]]) -> dict:
    """Map each wanted column to its position, accepting any of its aliases."""
    if not header:
        raise CsvFileError("The selected file is empty")
    keys = [header_key(name) for name in header]
    positions = {}
    for column, names in aliases.items():
        for name in names:
            if name in keys:
                positions[column] = keys.index(name)
                break
    return positions
