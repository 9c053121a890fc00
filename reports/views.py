from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from core.ees import DataSetDownloadMixin, data_file_names
from core.models import Role
from core.roles import AREA_AGGREGATE_ROLES
from core.views import AreaPageMixin

from . import selectors, services
from .models import ReportStatus
from .periods import month_to_date, period_label
from .permissions import can_generate_report

REPORTS_PER_PAGE = 24


class ReportsAreaMixin(AreaPageMixin):
    """An area's report pages: the area through scoping (404 outside the
    user's scope) and, inside it, only for the roles that read reports (404
    for the others, as on the area's encounters page)."""

    area_roles = AREA_AGGREGATE_ROLES

    def get_run(self):
        return selectors.report_run(user=self.request.user, area=self.area, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, can_generate=can_generate_report(self.request.user, self.area)
        )


class ReportListView(ReportsAreaMixin, TemplateView):
    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        runs = selectors.report_runs(user=self.request.user, area=self.area)
        page = Paginator(runs, REPORTS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            **kwargs,
            page_obj=page,
            runs=page.object_list,
            on_demand_period=period_label(*month_to_date(self.today)),
        )


class ReportGenerateView(ReportsAreaMixin, View):
    """POST: generate a report of the month so far, then show its progress."""

    http_method_names = ["post"]
    # DfE staff are read-only everywhere else. Asking for a report is a
    # request for work, not a change to any of the area's data, so they may
    # POST here (core.views.ScopedViewMixin.read_only_roles_may_post).
    read_only_roles_may_post = True

    def post(self, request, *args, **kwargs):
        if not can_generate_report(request.user, self.area):
            raise PermissionDenied("You cannot generate this area's reports.")
        run, created = services.report_run_request(area=self.area, user=request.user)
        if not created:
            messages.info(request, "A report for this period is already being generated")
        return redirect(reverse("reports:run", kwargs={"slug": self.area.slug, "pk": run.pk}))


class ReportRunView(ReportsAreaMixin, TemplateView):
    """A run's progress and, once it is ready, its downloads. Refreshes itself
    without JavaScript (meta refresh) and with it (reports/report-progress.mjs
    polls the status URL)."""

    template_name = "reports/report_run.html"
    refresh_seconds = 5

    def get_context_data(self, **kwargs):
        run = self.get_run()
        return super().get_context_data(
            **kwargs,
            run=run,
            data_sets=_data_set_names(run),
            refresh_seconds=self.refresh_seconds,
            show_error_detail=self.request.user.role == Role.ADMINISTRATOR,
        )


@method_decorator(never_cache, name="dispatch")
class ReportRunStatusView(ReportsAreaMixin, View):
    """The run's status as JSON, for the progress page's script."""

    def get(self, request, *args, **kwargs):
        run = self.get_run()
        return JsonResponse(
            {
                "status": run.status,
                "status_label": run.get_status_display(),
                "progress": run.progress,
                "finished": run.is_finished,
            }
        )


class ReportFileView(ReportsAreaMixin, View):
    """One of a finished run's files. The HTML report opens in the browser;
    the others download."""

    kind = None
    FILES = {
        "pdf": ("pdf_file", "application/pdf", True),
        "html": ("html_file", "text/html; charset=utf-8", False),
        "json": ("snapshot_file", "application/json", True),
    }

    def get(self, request, *args, **kwargs):
        run = self.get_run()
        if run.status != ReportStatus.SUCCEEDED:
            raise Http404("This report is not ready")
        field, content_type, as_attachment = self.FILES[self.kind]
        return FileResponse(
            getattr(run, field).open("rb"),
            as_attachment=as_attachment,
            filename=f"{run.file_stem}.{self.kind}",
            content_type=content_type,
        )


def _data_set_names(run):
    if run.status != ReportStatus.SUCCEEDED:
        return []
    return [name.removesuffix(".csv") for name in data_file_names(selectors.report_open_data(run))]


class ReportDataView(ReportsAreaMixin, DataSetDownloadMixin, View):
    """The report's open data as it was generated: the zip of every data
    set, or one data set's data or metadata file from it."""

    def get_files(self):
        run = self.get_run()
        if run.status != ReportStatus.SUCCEEDED:
            raise Http404("This report is not ready")
        return selectors.report_open_data(run)

    def get_zip_name(self, files):
        return f"{self.get_run().file_stem}-data.zip"
