import pytest

from areas.demo import seed_schools
from core.models import Role, User
from encounters.academic_years import AcademicYear
from encounters.demo import seed_encounters
from encounters.models import Attendance, Pupil
from encounters.selectors import school_coverage

pytestmark = pytest.mark.django_db


def test_demo_gives_a_spread_of_coverage_and_is_idempotent(reference_areas):
    seed_schools(seed=2017)
    summary = seed_encounters(seed=2017)
    assert "pupils in" in summary
    counts = (Pupil.objects.count(), Attendance.objects.count())
    assert counts[0] > 0
    assert counts[1] > 0
    admin = User.objects.create_user("a@example.org", role=Role.ADMINISTRATOR)
    rates = []
    for school in {p.school for p in Pupil.objects.select_related("school")}:
        total = school_coverage(user=admin, school=school, year=AcademicYear.current())["total"]
        rates.append(total.all.four_rate)
    assert min(rates) < 50 < max(rates)
    seed_encounters(seed=2017)
    assert (Pupil.objects.count(), Attendance.objects.count()) == counts
