"""Numbers as people write them: the one reading of a typed number that every
form field (core.forms.NumberField), API field (core.api.NumberField) and
import cell (core.imports.number_cell) shares, so a figure accepted in one is
accepted in all, and a figure the service prints ("7,200", "£12,500",
"61.5%") can be typed back in.

Accepted: digits, optionally in groups of three with commas ("1,200",
"12,500.5"), optionally a point and decimals, optionally a leading sign, and
spaces around. Where the figure is a percentage a "%" may follow it; where it
is money a "£" may lead it ("£12,500", "-£5"). Refused: exponents ("1e3"),
commas out of place ("1,2,00", "61,5"), "inf", "nan", a "%" or "£" where the
figure is not in that unit, and a point where the figure is a whole number.
Each surface words the refusal from `NumberError.code`; bounds (decimal
places, size, minimum) are each surface's own.
"""

import re
from decimal import Decimal

PERCENT = "%"
POUNDS = "£"
# How upload pages describe the accepted forms.
NUMBER_FORMS = "a number like 1200, 1,200 or 61.5"

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)
_EXPONENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?", re.ASCII)


class NumberError(ValueError):
    """A text is not a number in the accepted forms. `code` says why:
    "invalid" (not a number at all), "exponent" ("1e3"), "separators"
    (commas out of place), "whole" (a point in a whole number), "percent"
    (a "%" where the figure is not a percentage) or "pounds" (a "£" where it
    is not money)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def number_from_text(text: str, *, unit: str = "", whole: bool = False) -> Decimal:
    """The number `text` writes, or NumberError. `unit` is PERCENT or POUNDS
    where the figure is in that unit (allowing its mark), else blank."""
    cleaned = text.strip()
    if cleaned.endswith(PERCENT):
        if unit != PERCENT:
            raise NumberError("percent")
        cleaned = cleaned.removesuffix(PERCENT).rstrip()
    if cleaned.lstrip("+-").startswith(POUNDS):
        if unit != POUNDS:
            raise NumberError("pounds")
        cleaned = cleaned.replace(POUNDS, "", 1)
    if not _NUMBER.fullmatch(cleaned):
        if _EXPONENT.fullmatch(cleaned):
            raise NumberError("exponent")
        if _GROUPED.fullmatch(cleaned):
            raise NumberError("separators")
        raise NumberError("invalid")
    if whole and "." in cleaned:
        raise NumberError("whole")
    return Decimal(cleaned.replace(",", ""))


def number_messages(label: str, *, unit: str = "", whole: bool = False) -> dict[str, str]:
    """GOV.UK error messages for each NumberError code, for a field whose
    label is `label` ("Spend to date"), each with an example it accepts."""
    kind = "a whole number" if whole else "an amount of money" if unit == POUNDS else "a number"
    if unit == POUNDS:
        example = "12,500 or £12,500" if whole else "12,500 or £12,500.50"
    elif unit == PERCENT:
        example = "61 or 61%" if whole else "61.5 or 61.5%"
    else:
        example = "1,200" if whole else "1,200 or 61.5"
    return {
        "invalid": f"{label} must be {kind}, like {example}",
        "exponent": f"{label} must be written out in full, like {example}, not as a power of 10",
        "separators": f"{label} must have commas only between groups of 3 digits, like {example}",
        "whole": f"{label} must be a whole number, like {example}",
        "percent": f"{label} cannot end in %: it is not a percentage",
        "pounds": f"{label} cannot start with £: it is not an amount of money",
    }
