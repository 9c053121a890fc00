"""Tutor or class groups come from the roster file, under the names MIS
exports give the column."""

import datetime

import pytest

from encounters.models import Pupil
from encounters.roster_files import parse_roster
from encounters.services import roster_import, roster_plan
from tests.encounters.factories import make_upn

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2018, 3, 20)


def roster(header_for_group, groups):
    lines = [f"UPN,Pupil identifier,Year group,{header_for_group}"]
    lines += [f"{make_upn(n + 1)},P{n + 1},9,{group}" for n, group in enumerate(groups)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "header", ["Group", "Reg Group", "Tutor Group", "Form", "Class", "Registration group", "REG"]
)
def test_the_group_column_is_read_under_each_mis_spelling(header):
    rows, errors = parse_roster(roster(header, ["9R", " 9  S ", ""]))
    assert errors == []
    assert [row.tutor_group for row in rows] == ["9R", "9 S", ""]


def test_a_group_too_long_names_the_line_and_the_column():
    rows, errors = parse_roster(roster("Tutor Group", ["9R", "x" * 41]))
    assert [line for line, _ in errors] == [3]
    assert "group must be 40 characters or fewer" in errors[0][1].lower()


def test_groups_are_imported_and_changes_to_them_are_listed(school):
    rows, _ = parse_roster(roster("Reg Group", ["9R", "9S"]))
    roster_import(school=school, rows=rows, full_roster=False, today=TODAY)
    assert dict(Pupil.objects.values_list("pupil_identifier", "tutor_group")) == {
        "P1": "9R",
        "P2": "9S",
    }
    moved, _ = parse_roster(roster("Reg Group", ["9R", "9T"]))
    plan = roster_plan(school=school, rows=moved, full_roster=False, today=TODAY)
    assert [(pupil.pupil_identifier, changes) for pupil, _, changes in plan.updates] == [
        ("P2", ["group to 9T"])
    ]
    roster_import(school=school, rows=moved, full_roster=False, today=TODAY)
    assert Pupil.objects.get(pupil_identifier="P2").tutor_group == "9T"


def test_a_file_without_the_group_column_keeps_the_groups_pupils_have(school):
    rows, _ = parse_roster(roster("Form", ["9R", "9S"]))
    roster_import(school=school, rows=rows, full_roster=False, today=TODAY)
    without = "UPN,Pupil identifier,Year group\n" + "".join(
        f"{make_upn(n)},P{n},9\n" for n in (1, 2)
    )
    rows, _ = parse_roster(without)
    plan = roster_import(school=school, rows=rows, full_roster=False, today=TODAY)
    assert plan.updates == []
    assert dict(Pupil.objects.values_list("pupil_identifier", "tutor_group")) == {
        "P1": "9R",
        "P2": "9S",
    }
