"""API for progress report runs.

Runs are read as on the area's report pages: the area's board members and
lead, DfE staff and administrators (through scoping, so another area's run is
a 404); school staff see none. POST asks for a report of the month so far
through reports.services, exactly as the page's "Generate report now": the
area's lead, DfE staff (asking for work changes no data) and administrators.
The answer is 202 Accepted with the run and its address (``Location`` and
``status_url``); if a report of the period is still waiting or running, that
run is returned instead. A finished run links to its files (the download
pages in reports.urls).
"""

import django_filters
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from areas.models import Area
from core.api import ScopedAPIMixin
from core.roles import REPORT_GENERATOR_ROLES
from core.scoping import visible_to

from . import services
from .models import ReportRun, ReportStatus, ReportTrigger
from .permissions import can_generate_report, can_read_reports

FILE_KINDS = ("html", "pdf", "zip", "json")


class ReportAreaField(serializers.SlugRelatedField):
    """An area (by slug) whose reports the user may read. Any other reads as
    one that does not exist."""

    def get_queryset(self):
        user = self.context["request"].user
        if not can_read_reports(user):
            return Area.objects.none()
        return visible_to(Area.objects.all(), user)


class ReportFilesSerializer(serializers.Serializer):
    html = serializers.URLField(help_text="The HTML report (opens in the browser).")
    pdf = serializers.URLField(help_text="The PDF report.")
    zip = serializers.URLField(
        help_text=(
            "The report's figures as Explore Education Statistics data sets: "
            "each data file with its metadata file, zipped."
        )
    )
    json = serializers.URLField(help_text="The JSON data snapshot.")


class ReportRunSerializer(serializers.ModelSerializer):
    area = ReportAreaField(slug_field="slug", help_text="The area's slug.")
    period_label = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)
    status_url = serializers.SerializerMethodField(help_text="This run's address in the API.")
    files = serializers.SerializerMethodField(
        help_text="Links to the run's files once it has succeeded; null before."
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "area",
            "period_start",
            "period_end",
            "period_label",
            "trigger",
            "status",
            "status_label",
            "progress",
            "finished",
            "requested_at",
            "started_at",
            "finished_at",
            "status_url",
            "files",
        ]
        read_only_fields = [name for name in fields if name != "area"]

    @extend_schema_field(serializers.URLField())
    def get_status_url(self, run):
        return _run_url(self.context["request"], run)

    @extend_schema_field(ReportFilesSerializer(allow_null=True))
    def get_files(self, run):
        if run.status != ReportStatus.SUCCEEDED:
            return None
        request = self.context["request"]
        kwargs = {"slug": run.area.slug, "pk": run.pk}
        return {
            kind: request.build_absolute_uri(reverse(f"reports:{kind}", kwargs=kwargs))
            for kind in FILE_KINDS
        }


def _run_url(request, run):
    return request.build_absolute_uri(reverse("report-run-detail", kwargs={"pk": run.pk}))


class MayGenerateReports(BasePermission):
    """Reports are asked for by the roles that may generate them somewhere;
    whether in this area is checked once the area is known."""

    message = "You cannot generate this area's reports."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or request.user.role in REPORT_GENERATOR_ROLES


class ReportRunFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__slug", help_text="An area's slug.")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=ReportTrigger.choices)

    class Meta:
        model = ReportRun
        fields = ["area", "status", "trigger"]


class ReportRunViewSet(
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Progress report runs of the areas whose reports the user may read,
    newest first. POST asks for a report of the month so far, as the area's
    "Generate report now" button does."""

    queryset = ReportRun.objects.select_related("area")
    serializer_class = ReportRunSerializer
    permission_classes = [*ScopedAPIMixin.permission_classes, MayGenerateReports]
    # Asking for a report is a request for work, not a change to any data
    # (reports.views.ReportGenerateView): DfE staff may POST.
    read_only_roles_may_post = True
    lookup_value_regex = "[0-9]+"
    filterset_class = ReportRunFilter
    ordering_fields = ["created_at", "period_start"]
    ordering = ["-created_at", "-pk"]

    def base_queryset(self):
        if not can_read_reports(self.request.user):
            return ReportRun.objects.none()
        return self.queryset.all()

    @extend_schema(
        responses={
            202: OpenApiResponse(
                ReportRunSerializer,
                description=(
                    "The run asked for, or the one of the same period still waiting "
                    "or running. Poll its status_url (also in Location)."
                ),
            )
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[202],
                description="The run's address in the API.",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        area = serializer.validated_data["area"]
        if not can_generate_report(request.user, area):
            raise exceptions.PermissionDenied(MayGenerateReports.message)
        run, _created = services.report_run_request(area=area, user=request.user)
        data = self.get_serializer(run).data
        return Response(
            data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]}
        )


ROUTES = [("report-runs", ReportRunViewSet, "report-run")]
