from django.db.models import Prefetch

from core.scoping import visible_to

from .models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DecisionStatus,
    DeclaredInterest,
    PartnershipBoard,
)


def board_for_area(*, user, area):
    """The area's board with members, meetings, decisions and the register of
    interests, in a fixed number of queries; None if it has no board."""
    return (
        visible_to(PartnershipBoard.objects.filter(area=area), user)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=BoardMembership.objects.select_related("user", "organisation").order_by(
                    "role", "contact_name", "user__last_name"
                ),
            ),
            Prefetch(
                "memberships__interests",
                queryset=DeclaredInterest.objects.select_related("meeting").order_by(
                    "-declared_on"
                ),
            ),
            Prefetch(
                "meetings",
                queryset=BoardMeeting.objects.prefetch_related(
                    "decisions",
                    Prefetch(
                        "attendees",
                        queryset=BoardMembership.objects.select_related("user", "organisation"),
                    ),
                    Prefetch(
                        "declarations",
                        queryset=DeclaredInterest.objects.select_related("membership__user"),
                    ),
                ),
            ),
        )
        .first()
    )


def decisions_overdue(*, user, area, today):
    """The area board's open decisions past their due date, most overdue first."""
    return (
        visible_to(Decision.objects.filter(meeting__board__area=area), user)
        .filter(status=DecisionStatus.OPEN, due_date__lt=today)
        .select_related("meeting")
        .order_by("due_date", "pk")
    )
