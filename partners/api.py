"""API for organisations and partnership boards: read-only, as the pages are.

Board memberships show what the board page shows (name, role, organisation,
what the member represents, dates), never the contact email or the member's
account.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers

from core.api import IntegerFilter, OptionalURLField, ScopedReadOnlyViewSet

from .models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DecisionStatus,
    MembershipRole,
    Organisation,
    OrganisationKind,
    PartnershipBoard,
)


class OrganisationSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Null: a national body."
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "sector", "companies_house_number", "area"]
        read_only_fields = fields


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    area = django_filters.CharFilter(field_name="area__slug", help_text="An area's slug.")

    class Meta:
        model = Organisation
        fields = ["kind", "area"]


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Partner organisations: shared reference data every signed-in user may
    read."""

    queryset = Organisation.objects.select_related("area")
    serializer_class = OrganisationSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "kind"]
    ordering = ["name"]


class BoardSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PartnershipBoard
        fields = ["id", "area", "name"]
        read_only_fields = fields


class AreaFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__slug", help_text="An area's slug.")

    class Meta:
        model = PartnershipBoard
        fields = ["area"]


class BoardViewSet(ScopedReadOnlyViewSet):
    queryset = PartnershipBoard.objects.select_related("area")
    serializer_class = BoardSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = AreaFilter
    ordering_fields = ["name"]
    ordering = ["area__name"]


class BoardMembershipSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = BoardMembership
        fields = [
            "id",
            "board",
            "name",
            "role",
            "organisation",
            "organisation_name",
            "sector_represented",
            "start_date",
            "end_date",
            "is_current",
        ]
        read_only_fields = fields


class BoardMembershipFilter(django_filters.FilterSet):
    board = IntegerFilter(field_name="board_id")
    area = django_filters.CharFilter(field_name="board__area__slug", help_text="An area's slug.")
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices)
    current = django_filters.BooleanFilter(
        method="filter_current", help_text="true: members today; false: past members."
    )

    class Meta:
        model = BoardMembership
        fields = ["board", "area", "role", "current"]

    def filter_current(self, queryset, name, value):
        current = Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())
        return queryset.filter(current) if value else queryset.exclude(current)


class BoardMembershipViewSet(ScopedReadOnlyViewSet):
    queryset = BoardMembership.objects.select_related("user", "organisation")
    serializer_class = BoardMembershipSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = BoardMembershipFilter
    ordering_fields = ["start_date", "role"]
    ordering = ["board", "role", "contact_name"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "meeting", "decision", "owner", "due_date", "status"]
        read_only_fields = fields


class BoardMeetingSerializer(serializers.ModelSerializer):
    minutes_url = OptionalURLField(read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = BoardMeeting
        fields = ["id", "board", "date", "title", "minutes_url", "decisions"]
        read_only_fields = fields


class BoardMeetingFilter(django_filters.FilterSet):
    board = IntegerFilter(field_name="board_id")
    area = django_filters.CharFilter(field_name="board__area__slug", help_text="An area's slug.")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = BoardMeeting
        fields = ["board", "area", "date_from", "date_to"]


class BoardMeetingViewSet(ScopedReadOnlyViewSet):
    """Meetings, each with its decisions."""

    queryset = BoardMeeting.objects.prefetch_related("decisions")
    serializer_class = BoardMeetingSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = BoardMeetingFilter
    ordering_fields = ["date"]
    ordering = ["-date"]


class DecisionFilter(django_filters.FilterSet):
    meeting = IntegerFilter(field_name="meeting_id")
    board = IntegerFilter(field_name="meeting__board_id")
    area = django_filters.CharFilter(
        field_name="meeting__board__area__slug", help_text="An area's slug."
    )
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices)

    class Meta:
        model = Decision
        fields = ["meeting", "board", "area", "status"]


class DecisionViewSet(ScopedReadOnlyViewSet):
    queryset = Decision.objects.all()
    serializer_class = DecisionSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = DecisionFilter
    ordering_fields = ["due_date", "status"]
    ordering = ["due_date"]


ROUTES = [
    ("organisations", OrganisationViewSet, "organisation"),
    ("boards", BoardViewSet, "board"),
    ("board-memberships", BoardMembershipViewSet, "board-membership"),
    ("board-meetings", BoardMeetingViewSet, "board-meeting"),
    ("board-decisions", DecisionViewSet, "board-decision"),
]
