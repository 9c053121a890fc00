from decimal import Decimal

from django import template

from plans.models import ActionStatus

register = template.Library()

# No modifier is blue, GOV.UK Frontend 6's default tag colour.
STATUS_TAG_COLOURS = {
    # indicator statuses (plans.progress.Status)
    "achieved": "",
    "on_track": "govuk-tag--green",
    "at_risk": "govuk-tag--yellow",
    "off_track": "govuk-tag--red",
    "no_data": "govuk-tag--grey",
    # action statuses (plans.models.ActionStatus)
    "not_started": "govuk-tag--grey",
    "complete": "",
    "cancelled": "govuk-tag--grey",
    # plan versions
    "draft": "govuk-tag--grey",
    "published": "govuk-tag--green",
    "superseded": "govuk-tag--grey",
}


@register.filter
def status_tag_class(status):
    """The GOV.UK tag colour for a status value."""
    return STATUS_TAG_COLOURS.get(str(status), "")


@register.filter
def number(value):
    """A Decimal without trailing zeros, with thousands separators: 1200.500 -> 1,200.5."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral():
            return f"{int(value):,}"
        return f"{value:,f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.filter
def with_unit(value, unit):
    """A figure in its indicator's unit: 61.5%, 3 months, 1,200."""
    if value is None:
        return "No data"
    text = number(value)
    if unit == "percentage":
        return f"{text}%"
    if unit == "months":
        return f"{text} months"
    return text


@register.filter
def action_status_label(value):
    return ActionStatus(value).label


@register.filter
def figure(value, unit):
    """A computed figure (expected value, forecast) to one decimal place in
    its unit; 'gap' for a gap to a comparator, in points."""
    if value is None:
        return ""
    rounded = Decimal(value).quantize(Decimal("1") if unit == "count" else Decimal("0.1"))
    if unit == "gap":
        sign = "+" if rounded > 0 else ""
        return f"{sign}{number(rounded)} points"
    return with_unit(rounded, unit)
