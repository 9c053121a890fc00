"""Demo users: one per role, with known credentials printed by seed_demo.

DfE staff and administrators need a second factor, so their demo accounts
get an authenticator app (its key, printed, stays the same across seeds so
an app set up with it keeps working) and new recovery codes on every seed.
"""

from base64 import b32encode
from dataclasses import dataclass

from areas.models import Area, School
from core.models import Role, User
from core.services import authenticator_for, recovery_codes_replace


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    scope: str
    authenticator_key: str = ""
    recovery_codes: tuple[str, ...] = ()


def seed_users(*, password: str) -> list[DemoAccount]:
    blackpool = Area.objects.get(slug="blackpool")
    hastings = Area.objects.get(slug="hastings")
    blackpool_school = School.objects.open().filter(area=blackpool).order_by("urn").first()
    specs = [
        ("admin@example.org", Role.ADMINISTRATOR, None, "Ada", "Admin"),
        ("dfe@example.org", Role.DFE_STAFF, None, "Dev", "Fenwick"),
        ("lead.blackpool@example.org", Role.AREA_LEAD, blackpool, "Laila", "Lead"),
        ("board.blackpool@example.org", Role.BOARD_MEMBER, blackpool, "Bryn", "Board"),
        ("board.hastings@example.org", Role.BOARD_MEMBER, hastings, "Hana", "Hastings"),
        ("school@example.org", Role.SCHOOL_STAFF, None, "Sam", "Careers-Lead"),
    ]
    accounts = []
    for email, role, area, first, last in specs:
        is_admin = role == Role.ADMINISTRATOR
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "role": role,
                "area": area,
                "first_name": first,
                "last_name": last,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save()
        if role == Role.SCHOOL_STAFF:
            user.schools.set([blackpool_school])
            scope = blackpool_school.name
        else:
            scope = area.name if area else "All areas"
        second_factor = _demo_second_factor(user) if user.second_factor_required else {}
        accounts.append(
            DemoAccount(email=email, role=user.get_role_display(), scope=scope, **second_factor)
        )
    return accounts


def _demo_second_factor(user) -> dict:
    device = authenticator_for(user)
    if device is None:
        device = user.totpdevice_set.create(name="Demo authenticator app", confirmed=True)
    return {
        "authenticator_key": b32encode(device.bin_key).decode(),
        "recovery_codes": tuple(recovery_codes_replace(user=user)),
    }
