import importlib

import pytest
import time_machine

from core.models import Role
from tests.factories import UserFactory

from .factories import REPORT_DAY, reporting_area


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Report files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def encounter_types(db):
    """The seeded types (transactional tests flush the database, so they are
    put back from the data migration)."""
    from django.apps import apps

    migration = importlib.import_module("encounters.migrations.0002_encounter_types")
    migration.create_encounter_types(apps, None)


@pytest.fixture
def lead(area):
    return UserFactory(role=Role.AREA_LEAD, area=area)


@pytest.fixture
def report_day():
    with time_machine.travel(REPORT_DAY, tick=False):
        yield REPORT_DAY.date()


@pytest.fixture
def area_data(report_day, area, lead, encounter_types):
    """The area with a published plan, spend, allocations and encounters."""
    return reporting_area(area, lead)


def stored_files(media_root):
    """Every file under MEDIA_ROOT, as paths relative to it."""
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
