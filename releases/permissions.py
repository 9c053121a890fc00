"""Who may prepare and correct an area's releases and set their pre-release
access lists: the area's lead, DfE staff and administrators. DfE staff are
read-only elsewhere; publishing statistics is their part in a release."""

from core.models import Role
from core.roles import RELEASE_MANAGER_ROLES


def can_manage_releases(user, area) -> bool:
    if not user.is_authenticated or user.role not in RELEASE_MANAGER_ROLES:
        return False
    return user.role != Role.AREA_LEAD or user.area_id == area.pk
