import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory

from areas.demo import GSS_LA_CODES
from areas.models import School
from core.models import Role, User

TEST_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 500000 + n)
    name = factory.Faker("company", locale="en_GB")
    la_code = factory.LazyAttribute(
        lambda o: o.area.local_authorities.first().la_code if o.area else 999
    )
    la_name = factory.LazyAttribute(
        lambda o: o.area.local_authorities.first().la_name if o.area else "Elsewhere"
    )
    new_la_code = factory.LazyAttribute(lambda o: GSS_LA_CODES.get(o.la_code, ""))
    establishment_type = "Community school"
    phase = "Secondary"
    status = "Open"
    statutory_low_age = 11
    statutory_high_age = 16
    number_of_pupils = factory.Faker("random_int", min=300, max=1500)
    postcode = factory.Faker("postcode", locale="en_GB")
    area = None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    role = Role.BOARD_MEMBER
    area = None
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)


# A session verified with a second factor loads its device on every request,
# so that a reset ends the verification (ADR 0012): query budgets for DfE and
# administrator pages count it.
SECOND_FACTOR_QUERIES = 1


class AuthenticatorFactory(DjangoModelFactory):
    """A confirmed authenticator app (TOTP) for a user."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def authenticator_code(device: TOTPDevice) -> str:
    """The code the user's app would show now, computed from the device's
    key as an app does. A code is accepted once, so after a sign-in in this
    time step it is the next step's code (within the device's tolerance)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"
