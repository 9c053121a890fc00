"""The cross-area dashboard for DfE staff and administrators.

Area roles (board members, area leads) see their own area's row only:
``visible_to`` cuts the areas, so the same page serves them without leaking
other areas. School staff get 403: the page's existence is no secret, and
their school's coverage is on the school pages.
"""

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.views.generic import TemplateView, View

from core.ees import DataSetDownloadMixin
from core.views import DashboardPageMixin
from plans.models import LifeStage, ProgrammePhase

from . import selectors
from .services import coverage_years


class DashboardMixin(DashboardPageMixin):
    def dashboard(self):
        filters = selectors.Filters.from_query(self.request.GET)
        # A summary judged on an earlier day is refreshed by the scheduled
        # dashboard.tasks.summaries_refresh_stale; the page shows its date.
        return filters, selectors.dashboard(user=self.request.user, filters=filters)


class DashboardView(DashboardMixin, TemplateView):
    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        filters, result = self.dashboard()
        base = reverse("dashboard:dashboard")
        headers = []
        for column in selectors.COLUMNS:
            current = filters.sort == column.key
            descending = not filters.descending if current else column.numeric
            headers.append(
                {
                    "column": column,
                    "url": base
                    + "?"
                    + urlencode(
                        filters.query(sort=column.key, order="desc" if descending else "asc")
                    ),
                    "aria_sort": (
                        ("descending" if filters.descending else "ascending") if current else ""
                    ),
                }
            )
        groups = [
            (group, sum(1 for c in selectors.COLUMNS if c.group == group))
            for group in selectors.COLUMN_GROUPS
        ]
        rows = [
            {"area": row.area, "figures": row.figures, "cells": _cells_html(row, filters)}
            for row in result["rows"]
        ]
        total = (
            format_html_join(
                "",
                '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>',
                (
                    (selectors.display(result["total"][column.key]),)
                    for column in selectors.COLUMNS[2:]
                ),
            )
            if result["total"]
            else None
        )
        return super().get_context_data(
            **kwargs,
            filters=filters,
            headers=headers,
            groups=groups,
            rows=rows,
            total=total,
            as_of=result["as_of"],
            latest_releases=result["latest_releases"],
            coverage_provisional=result["coverage_provisional"],
            charts=selectors.dashboard_charts(result["rows"], filters),
            waves=selectors.WAVES,
            phases=ProgrammePhase.objects.all(),
            life_stages=LifeStage.choices,
            years=list(reversed(coverage_years())),
            download_query="?" + urlencode({"year": filters.year.start_year}),
        )


PAGES = {"plan": "plans:plan", "coverage": "encounters:area", "funding": "plans:funding"}


def _cells_html(row, filters):
    """A row's figures, each a link to the area page behind it. Built here
    rather than in the template: 25 linked cells a row is most of the page."""
    urls = {link: reverse(name, kwargs={"slug": row.area.slug}) for link, name in PAGES.items()}
    urls["coverage"] += f"?year={filters.year.start_year}"
    return format_html_join(
        "",
        '<td class="govuk-table__cell govuk-table__cell--numeric">'
        '<a class="govuk-link govuk-link--no-visited-state" href="{}">{}'
        '<span class="govuk-visually-hidden"> {} ({}), {}</span></a></td>',
        (
            (
                urls[column.link],
                selectors.display(row.figures[column.key]),
                column.label.lower(),
                column.group.lower(),
                row.area.name,
            )
            for column in selectors.COLUMNS[2:]
        ),
    )


class DashboardDataView(DashboardMixin, DataSetDownloadMixin, View):
    """The dashboard as open data for the year shown; the page's wave, life
    stage and sort do not cut it (the data set has every life stage)."""

    def get_data_sets(self):
        filters = selectors.Filters.from_query(self.request.GET)
        return [selectors.dashboard_data_set(user=self.request.user, year=filters.year)]
