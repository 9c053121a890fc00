"""Filters for the report document, which reads the snapshot's plain values.

{% load reports %}
{{ "58.000"|decimal|with_unit:"percentage" }}   (with {% load plans %})
{{ "2026-10-31"|isodate|date:"j F Y" }}
{{ "45.2"|published:"rate" }}  45.2%   {{ "c"|published:"count" }}  c
{{ "12500.00"|money }}  £12,500
"""

from datetime import date
from decimal import Decimal

from django import template

from ..snapshot import cell

register = template.Library()


@register.filter
def decimal(text):
    return None if text is None else Decimal(text)


@register.filter
def isodate(text):
    return None if text is None else date.fromisoformat(text)


@register.filter
def published(text, kind="count"):
    """A published figure: its symbol, or the number ("1,234"), a rate with
    a % sign, or a gap in percentage points with its sign."""
    figure = cell(text)
    if figure.symbol:
        return figure.symbol
    if kind == "rate":
        return f"{figure}%"
    if kind == "gap":
        return f"{'+' if figure.value > 0 else ''}{figure}"
    return str(figure)


@register.filter
def money(text):
    amount = Decimal(text)
    if amount == amount.to_integral():
        return f"£{int(amount):,}"
    return f"£{amount:,.2f}"
