import datetime

import factory
from factory.django import DjangoModelFactory

from encounters.models import Attendance, Encounter, EncounterType, Pupil, SendProvision
from encounters.pseudonymisation import upn_hash, upn_with_check_letter
from partners.models import Organisation, OrganisationKind


def make_upn(n: int) -> str:
    """A valid UPN, different for each n."""
    return upn_with_check_letter(f"{890000000000 + n:012d}")


class PupilFactory(DjangoModelFactory):
    class Meta:
        model = Pupil

    class Params:
        upn = factory.Sequence(make_upn)

    pupil_identifier = factory.Sequence(lambda n: f"ADM{n:05d}")
    upn_hash = factory.LazyAttribute(lambda o: upn_hash(o.upn))
    display_name = factory.Faker("name", locale="en_GB")
    year_group = 9
    year_group_on = factory.LazyFunction(datetime.date.today)
    disadvantaged = False
    send = SendProvision.NONE
    on_roll_from = datetime.date(2015, 9, 1)


class EncounterFactory(DjangoModelFactory):
    class Meta:
        model = Encounter

    date = factory.LazyFunction(datetime.date.today)
    encounter_type = factory.LazyFunction(lambda: EncounterType.objects.get(code="employer-talk"))
    title = factory.Sequence(lambda n: f"Employer talk {n}")


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Employer {n} Ltd")
    kind = OrganisationKind.EMPLOYER


def attend(encounter, pupils):
    Attendance.objects.bulk_create([Attendance(encounter=encounter, pupil=p) for p in pupils])
