"""API for delivery plans.

Plan versions and their content (priorities, indicators with targets,
actions) are read-only here: a plan is changed on the draft pages, where the
area lead sees the whole draft before publishing it. Drafts are shown only to
those who may edit the area's plan, as on the version pages. Indicators and
actions keep a stable ``lineage`` id across versions; measurements and action
updates hang on it.

Measurements and action updates can be recorded, by the area's board members
and lead (plans.permissions.can_log_progress) through plans.services, so
history is recorded as it is from the pages.
"""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from core.api import (
    IntegerFilter,
    ModelSerializer,
    OptionalURLField,
    ScopedAPIMixin,
    ScopedReadOnlyViewSet,
)
from core.numbers import PERCENT, POUNDS
from core.roles import Role

from . import selectors, services
from .models import (
    Action,
    ActionLineage,
    ActionStatus,
    ActionUpdate,
    DeliveryPlan,
    FigureStatus,
    Indicator,
    IndicatorLineage,
    Measurement,
    PlanStatus,
    Priority,
    Target,
)
from .permissions import can_log_progress
from .versions import INDICATOR_FIELDS, PRIORITY_FIELDS, TARGET_FIELDS

# --- What the user may see ----------------------------------------------------------


def indicator_lineages_visible(user):
    return IndicatorLineage.objects.filter(
        pk__in=Indicator.objects.filter(plan__in=selectors.plans_visible(user=user)).values(
            "lineage_id"
        )
    )


def action_lineages_visible(user):
    return ActionLineage.objects.filter(
        pk__in=Action.objects.filter(plan__in=selectors.plans_visible(user=user)).values(
            "lineage_id"
        )
    )


class VisibleLineageField(serializers.PrimaryKeyRelatedField):
    """A lineage id the requesting user may see. One outside scope reads as
    one that does not exist."""

    def __init__(self, *, visible, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible(self.context["request"].user).select_related("area")


class MayLogProgress(BasePermission):
    """Writes here are for roles that log progress somewhere; whether in this
    area is checked once the lineage is known."""

    message = "Only an area's board members and lead can record progress."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return user.role == Role.ADMINISTRATOR or (
            user.area_id is not None and can_log_progress(user, user.area)
        )


def _check_may_log(user, lineage):
    if not can_log_progress(user, lineage.area):
        raise exceptions.PermissionDenied(MayLogProgress.message)


# --- Plan versions and content -------------------------------------------------------

AREA_FILTER_HELP = "An area's slug."


class PlanSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DeliveryPlan
        fields = ["id", "area", "version", "status", "title", "summary", "based_on", "published_at"]
        read_only_fields = fields


class PlanFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__slug", help_text=AREA_FILTER_HELP)
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = DeliveryPlan
        fields = ["area", "status"]


class PlanViewSet(ScopedReadOnlyViewSet):
    """Versions of areas' delivery plans."""

    queryset = DeliveryPlan.objects.all()
    serializer_class = PlanSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = PlanFilter
    ordering_fields = ["version", "published_at"]
    ordering = ["area__name", "-version"]

    def base_queryset(self):
        return selectors.plans_visible(user=self.request.user).select_related("area")


class PlanContentFilter(django_filters.FilterSet):
    plan = IntegerFilter(field_name="plan_id")
    area = django_filters.CharFilter(field_name="plan__area__slug", help_text=AREA_FILTER_HELP)
    plan_status = django_filters.ChoiceFilter(field_name="plan__status", choices=PlanStatus.choices)
    lineage = IntegerFilter(field_name="lineage_id")


class PlanContentViewSet(ScopedReadOnlyViewSet):
    """Rows of the plan versions the user may see."""

    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return self.queryset.filter(plan__in=selectors.plans_visible(user=self.request.user))


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["id", "plan", "lineage", *PRIORITY_FIELDS]
        read_only_fields = fields


class PriorityFilter(PlanContentFilter):
    class Meta:
        model = Priority
        fields = ["plan", "area", "plan_status", "lineage"]


class PriorityViewSet(PlanContentViewSet):
    queryset = Priority.objects.all()
    serializer_class = PrioritySerializer
    filterset_class = PriorityFilter
    ordering_fields = ["number"]
    ordering = ["plan", "number"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "indicator", *TARGET_FIELDS]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    comparator = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True, help_text="The comparator series."
    )
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        # A plan version's indicator as versions compare it, with its ids and targets.
        fields = ["id", "plan", "lineage", *INDICATOR_FIELDS, "targets"]
        read_only_fields = fields


class IndicatorFilter(PlanContentFilter):
    priority = IntegerFilter(field_name="priority_id")

    class Meta:
        model = Indicator
        fields = ["plan", "area", "plan_status", "lineage", "priority"]


class IndicatorViewSet(PlanContentViewSet):
    """Indicators (measures of success) with their targets."""

    queryset = Indicator.objects.select_related("comparator").prefetch_related("targets")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["name"]
    ordering = ["plan", "priority__number", "name"]


class TargetFilter(django_filters.FilterSet):
    indicator = IntegerFilter(field_name="indicator_id")
    plan = IntegerFilter(field_name="indicator__plan_id")
    area = django_filters.CharFilter(
        field_name="indicator__plan__area__slug", help_text=AREA_FILTER_HELP
    )

    class Meta:
        model = Target
        fields = ["indicator", "plan", "area"]


class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = TargetFilter
    ordering_fields = ["date"]
    ordering = ["indicator", "date"]

    def base_queryset(self):
        return Target.objects.filter(
            indicator__plan__in=selectors.plans_visible(user=self.request.user)
        )


class ActionSerializer(serializers.ModelSerializer):
    lead_organisation_name = serializers.CharField(
        source="lead_organisation.name", read_only=True, allow_null=True
    )
    funding_stream = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    status = serializers.SerializerMethodField(help_text="From the latest update.")
    last_update_date = serializers.SerializerMethodField()
    spend_to_date = serializers.SerializerMethodField(help_text="From the latest update.")
    overdue = serializers.SerializerMethodField()
    update_due = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "priority",
            "lineage",
            "title",
            "description",
            "owner",
            "lead_organisation",
            "lead_organisation_name",
            "funding_stream",
            "budget",
            "start_date",
            "due_date",
            "status",
            "last_update_date",
            "spend_to_date",
            "overdue",
            "update_due",
        ]
        read_only_fields = fields

    def _progress(self, action):
        if not hasattr(action, "_api_progress"):
            action._api_progress = selectors.action_progress(action, today=timezone.localdate())
        return action._api_progress

    @extend_schema_field(serializers.ChoiceField(choices=ActionStatus.choices))
    def get_status(self, action):
        return self._progress(action).status

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_update_date(self, action):
        return self._progress(action).last_update_date

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_spend_to_date(self, action):
        return serializers.DecimalField(max_digits=12, decimal_places=2).to_representation(
            self._progress(action).spend_to_date
        )

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, action):
        return self._progress(action).overdue

    @extend_schema_field(serializers.BooleanField())
    def get_update_due(self, action):
        return self._progress(action).update_due


class ActionFilter(PlanContentFilter):
    priority = IntegerFilter(field_name="priority_id")

    class Meta:
        model = Action
        fields = ["plan", "area", "plan_status", "lineage", "priority"]


class ActionViewSet(PlanContentViewSet):
    """Actions, with their state from the latest update as the plan page
    shows it."""

    queryset = Action.objects.all()
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ["due_date", "title"]
    ordering = ["plan", "priority__number", "due_date", "title"]

    def base_queryset(self):
        return selectors.actions_with_latest_update(super().base_queryset())


# --- Measurements and action updates ----------------------------------------------------


class ProgressLogViewSet(
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [*ScopedAPIMixin.permission_classes, MayLogProgress]
    lookup_value_regex = "[0-9]+"


class MeasurementSerializer(ModelSerializer):
    lineage = VisibleLineageField(
        visible=indicator_lineages_visible,
        queryset=IndicatorLineage.objects.all(),
        help_text="The indicator's lineage id (the same in every plan version).",
    )

    class Meta:
        model = Measurement
        fields = ["id", "lineage", "date", "value", "status", "source", "note"]
        read_only_fields = ["id"]
        # A "%" may follow the value, if the indicator is a percentage (validate).
        extra_kwargs = {"value": {"unit": PERCENT}}
        # No unique (lineage, date) check: a second figure for a date changes
        # the first (plans.services.measurement_record).
        validators = []

    def validate(self, attrs):
        written = self.initial_data.get("value")
        if isinstance(written, str):
            try:
                self.fields["value"].number(written, unit=attrs["lineage"].number_unit)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"value": error.detail}) from None
        return attrs


class ProgressLogFilter(django_filters.FilterSet):
    """The filters of a progress log (measurements, action updates): by
    lineage, area, status (each log's own choices) and date."""

    lineage = IntegerFilter(field_name="lineage_id")
    area = django_filters.CharFilter(field_name="lineage__area__slug", help_text=AREA_FILTER_HELP)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        fields = ["lineage", "area", "status", "date_from", "date_to"]


class MeasurementFilter(ProgressLogFilter):
    status = django_filters.ChoiceFilter(choices=FigureStatus.choices)

    class Meta(ProgressLogFilter.Meta):
        model = Measurement


class MeasurementViewSet(ProgressLogViewSet):
    """Measurements of indicators. POST records one, or changes the one
    already held for that indicator and date (200 rather than 201)."""

    queryset = Measurement.objects.all()
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["date"]
    ordering = ["lineage", "date"]

    def base_queryset(self):
        return Measurement.objects.filter(lineage__in=indicator_lineages_visible(self.request.user))

    @extend_schema(responses={201: MeasurementSerializer, 200: MeasurementSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        lineage = values.pop("lineage")
        _check_may_log(request.user, lineage)
        existed = Measurement.objects.filter(lineage=lineage, date=values["date"]).exists()
        measurement = services.measurement_record(lineage=lineage, user=request.user, **values)
        return Response(
            self.get_serializer(measurement).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class ActionUpdateSerializer(ModelSerializer):
    lineage = VisibleLineageField(
        visible=action_lineages_visible,
        queryset=ActionLineage.objects.all(),
        help_text="The action's lineage id (the same in every plan version).",
    )
    narrative = serializers.CharField(max_length=5000)
    evidence_url = OptionalURLField(max_length=200, help_text="A link to evidence, or null.")
    author_name = serializers.SerializerMethodField()
    evidence_file_name = serializers.SerializerMethodField(
        help_text="The name of an uploaded evidence file (upload it on the action's page)."
    )

    class Meta:
        model = ActionUpdate
        fields = [
            "id",
            "lineage",
            "date",
            "status",
            "narrative",
            "spend_to_date",
            "correction_reason",
            "evidence_url",
            "evidence_file_name",
            "author_name",
        ]
        read_only_fields = ["id", "evidence_file_name", "author_name"]
        extra_kwargs = {"spend_to_date": {"unit": POUNDS}}

    @extend_schema_field(serializers.CharField())
    def get_author_name(self, update):
        return update.author.get_full_name() or update.author.email

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_file_name(self, update):
        return update.evidence_display_name or None

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("Date must be today or in the past")
        return value


class ActionUpdateFilter(ProgressLogFilter):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)

    class Meta(ProgressLogFilter.Meta):
        model = ActionUpdate


class ActionUpdateViewSet(ProgressLogViewSet):
    """Entries in actions' update logs. POST adds one (evidence files are
    uploaded on the action's page)."""

    queryset = ActionUpdate.objects.select_related("author")
    serializer_class = ActionUpdateSerializer
    filterset_class = ActionUpdateFilter
    ordering_fields = ["date"]
    ordering = ["lineage", "-date"]

    def base_queryset(self):
        return self.queryset.filter(lineage__in=action_lineages_visible(self.request.user))

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        lineage = values.pop("lineage")
        _check_may_log(self.request.user, lineage)
        serializer.instance = services.action_update_log(
            lineage=lineage, user=self.request.user, **values
        )


ROUTES = [
    ("plans", PlanViewSet, "plan"),
    ("priorities", PriorityViewSet, "priority"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("targets", TargetViewSet, "target"),
    ("actions", ActionViewSet, "action"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("action-updates", ActionUpdateViewSet, "action-update"),
]
