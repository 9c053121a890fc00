"""API for the cross-area dashboard's figures.

One row per area the user may see, from dashboard.selectors: the same rows,
filters and disclosure control as the dashboard page (each area's coverage
figures as its own area page publishes them, in the area's series of
releases; ADR 0011). DfE staff and
administrators see every area; board members and area leads their own area;
school staff none (their school's coverage is on the school's pages). Every
figure is a cell: ``{"value": number or null, "symbol": null or "c", "x",
"z", "low"}``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from areas.models import Area
from core.api import ScopedAPIMixin
from core.disclosure import Cell
from core.models import Role
from encounters.api import CellSerializer
from plans.models import LifeStage

from . import selectors

FIGURE_COLUMNS = selectors.COLUMNS[2:]  # after the area and its wave

DashboardFiguresSerializer = type(
    "DashboardFiguresSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The area's figures, by column, as the dashboard shows them.",
        **{
            column.key: CellSerializer(help_text=f"{column.group}: {column.label}")
            for column in FIGURE_COLUMNS
        },
    },
)


class DashboardAreaSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="The area's slug.")
    name = serializers.CharField()
    wave = serializers.IntegerField()
    as_of = serializers.DateField(
        allow_null=True, help_text="The day the figures were judged on; null before the first."
    )
    figures = DashboardFiguresSerializer()
    coverage_provisional = serializers.BooleanField(
        help_text="True while the encounter figures' academic year is open: provisional."
    )


def _cell(value) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def _row(row, coverage_provisional):
    return {
        "area": row.area.slug,
        "name": row.area.name,
        "wave": row.area.wave,
        "as_of": row.as_of,
        "figures": {column.key: _cell(row.figures[column.key]) for column in FIGURE_COLUMNS},
        "coverage_provisional": coverage_provisional,
    }


DASHBOARD_PARAMETERS = [
    OpenApiParameter("wave", OpenApiTypes.INT, enum=list(selectors.WAVES)),
    OpenApiParameter("life_stage", OpenApiTypes.STR, enum=list(LifeStage.values)),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="Start year of the academic year of the coverage figures (current if absent).",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[column.key for column in selectors.COLUMNS]),
    OpenApiParameter("order", OpenApiTypes.STR, enum=["asc", "desc"]),
]


class DashboardAreaViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The dashboard's rows: one per area the user may see, filtered and
    sorted as on the page (values outside the page's choices are ignored)."""

    queryset = Area.objects.all()
    serializer_class = DashboardAreaSerializer
    filter_backends = []  # the page's filters, applied by dashboard.selectors

    def base_queryset(self):
        if self.request.user.role == Role.SCHOOL_STAFF:
            return Area.objects.none()
        return Area.objects.all()

    @extend_schema(parameters=DASHBOARD_PARAMETERS)
    def list(self, request, *args, **kwargs):
        filters = selectors.Filters.from_query(request.query_params)
        if self.request.user.role == Role.SCHOOL_STAFF:
            rows = []
        else:
            rows = selectors.dashboard(user=request.user, filters=filters)["rows"]
        page = self.paginate_queryset(rows)
        provisional = filters.year.is_provisional_on()
        return self.get_paginated_response(
            self.get_serializer([_row(row, provisional) for row in page], many=True).data
        )


ROUTES = [("dashboard/areas", DashboardAreaViewSet, "dashboard-area")]
