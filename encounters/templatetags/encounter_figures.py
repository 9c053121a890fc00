from django import template
from django.conf import settings

from core import disclosure

register = template.Library()


@register.inclusion_tag("encounters/includes/disclosure_key.html")
def disclosure_key():
    """The key to the symbols beside published encounter figures, with the
    threshold disclosure control applies, and a link to the method page."""
    return {
        "largest_suppressed_count": settings.DISCLOSURE_THRESHOLD - 1,
        "suppressed": disclosure.SUPPRESSED,
        "not_available": disclosure.NOT_AVAILABLE,
        "not_applicable": disclosure.NOT_APPLICABLE,
        "low": disclosure.LOW,
    }
