"""Template tags drawing the charts built by core.charts.

{% load charts %}
{% line_chart chart %}   {% bar_chart chart %}   {% sparkline chart %}
{% chart_table chart %}  the same figures as a govuk-table
"""

from django import template

from core import charts

register = template.Library()


def _expect(chart, kind):
    if not isinstance(chart, kind):
        raise TypeError(f"expected a core.charts.{kind.__name__}, got {type(chart).__name__}")
    return {"chart": chart}


@register.inclusion_tag("charts/line_chart.html", name="line_chart")
def line_chart_tag(chart):
    return _expect(chart, charts.LineChart)


@register.inclusion_tag("charts/bar_chart.html", name="bar_chart")
def bar_chart_tag(chart):
    return _expect(chart, charts.BarChart)


@register.inclusion_tag("charts/sparkline.html", name="sparkline")
def sparkline_tag(chart):
    return _expect(chart, charts.Sparkline)


@register.inclusion_tag("charts/data_table.html", name="chart_table")
def chart_table_tag(chart):
    return {"table": chart.table}
