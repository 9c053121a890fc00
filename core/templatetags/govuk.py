"""GOV.UK page furniture: settings for pages rendered without a request
context, and the scroll region wide tables sit in."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

register = template.Library()


@register.simple_tag
def service_name():
    """settings.SERVICE_NAME, for 500.html: Django renders it with an empty
    context, so core.context_processors.service has not run."""
    return settings.SERVICE_NAME


@register.simple_tag
def service_contact_email():
    """settings.SERVICE_CONTACT_EMAIL, for the footer and error pages
    (500.html has no context processors)."""
    return settings.SERVICE_CONTACT_EMAIL


@register.tag
def scroll_region(parser, token):
    """A table that scrolls sideways inside its own region on a narrow screen
    instead of widening the page (WCAG 2.2 1.4.10 Reflow):

        {% scroll_region "indicators" priority.number %}
        <table class="govuk-table">
          <caption class="govuk-table__caption" id="{{ region_caption_id }}">…
        {% endscroll_region %}

    The region is labelled by the table's caption, whose id is made from the
    arguments (unique on the page), and keyboard users can focus it to scroll.
    """
    parts = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not parts:
        raise template.TemplateSyntaxError("scroll_region needs a name for the region")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode(parts, nodelist)


class ScrollRegionNode(template.Node):
    def __init__(self, parts, nodelist):
        self.parts = parts
        self.nodelist = nodelist

    def render(self, context):
        name = slugify("-".join(str(part.resolve(context)) for part in self.parts))
        caption_id = f"{name}-caption"
        with context.push(region_caption_id=caption_id):
            table = self.nodelist.render(context)
        return format_html(
            '<div class="app-table-scroll" role="region" aria-labelledby="{}" tabindex="0">'
            "{}</div>",
            caption_id,
            mark_safe(table),  # noqa: S308 - rendered by the template engine, so escaped
        )
