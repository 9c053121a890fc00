"""encounters.services.encounters_record_all: many encounters all or nothing,
each through encounter_record, every refused record named."""

import datetime

import pytest
import time_machine

from core.models import ChangeRecord, Role
from encounters.models import Attendance, Encounter
from encounters.services import EncounterBatchError, encounters_record_all
from tests.encounters.factories import PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def pupils(school):
    return PupilFactory.create_batch(
        3, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )


def _record(school, encounter_types, pupils, **overrides):
    return {
        "school": school,
        "date": datetime.date(2018, 3, 14),
        "encounter_type": encounter_types["employer-talk"],
        "title": "Engineering talk",
        "delivered_through": "school",
        "pupils": pupils,
        **overrides,
    }


def test_a_valid_batch_is_recorded_whole(users, school, pupils, encounter_types):
    records = [
        _record(school, encounter_types, pupils[:2], title="First"),
        _record(school, encounter_types, pupils, title="Second"),
    ]
    history_before = ChangeRecord.objects.count()
    created = encounters_record_all(user=users[Role.SCHOOL_STAFF], records=records)
    assert [e.title for e in created] == ["First", "Second"]
    assert Attendance.objects.filter(encounter__in=created).count() == 5
    assert ChangeRecord.objects.count() == history_before + 2


def test_one_refused_record_writes_nothing_and_each_refusal_is_named(
    users, school, pupils, encounter_types
):
    records = [
        _record(school, encounter_types, pupils, title="Fine"),
        _record(school, encounter_types, []),
        _record(school, encounter_types, pupils, title="Also fine"),
        _record(school, encounter_types, pupils, title=""),
    ]
    history_before = ChangeRecord.objects.count()
    with pytest.raises(EncounterBatchError) as refused:
        encounters_record_all(user=users[Role.SCHOOL_STAFF], records=records)
    errors = refused.value.errors
    assert [e is None for e in errors] == [True, False, True, False]
    assert errors[1].message_dict == {"pupils": ["Choose at least one pupil"]}
    assert "title" in errors[3].message_dict
    assert Encounter.objects.count() == 0
    assert Attendance.objects.count() == 0
    assert ChangeRecord.objects.count() == history_before
