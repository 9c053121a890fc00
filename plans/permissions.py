"""Who may change what in an area's plan. Reading is scoping's job
(core.scoping); these answer 'may this user write here?'."""

from core.roles import AREA_ROLES, COMPARATOR_IMPORT_ROLES, Role


def can_log_progress(user, area) -> bool:
    """Log action updates and record measurements: the area's board members
    and lead, and administrators."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return user.role in AREA_ROLES and user.area_id == area.pk


def can_edit_plan(user, area) -> bool:
    """Edit priorities, indicators, targets and actions, publish versions,
    manage the board: the area lead and administrators."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return user.role == Role.AREA_LEAD and user.area_id == area.pk


def can_import_comparators(user, area) -> bool:
    """Import comparator series from an EES file on this area's pages: DfE
    staff and administrators, and the area's own lead (ADR 0018); which
    locations each may import is plans.comparator_imports.allowed_locations."""
    if not user.is_authenticated or user.role not in COMPARATOR_IMPORT_ROLES:
        return False
    return user.role != Role.AREA_LEAD or user.area_id == area.pk
