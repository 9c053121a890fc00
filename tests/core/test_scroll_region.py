"""{% scroll_region %}: a wide table scrolls in its own labelled, focusable
region (WCAG 2.2 1.4.10 Reflow), labelled by the table's caption."""

import re

import pytest
from django.template import TemplateSyntaxError, engines

TABLES = """{% load govuk %}{% for priority in priorities %}
{% scroll_region "indicators" priority %}
<table class="govuk-table">
<caption id="{{ region_caption_id }}">Priority {{ priority }}</caption></table>
{% endscroll_region %}{% endfor %}"""


def _render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_each_table_sits_in_a_focusable_region_labelled_by_its_caption():
    html = _render(TABLES, priorities=[1, 2])
    regions = re.findall(
        r'<div class="app-table-scroll" role="region" aria-labelledby="([\w-]+)" tabindex="0">\s*'
        r'<table class="govuk-table">\s*<caption id="([\w-]+)">Priority (\d)</caption></table>'
        r"\s*</div>",
        html,
    )
    assert regions == [
        ("indicators-1-caption", "indicators-1-caption", "1"),
        ("indicators-2-caption", "indicators-2-caption", "2"),
    ]


def test_the_caption_id_is_made_safe_from_any_text():
    html = _render(
        '{% load govuk %}{% scroll_region "chart" caption %}{{ region_caption_id }}'
        "{% endscroll_region %}",
        caption='Pupils "reached", by <year>',
    )
    assert 'aria-labelledby="chart-pupils-reached-by-year-caption"' in html


def test_the_caption_id_is_only_defined_inside_the_region():
    html = _render(
        '{% load govuk %}{% scroll_region "a" %}{% endscroll_region %}[{{ region_caption_id }}]'
    )
    assert html.endswith("[]")


def test_a_region_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        _render("{% load govuk %}{% scroll_region %}{% endscroll_region %}")
