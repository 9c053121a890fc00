import datetime

import pytest
import time_machine

from core.imports import CsvFileError
from core.models import UploadPreview
from encounters.models import Pupil, SendProvision
from encounters.pseudonymisation import upn_hash
from encounters.roster_files import parse_roster
from encounters.services import (
    RosterFileInvalid,
    roster_import,
    roster_import_confirm,
    roster_import_preview,
)
from tests.encounters.factories import make_upn
from tests.uploads import roster_file_text, same_file_variants, written_by_each

pytestmark = pytest.mark.django_db


def roster_csv(rows, header="UPN,Pupil identifier,Name,Year group,FSM,SEND"):
    return (header + "\n" + "\n".join(",".join(map(str, row)) for row in rows) + "\n").encode()


ROWS = [
    (make_upn(1), "A001", "Ada Lovelace", 9, "Y", "N"),
    (make_upn(2), "A002", "", "Year 10", "N", "K"),
    (make_upn(3), "A003", "Cy Twombly", "R", "", "E"),
]


def test_parse_reads_every_column_and_hashes_the_upn():
    rows, errors = parse_roster(roster_csv(ROWS).decode())
    assert errors == []
    first = rows[0]
    assert first.upn_hash == upn_hash(make_upn(1))
    assert (first.pupil_identifier, first.display_name, first.year_group) == (
        "A001",
        "Ada Lovelace",
        9,
    )
    assert first.disadvantaged
    assert rows[1].send == SendProvision.SEN_SUPPORT
    assert rows[2].year_group == 0
    assert rows[2].send == SendProvision.EHC_PLAN


def test_bad_rows_are_listed_by_line_without_the_upn():
    data = roster_csv(
        [*ROWS, ("X123", "A004", "", 14, "maybe", "Q"), (make_upn(1), "A001", "", 8, "N", "N")]
    )
    rows, errors = parse_roster(data.decode())
    assert [line for line, _ in errors] == [5, 6]
    assert "UPN must be 13 characters" in errors[0][1]
    assert "year group" in errors[0][1]
    assert "FSM" in errors[0][1]
    assert "SEND" in errors[0][1]
    assert "X123" not in errors[0][1]
    assert "also on line 2" in errors[1][1]


def test_missing_columns_and_wrong_encoding_are_explained():
    with pytest.raises(CsvFileError, match="missing required column: 'Pupil identifier'"):
        parse_roster("UPN,Year group\n")
    from core.imports import upload_text

    with pytest.raises(CsvFileError, match="UTF-8"):
        upload_text("UPN,Name\nB801200005001,Zoë\n".encode("cp1252"))
    assert upload_text(b"\xef\xbb\xbfUPN\n") == "UPN\n"


@time_machine.travel(datetime.date(2018, 1, 10), tick=False)
def test_import_creates_then_a_second_import_changes_nothing(school):
    rows, _ = parse_roster(roster_csv(ROWS).decode())
    plan = roster_import(school=school, rows=rows, full_roster=True)
    assert len(plan.creates) == 3
    pupil = Pupil.objects.get(pupil_identifier="A001")
    assert pupil.reception_year == 2008
    assert pupil.on_roll_from == datetime.date(2017, 9, 1)  # no entry date: start of year
    before = list(Pupil.objects.order_by("pk").values())

    again = roster_import(school=school, rows=rows, full_roster=True)
    assert (again.creates, again.updates, again.leavers, again.unchanged) == ([], [], [], 3)
    assert list(Pupil.objects.order_by("pk").values()) == before


def test_full_roster_marks_missing_pupils_off_roll_and_never_deletes(school):
    rows, _ = parse_roster(roster_csv(ROWS).decode())
    with time_machine.travel(datetime.date(2018, 1, 10), tick=False):
        roster_import(school=school, rows=rows, full_roster=False)
    changed = [(make_upn(1), "A001", "Ada Lovelace", 10, "N", "N"), ROWS[1]]
    rows, _ = parse_roster(roster_csv(changed).decode())
    with time_machine.travel(datetime.date(2018, 9, 20), tick=False):
        plan = roster_import(school=school, rows=rows, full_roster=True)
    assert [p.pupil_identifier for p in plan.leavers] == ["A003"]
    assert Pupil.objects.count() == 3
    leaver = Pupil.objects.get(pupil_identifier="A003")
    assert leaver.on_roll_until == datetime.date(2018, 9, 19)
    ada = Pupil.objects.get(pupil_identifier="A001")
    assert not ada.disadvantaged
    # Year 9 in 2017/18 and Year 10 in 2018/19 is the same cohort: no change.
    assert ada.reception_year == 2008
    assert plan.updates[0][2] == ["no longer disadvantaged"]


def test_preview_writes_nothing_until_confirmed(school, users):
    from core.models import Role

    user = users[Role.SCHOOL_STAFF]
    preview = roster_import_preview(
        school=school, user=user, file_name="roster.csv", data=roster_csv(ROWS), full_roster=False
    )
    assert Pupil.objects.count() == 0
    assert [row["identifier"] for row in preview.summary["creates"]] == ["A001", "A002", "A003"]
    stored = str(UploadPreview.objects.values_list("content", flat=True).get())
    assert make_upn(1) not in stored
    roster_import_confirm(preview=preview, user=user)
    assert Pupil.objects.count() == 3
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        roster_import_confirm(preview=preview, user=user)


def test_one_bad_row_writes_nothing(school, users):
    from core.models import Role

    data = roster_csv([*ROWS, (make_upn(9), "", "", 9, "N", "N")])
    with pytest.raises(RosterFileInvalid) as error:
        roster_import_preview(
            school=school,
            user=users[Role.SCHOOL_STAFF],
            file_name="r.csv",
            data=data,
            full_roster=True,
        )
    assert error.value.errors == [(5, "Enter the pupil identifier")]
    assert Pupil.objects.count() == 0
    assert UploadPreview.objects.count() == 0


def test_a_upn_already_held_by_another_pupil_is_refused(school):
    rows, _ = parse_roster(roster_csv(ROWS).decode())
    roster_import(school=school, rows=rows, full_roster=False)
    rows, _ = parse_roster(roster_csv([(make_upn(1), "NEW1", "", 9, "N", "N")]).decode())
    with pytest.raises(RosterFileInvalid) as error:
        roster_import(school=school, rows=rows, full_roster=False)
    assert "belongs to pupil A001" in error.value.errors[0][1]


def test_every_line_ending_and_a_byte_order_mark_import_the_same_pupils(school, users):
    from core.models import Role

    staff = users[Role.SCHOOL_STAFF]

    def load(data):
        preview = roster_import_preview(
            school=school, user=staff, file_name="roster.csv", data=data, full_roster=False
        )
        roster_import_confirm(preview=preview, user=staff)

    written = written_by_each(
        same_file_variants(roster_file_text().encode()),
        load,
        lambda: sorted(
            Pupil.objects.values_list(
                "pupil_identifier", "upn_hash", "display_name", "year_group", "send", "on_roll_from"
            )
        ),
    )

    assert [pupil[0] for pupil in written["CR LF"]] == ["F1", "F2", "F3"]
    assert all(pupils == written["CR LF"] for pupils in written.values()), written
