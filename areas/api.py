"""API for areas and schools: read-only, through the same selectors as the
pages (areas.selectors), scoped by core.api.ScopedAPIMixin."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import IntegerFilter, ScopedReadOnlyViewSet

from . import selectors
from .models import Area, School
from .services import GIAS_SCHOOL_FIELDS


class AreaSerializer(serializers.ModelSerializer):
    school_count = serializers.SerializerMethodField(
        help_text="Open schools in the area that you can see."
    )
    pupil_count = serializers.SerializerMethodField(
        help_text="Pupils in those schools, as GIAS records them."
    )

    class Meta:
        model = Area
        fields = [
            "id",
            "slug",
            "name",
            "wave",
            "plan_published_year",
            "school_count",
            "pupil_count",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_school_count(self, area):
        return self.context["area_counts"].get(area.pk, (0, 0))[0]

    @extend_schema_field(serializers.IntegerField())
    def get_pupil_count(self, area):
        return self.context["area_counts"].get(area.pk, (0, 0))[1]


class AreaFilter(django_filters.FilterSet):
    wave = django_filters.ChoiceFilter(choices=Area._meta.get_field("wave").choices)

    class Meta:
        model = Area
        fields = ["wave"]


class AreaViewSet(ScopedReadOnlyViewSet):
    """The Opportunity Areas you can see, with counts of the open schools you
    can see in each (areas.selectors.area_list)."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-z0-9]+"
    filterset_class = AreaFilter
    ordering_fields = ["name", "wave"]
    ordering = ["name"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["area_counts"] = {
            area.pk: (area.school_count, area.pupil_count)
            for area in selectors.area_list(user=self.request.user)
        }
        return context


class SchoolSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = School
        # The school as the register describes it: every field a GIAS extract
        # sets but the GSS code, which only the EES files carry.
        fields = [
            "urn",
            "area",
            *(name for name in GIAS_SCHOOL_FIELDS if name != "new_la_code"),
        ]
        read_only_fields = fields


class SchoolFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__slug", help_text="An area's slug.")
    la_code = IntegerFilter(field_name="la_code")
    phase = django_filters.CharFilter(field_name="phase", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = School
        fields = ["area", "la_code", "phase", "name"]


class SchoolViewSet(ScopedReadOnlyViewSet):
    """Schools you can see, by URN. The list holds open schools, as the pages
    do (areas.selectors.school_list); a closed school's own address still
    answers."""

    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    lookup_field = "urn"
    lookup_value_regex = "[0-9]+"
    filterset_class = SchoolFilter
    ordering_fields = ["name", "urn", "number_of_pupils"]
    ordering = ["name"]

    def base_queryset(self):
        if self.action == "list":
            return selectors.school_list(user=self.request.user)
        return School.objects.select_related("area")


ROUTES = [
    ("areas", AreaViewSet, "area"),
    ("schools", SchoolViewSet, "school"),
]
