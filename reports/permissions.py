"""Who may read and ask for an area's progress reports. Which areas a user
sees is scoping's job (core.scoping); these answer the role questions."""

from core.models import Role
from core.roles import AREA_AGGREGATE_ROLES


def can_read_reports(user) -> bool:
    # Reports hold the area's aggregates (encounter coverage among them).
    return user.is_authenticated and user.role in AREA_AGGREGATE_ROLES


def can_generate_report(user, area) -> bool:
    """Generate a report now: the area's lead, DfE staff and administrators.

    DfE staff are read-only elsewhere; asking for a report changes no data,
    so they may."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.ADMINISTRATOR, Role.DFE_STAFF):
        return True
    return user.role == Role.AREA_LEAD and user.area_id == area.pk
