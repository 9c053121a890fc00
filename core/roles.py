from django.db import models


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "School staff"
    BOARD_MEMBER = "board_member", "Board member"
    AREA_LEAD = "area_lead", "Area lead"
    DFE_STAFF = "dfe_staff", "DfE staff"
    ADMINISTRATOR = "administrator", "Administrator"


AREA_ROLES = frozenset({Role.BOARD_MEMBER, Role.AREA_LEAD})
READ_ONLY_ROLES = frozenset({Role.DFE_STAFF})
# Roles that see every area: they must sign in with a second factor.
SECOND_FACTOR_ROLES = frozenset({Role.DFE_STAFF, Role.ADMINISTRATOR})
