"""Template tags for pages rendered without a request context."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def service_name():
    """settings.SERVICE_NAME, for 500.html: Django renders it with an empty
    context, so core.context_processors.service has not run."""
    return settings.SERVICE_NAME
