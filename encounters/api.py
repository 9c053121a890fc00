"""API for pupils, encounters and coverage.

Pupils and encounters are pupil-level: ``visible_to`` gives them to the
school's own staff and to administrators only, so for anyone else the lists
are empty and every address is a 404, as on the pages. A pupil's UPN is never
held and its keyed hash never leaves the service; the display name is shown
to the school's own staff only.

Encounters are recorded through encounters.services, one at a time or many
at once (``encounters/bulk``: all or nothing, with each invalid record's
errors under ``records.<index>.<field>``).

Coverage is published as the pages publish it: the area aggregates come from
encounters.publication with disclosure control (small counts are ``c``); a
school's own coverage (its staff and administrators) from
encounters.selectors, unsuppressed as on the school's page. Every figure is a
cell: ``{"value": number or null, "symbol": null or "c", "x", "z", "low"}``.
"""

from decimal import Decimal

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from areas.models import Area, School
from core.api import IntegerFilter, ModelSerializer, ScopedAPIMixin, ScopedReadOnlyViewSet
from core.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, Cell
from core.roles import AREA_AGGREGATE_ROLES, PUPIL_LEVEL_ROLES, Role
from core.scoping import visible_to
from releases import selectors as release_selectors

from . import publication, selectors, services
from .academic_years import AcademicYear
from .access_log import PupilDataAccessAPIMixin
from .models import Encounter, EncounterType, Programme, Pupil, employer_choices

FIRST_YEAR_SHOWN = 2016  # as the pages (encounters.views)
MAX_BULK_RECORDS = 500

YEAR_PARAMETER = OpenApiParameter(
    "year",
    OpenApiTypes.INT,
    description=(
        "Start year of the academic year (2024 for 2024/25); the current year "
        f"when absent or outside {FIRST_YEAR_SHOWN} to the current year."
    ),
)


def _year_from(request) -> AcademicYear:
    current = AcademicYear.current()
    raw = request.query_params.get("year", "")
    if raw.isdigit() and FIRST_YEAR_SHOWN <= int(raw) <= current.start_year:
        return AcademicYear(int(raw))
    return current


def _pupil_level(user) -> bool:
    return user.role in PUPIL_LEVEL_ROLES


# --- Pupils ------------------------------------------------------------------------


class PupilSerializer(serializers.ModelSerializer):
    school = serializers.SlugRelatedField(slug_field="urn", read_only=True)
    display_name = serializers.SerializerMethodField(
        help_text="Shown to the school's own staff only; null for anyone else."
    )
    current_year_group = serializers.SerializerMethodField(
        help_text="The year group in the current academic year."
    )

    class Meta:
        model = Pupil
        fields = [
            "id",
            "school",
            "pupil_identifier",
            "display_name",
            "year_group",
            "year_group_on",
            "current_year_group",
            "disadvantaged",
            "send",
            "on_roll_from",
            "on_roll_until",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_display_name(self, pupil):
        if self.context["request"].user.role == Role.SCHOOL_STAFF:
            return pupil.display_name
        return None

    @extend_schema_field(serializers.IntegerField())
    def get_current_year_group(self, pupil):
        return pupil.year_group_in(AcademicYear.current())


class PupilFilter(django_filters.FilterSet):
    school = IntegerFilter(field_name="school__urn", help_text="A school's URN.")
    on_roll_on = django_filters.DateFilter(method="filter_on_roll", help_text="On roll that day.")

    class Meta:
        model = Pupil
        fields = ["school", "on_roll_on", "disadvantaged", "send"]

    def filter_on_roll(self, queryset, name, value):
        return queryset.on_roll(value)


class PupilViewSet(PupilDataAccessAPIMixin, ScopedReadOnlyViewSet):
    """Pupils on (or once on) a school's roll: the school's own staff and
    administrators only. Rosters are changed by uploading a roster file."""

    queryset = Pupil.objects.select_related("school")
    serializer_class = PupilSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = PupilFilter
    ordering_fields = ["pupil_identifier", "on_roll_from"]
    ordering = ["school__urn", "pupil_identifier"]

    def pupils_in(self, rows):
        return len(rows)


# --- Encounter types -----------------------------------------------------------------


class EncounterTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = EncounterType
        fields = ["id", "code", "name", "gatsby_benchmark", "is_meaningful_employer_encounter"]
        read_only_fields = fields


class EncounterTypeViewSet(ScopedReadOnlyViewSet):
    """Types of encounter (reference data, changed in the admin)."""

    queryset = EncounterType.objects.all()
    serializer_class = EncounterTypeSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["order", "name"]
    ordering = ["order", "name"]


# --- Encounters ----------------------------------------------------------------------


class PupilLevelSchoolField(serializers.SlugRelatedField):
    """A school (by URN) whose pupil-level data the user may see. Any other
    reads as one that does not exist."""

    def get_queryset(self):
        user = self.context["request"].user
        if not _pupil_level(user):
            return School.objects.none()
        return visible_to(School.objects.select_related("area"), user)


class PupilIdsField(serializers.ListField):
    """Ids of the pupils who took part: every encounter a response returns,
    read or just written, carries them (selectors.encounters_with_pupil_ids)."""

    def get_attribute(self, instance):
        return instance.pupil_ids


class EncounterSerializer(ModelSerializer):
    school = PupilLevelSchoolField(slug_field="urn", help_text="The school's URN.")
    type = serializers.SlugRelatedField(
        slug_field="code",
        source="encounter_type",
        queryset=EncounterType.objects.all(),
        help_text="An encounter type's code.",
    )
    employers = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=employer_choices(),
        help_text="Ids of employer organisations.",
    )
    delivered_through = serializers.ChoiceField(
        choices=Programme.choices, required=False, default=Programme.SCHOOL
    )
    pupils = PupilIdsField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=5000,
        help_text="Ids of the pupils who took part.",
    )

    class Meta:
        model = Encounter
        fields = [
            "id",
            "school",
            "date",
            "type",
            "title",
            "employers",
            "delivered_through",
            "duration_minutes",
            "pupils",
        ]
        read_only_fields = ["id"]

    def validate_pupils(self, ids):
        """Pupils the user may see; an id of any other reads as not existing."""
        user = self.context["request"].user
        found = {p.pk: p for p in visible_to(Pupil.objects.filter(pk__in=set(ids)), user)}
        missing = sorted(set(ids) - set(found))
        if missing:
            raise serializers.ValidationError(
                f"No such pupils: {', '.join(str(pk) for pk in missing[:5])}",
                code="does_not_exist",
            )
        return [found[pk] for pk in dict.fromkeys(ids)]


class EncounterBulkSerializer(serializers.Serializer):
    records = EncounterSerializer(
        many=True, allow_empty=False, max_length=MAX_BULK_RECORDS, help_text="The encounters."
    )


class EncounterBulkResultSerializer(serializers.Serializer):
    encounters = EncounterSerializer(many=True, read_only=True)


class MayRecordEncounters(BasePermission):
    """Encounters are recorded by the school's own staff (and administrators)."""

    message = "Only a school's own staff can record its encounters."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or _pupil_level(request.user)


class EncounterFilter(django_filters.FilterSet):
    school = IntegerFilter(field_name="school__urn", help_text="A school's URN.")
    type = django_filters.CharFilter(field_name="encounter_type__code", help_text="A type code.")
    academic_year = IntegerFilter(
        field_name="academic_year", help_text="Start year of the academic year."
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Encounter
        fields = ["school", "type", "academic_year", "date_from", "date_to"]


def _record_arguments(values) -> dict:
    """encounter_record's arguments from a serializer's validated data."""
    return {"employers": [], **values}


class EncounterPupilIdsMixin:
    """The encounters a read returns carry their pupils' ids
    (selectors.encounters_with_pupil_ids), before the access log counts them."""

    def get_object(self):
        return selectors.encounters_with_pupil_ids([super().get_object()])[0]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.encounters_with_pupil_ids(page)


class EncounterViewSet(
    PupilDataAccessAPIMixin,
    EncounterPupilIdsMixin,
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """World-of-work encounters and the pupils who took part: the school's
    own staff and administrators only. POST records one through the same
    service as the encounter form."""

    queryset = Encounter.objects.select_related("school", "encounter_type").prefetch_related(
        "employers"
    )
    serializer_class = EncounterSerializer
    permission_classes = [*ScopedAPIMixin.permission_classes, MayRecordEncounters]
    lookup_value_regex = "[0-9]+"
    filterset_class = EncounterFilter
    ordering_fields = ["date", "title"]
    ordering = ["-date", "-id"]

    def get_serializer_class(self):
        if self.action == "bulk":
            return EncounterBulkSerializer
        return super().get_serializer_class()

    def pupils_in(self, rows):
        return len({pupil_id for row in rows for pupil_id in row.pupil_ids})

    def perform_create(self, serializer):
        written = services.encounter_record(
            user=self.request.user, **_record_arguments(serializer.validated_data)
        )
        serializer.instance = selectors.encounters_with_pupil_ids([written])[0]
        self.access_returned([serializer.instance], pupils=len(serializer.validated_data["pupils"]))

    @extend_schema(
        request=EncounterBulkSerializer,
        responses={201: EncounterBulkResultSerializer},
        description=(
            "Record many encounters at once, all or nothing in one transaction. "
            "If any record is not valid nothing is written, and the 400 names "
            "each problem by its path, such as records.3.date."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        serializer = EncounterBulkSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        records = serializer.validated_data["records"]
        try:
            created = services.encounters_record_all(
                user=request.user, records=[_record_arguments(values) for values in records]
            )
        except services.EncounterBatchError as refused:
            raise exceptions.ValidationError(
                {"records": [_record_errors(error) for error in refused.errors]}
            ) from None
        self.access_returned(
            created, pupils=len({p.pk for values in records for p in values["pupils"]})
        )
        result = EncounterBulkResultSerializer(
            {"encounters": selectors.encounters_with_pupil_ids(created)},
            context=self.get_serializer_context(),
        )
        return Response(result.data, status=status.HTTP_201_CREATED)


def _record_errors(error) -> dict:
    """One bulk record's errors by field ({} for a valid record)."""
    if error is None:
        return {}
    detail = get_error_detail(error)
    return detail if isinstance(detail, dict) else {"non_field_errors": detail}


# --- Coverage ------------------------------------------------------------------------


class CellSerializer(serializers.Serializer):
    """A published figure: its value, or a symbol standing in for it (c:
    suppressed, x: not available, z: not applicable)."""

    value = serializers.FloatField(allow_null=True)
    symbol = serializers.CharField(allow_null=True, help_text="c, x, z or low; null with a value.")

    def to_representation(self, cell):
        value = cell.value
        if isinstance(value, Decimal):
            value = float(value)
        return {"value": value, "symbol": cell.symbol}


class PublishedCellSerializer(serializers.Serializer):
    count = CellSerializer()
    rate = CellSerializer(allow_null=True, help_text="Percent of pupils on roll; null for counts.")


class YearGroupSerializer(serializers.Serializer):
    year_group = serializers.IntegerField()
    label = serializers.CharField()


class AreaCoverageSchoolSerializer(serializers.Serializer):
    urn = serializers.IntegerField()
    name = serializers.CharField()
    cells = PublishedCellSerializer(many=True, help_text="One per year group.")
    total = PublishedCellSerializer()


class AreaCoverageMeasureSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text="on_roll, with_one or with_four.")
    label = serializers.CharField()
    schools = AreaCoverageSchoolSerializer(many=True)
    totals = PublishedCellSerializer(many=True, help_text="One per year group.")
    grand_total = PublishedCellSerializer()


class AreaCoverageSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="The area's slug.")
    year = serializers.CharField(help_text="The academic year, such as 2024/25.")
    year_groups = YearGroupSerializer(many=True)
    measures = AreaCoverageMeasureSerializer(many=True)
    provisional = serializers.BooleanField(
        help_text="True while the academic year is open: the figures are provisional."
    )


def _area_coverage(area, published, year):
    measures = []
    for measure, _label in publication.MEASURES:
        table = published["by_measure"].get(measure)
        if table is None:
            continue
        measures.append(
            {
                "measure": measure,
                "label": table["label"],
                "schools": [
                    {
                        "urn": row["school"].urn,
                        "name": row["school"].name,
                        "cells": row["cells"],
                        "total": row["total"],
                    }
                    for row in table["rows"]
                ],
                "totals": table["totals"],
                "grand_total": table["grand_total"],
            }
        )
    return {
        "area": area.slug,
        "year": year.time_period,
        "year_groups": [{"year_group": y, "label": label} for y, label in published["year_groups"]],
        "measures": measures,
        "provisional": year.is_provisional_on(),
    }


class CoverageViewSet(ScopedReadOnlyViewSet):
    """The list names what the user may read the coverage of; the detail is
    the coverage."""

    index_serializer_class = None

    def get_serializer_class(self):
        if self.action == "list":
            return self.index_serializer_class
        return super().get_serializer_class()


class AreaIndexSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["slug", "name"]
        read_only_fields = fields


class SchoolIndexSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["urn", "name"]
        read_only_fields = fields


class AreaCoverageViewSet(CoverageViewSet):
    """An area's coverage by school and secondary year group, with disclosure
    control as on the area's page: its board members and lead, DfE staff and
    administrators."""

    queryset = Area.objects.all()
    serializer_class = AreaCoverageSerializer
    index_serializer_class = AreaIndexSerializer
    lookup_field = "slug"
    ordering = ["name"]
    lookup_value_regex = "[-a-z0-9]+"

    def base_queryset(self):
        if self.request.user.role not in AREA_AGGREGATE_ROLES:
            return Area.objects.none()
        return Area.objects.all()

    @extend_schema(parameters=[YEAR_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        area = self.get_object()
        year = _year_from(request)
        published = publication.area_coverage(
            user=request.user,
            area=area,
            year=year,
            pattern=release_selectors.series_pattern(area=area, year=year),
        )
        return Response(self.get_serializer(_area_coverage(area, published, year)).data)


class CoverageCountsSerializer(serializers.Serializer):
    on_roll = CellSerializer()
    with_one = CellSerializer(help_text="Pupils with at least one encounter this year.")
    one_rate = CellSerializer()
    with_four = CellSerializer(help_text="Pupils with four encounters since Year 7 (z before).")
    four_rate = CellSerializer()


class SchoolCoverageRowSerializer(serializers.Serializer):
    year_group = serializers.IntegerField(allow_null=True, help_text="Null for the total.")
    label = serializers.CharField()
    all = CoverageCountsSerializer()
    disadvantaged = CoverageCountsSerializer()
    others = CoverageCountsSerializer()
    four_gap = CellSerializer(help_text="Percentage points by which disadvantaged pupils trail.")


class SchoolCoverageSerializer(serializers.Serializer):
    school = serializers.IntegerField(help_text="The school's URN.")
    year = serializers.CharField(help_text="The academic year, such as 2024/25.")
    rows = SchoolCoverageRowSerializer(many=True)
    total = SchoolCoverageRowSerializer()
    provisional = serializers.BooleanField(
        help_text="True while the academic year is open: the figures are provisional."
    )


def _figure(value, applies=True) -> Cell:
    if not applies:
        return Cell(None, NOT_APPLICABLE)
    return Cell(None, NOT_AVAILABLE) if value is None else Cell(value)


def _school_row(row):
    applies = row.pledge_applies

    def counts(c):
        return {
            "on_roll": _figure(c.on_roll),
            "with_one": _figure(c.with_one),
            "one_rate": _figure(c.one_rate),
            "with_four": _figure(c.with_four, applies),
            "four_rate": _figure(c.four_rate, applies),
        }

    return {
        "year_group": row.year_group,
        "label": row.label,
        "all": counts(row.all),
        "disadvantaged": counts(row.disadvantaged),
        "others": counts(row.others),
        "four_gap": _figure(row.four_gap, applies),
    }


class SchoolCoverageViewSet(PupilDataAccessAPIMixin, CoverageViewSet):
    """A school's coverage by year group, as on the school's coverage page:
    the school's own staff and administrators."""

    queryset = School.objects.all()
    serializer_class = SchoolCoverageSerializer
    index_serializer_class = SchoolIndexSerializer
    lookup_field = "urn"
    ordering = ["name"]
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        if not _pupil_level(self.request.user):
            return School.objects.none()
        return School.objects.all()

    @extend_schema(parameters=[YEAR_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        school = self.get_object()
        year = _year_from(request)
        coverage = selectors.school_coverage(user=request.user, school=school, year=year)
        data = {
            "school": school.urn,
            "year": year.time_period,
            "rows": [_school_row(row) for row in coverage["rows"]],
            "total": _school_row(coverage["total"]),
            "provisional": year.is_provisional_on(),
        }
        return Response(self.get_serializer(data).data)


ROUTES = [
    ("pupils", PupilViewSet, "pupil"),
    ("encounter-types", EncounterTypeViewSet, "encounter-type"),
    ("encounters", EncounterViewSet, "encounter"),
    ("coverage/areas", AreaCoverageViewSet, "area-coverage"),
    ("coverage/schools", SchoolCoverageViewSet, "school-coverage"),
]
