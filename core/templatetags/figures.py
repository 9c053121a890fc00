"""Marks beside published figures: provisional and revised, as in DfE
official statistics (``core.disclosure.Cell`` carries the same two marks in
tables and CSV files)."""

from django import template
from django.utils.html import format_html

register = template.Library()

MARKS = {
    "provisional": ("Provisional", "govuk-tag--yellow"),
    "revised": ("Revised", "govuk-tag--purple"),
}


@register.simple_tag
def figure_mark(stage):
    """A tag for a provisional or revised figure; nothing for a final one."""
    if stage not in MARKS:
        return ""
    label, colour = MARKS[stage]
    return format_html('<strong class="govuk-tag {} app-figure-mark">{}</strong>', colour, label)
