"""Demo users: one per role, with known credentials printed by seed_demo."""

from dataclasses import dataclass

from areas.models import Area, School

from .models import Role, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    scope: str


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
        accounts.append(DemoAccount(email=email, role=user.get_role_display(), scope=scope))
    return accounts
