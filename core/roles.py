from django.db import models


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "School staff"
    BOARD_MEMBER = "board_member", "Board member"
    AREA_LEAD = "area_lead", "Area lead"
    DFE_STAFF = "dfe_staff", "DfE staff"
    ADMINISTRATOR = "administrator", "Administrator"


# Every role set the service checks is here, once; apps import them from here
# (ADR 0015). Which rows a role sees is scoping's job (core.scoping); these
# say which kinds of page and action a role has at all.

# Roles that belong to one area (the user's area is set).
AREA_ROLES = frozenset({Role.BOARD_MEMBER, Role.AREA_LEAD})
# Roles that may read but not change data.
READ_ONLY_ROLES = frozenset({Role.DFE_STAFF})
# Roles that see every area: they must sign in with a second factor.
SECOND_FACTOR_ROLES = frozenset({Role.DFE_STAFF, Role.ADMINISTRATOR})
# Pupil-level pages and API rows: the school's own staff and administrators.
PUPIL_LEVEL_ROLES = frozenset({Role.SCHOOL_STAFF, Role.ADMINISTRATOR})
# An area's aggregates (encounter coverage, progress reports): the area's
# board and lead, DfE staff and administrators. School staff see their own
# school's figures instead.
AREA_AGGREGATE_ROLES = frozenset(
    {Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR}
)
# The cross-area dashboard: everyone but school staff.
DASHBOARD_ROLES = frozenset(set(Role) - {Role.SCHOOL_STAFF})
# Who may ask for a progress report through the API (the area lead of their
# own area; DfE staff and administrators anywhere). Asking changes no data.
REPORT_GENERATOR_ROLES = frozenset({Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR})
# Who may see the areas' membership rules and which schools each includes
# (administrators edit them in the admin).
REFERENCE_DATA_ROLES = frozenset({Role.DFE_STAFF, Role.ADMINISTRATOR})
# Who may prepare an area's releases and set pre-release access.
RELEASE_MANAGER_ROLES = frozenset({Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR})
# The what-works evidence library: every area role, DfE staff and
# administrators. School staff are left out, like the dashboard: the library
# is about areas' plans, and a school's staff have their school's pages.
EVIDENCE_LIBRARY_ROLES = DASHBOARD_ROLES

# Who may import comparator series from EES files (ADR 0018): DfE staff and
# administrators any level; an area lead their own area's local
# authorities. DfE staff are otherwise read only: comparator series are the
# statistics DfE's own analysts publish.
COMPARATOR_IMPORT_ROLES = frozenset({Role.AREA_LEAD, Role.DFE_STAFF, Role.ADMINISTRATOR})
