import datetime

import pytest
from django.utils import timezone

from core.models import Role
from dashboard.services import summaries_rebuild
from releases import services
from releases.models import Release
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.factories import SchoolFactory, UserFactory


def publication_time_passes(release):
    """What the clock does at the publication time: the release's time is
    now past. (An unpublished release may still be moved.)"""
    Release.objects.filter(pk=release.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    release.refresh_from_db()
    return release


def in_an_hour():
    return timezone.now() + datetime.timedelta(hours=1)


def last_month():
    today = timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


@pytest.fixture
def lead(area):
    return UserFactory(role=Role.AREA_LEAD, area=area, first_name="Ada", last_name="Lead")


@pytest.fixture
def cohorts(area, school):
    """Year 9 at two schools: 20 pupils (12 with four encounters) and 3
    pupils (2 of them)."""
    start, end = last_month()
    on_roll = start - datetime.timedelta(days=60)
    second = SchoolFactory(area=area, name="Second Academy")
    for where, n, reached in ((school, 20, 12), (second, 3, 2)):
        pupils = PupilFactory.create_batch(n, school=where, year_group=9, year_group_on=on_roll)
        for k in range(4):
            attend(
                EncounterFactory(school=where, date=start + datetime.timedelta(days=k)),
                pupils[:reached],
            )
    summaries_rebuild()
    return second


@pytest.fixture
def release(area, lead, cohorts):
    start, end = last_month()
    return services.release_prepare(
        area=area, period_start=start, period_end=end, publish_at=in_an_hour(), user=lead
    )
