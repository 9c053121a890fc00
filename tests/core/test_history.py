import pytest

from core.history import change_record, history_for, snapshot
from core.models import ChangeAction, Role

pytestmark = pytest.mark.django_db


def test_records_who_when_and_values_before_and_after(users, school):
    editor = users[Role.ADMINISTRATOR]
    before = snapshot(school)
    school.name = "Renamed Academy"
    school.percentage_fsm = "12.5"
    school.save()
    record = change_record(
        obj=school, user=editor, action=ChangeAction.UPDATED, before=before, after=snapshot(school)
    )
    assert record.changed_by == editor
    assert record.changes == {
        "name": {"before": "Own Scope Academy", "after": "Renamed Academy"},
        "% FSM": {"before": None, "after": "12.5"},
    }
    assert list(history_for(school)) == [record]


def test_an_update_that_changes_nothing_is_not_recorded(users, school):
    state = snapshot(school)
    assert (
        change_record(obj=school, user=None, action=ChangeAction.UPDATED, before=state, after=state)
        is None
    )
    assert not history_for(school).exists()


def test_history_is_newest_first_and_per_object(users, school, other_school):
    first = change_record(
        obj=school, user=None, action=ChangeAction.CREATED, after=snapshot(school)
    )
    change_record(obj=other_school, user=None, action=ChangeAction.CREATED, after={})
    second = change_record(
        obj=school, user=None, action=ChangeAction.DELETED, before=snapshot(school)
    )
    assert list(history_for(school)) == [second, first]
