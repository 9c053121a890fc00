import datetime

import pytest
import time_machine
from django.db import connection

from core.imports import CsvFileError
from encounters.models import Attendance, AttendanceUpload, Encounter, UploadStatus
from encounters.services import attendance_import, attendance_upload_create
from partners.models import OrganisationKind
from tests.encounters.factories import EmployerFactory, PupilFactory, make_upn
from tests.uploads import attendance_file_text, same_file_variants, written_by_each

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.date(2018, 3, 20), tick=False):
        yield


HEADER = "Pupil identifier,UPN,Date,Type,Employer,Title"


@pytest.fixture
def pupils(school):
    return [
        PupilFactory(school=school, pupil_identifier=f"P{n}", upn=make_upn(100 + n))
        for n in range(1, 4)
    ]


@pytest.fixture
def employer():
    return EmployerFactory(name="Barclays", kind=OrganisationKind.CORNERSTONE_EMPLOYER)


def attendance_csv(*rows):
    return HEADER + "\n" + "\n".join(rows) + "\n"


GOOD = attendance_csv(
    "P1,,2018-03-14,Employer talk,Barclays,Banking careers",
    "P2,,14/03/2018,employer-talk,barclays,Banking careers",
    f",{make_upn(103)},2018-03-14,Employer talk,Barclays,Banking careers",
    "P1,,2018-02-01,Workplace visit,,Port visit",
)


def test_rows_become_encounters_and_attendance(school, pupils, employer):
    result = attendance_import(school=school, text=GOOD)
    assert result.ok
    assert result.rows == 4
    assert (result.encounters_created, result.attendances_created) == (2, 4)
    talk = Encounter.objects.get(title="Banking careers")
    assert list(talk.employers.all()) == [employer]
    assert talk.attendances.count() == 3
    assert talk.academic_year == 2017


def test_the_same_file_twice_changes_nothing(school, pupils, employer):
    attendance_import(school=school, text=GOOD)
    before = (list(Encounter.objects.values()), list(Attendance.objects.values()))
    again = attendance_import(school=school, text=GOOD)
    assert again.ok
    assert (again.encounters_created, again.attendances_created) == (0, 0)
    assert (list(Encounter.objects.values()), list(Attendance.objects.values())) == before


def test_one_bad_row_writes_nothing_and_names_the_line(school, pupils, employer):
    pupils[2].on_roll_from = datetime.date(2018, 3, 1)
    pupils[2].save()
    text = attendance_csv(
        "P1,,2018-03-14,Employer talk,Barclays,Banking careers",
        "NOPE,,2018-03-14,Employer talk,,Talk",
        "P1,,2018-02-30,Employer talk,,Talk",
        "P1,,2018-04-01,Employer talk,,Talk",
        "P1,,2018-03-14,Juggling,,Talk",
        "P3,,2018-02-14,Employer talk,,Talk",
        ",A801200005001,2018-02-14,Employer talk,,Talk",
        "P1,,2018-03-14,Employer talk,Nobody plc,Talk",
    )
    result = attendance_import(school=school, text=text)
    assert not result.ok
    assert dict(result.errors) == {
        3: "No pupil at this school has the identifier NOPE",
        4: "The date '2018-02-30' is not a real date",
        5: "The date must be today or in the past",
        6: "Unknown encounter type 'Juggling'",
        7: "The pupil was not on roll on 14 February 2018",
        8: "The UPN is not valid",
        9: "Unknown employer 'Nobody plc'",
    }
    assert Encounter.objects.count() == 0
    assert Attendance.objects.count() == 0


def test_a_file_without_the_columns_is_refused(school):
    missing = "missing required columns: 'Pupil identifier' or 'UPN', 'Date'"
    with pytest.raises(CsvFileError, match=missing):
        attendance_import(school=school, text="Name,Type,Title\n")


def test_pupils_of_another_school_are_unknown(school, other_school, pupils):
    PupilFactory(school=other_school, pupil_identifier="THEIRS")
    result = attendance_import(
        school=school, text=attendance_csv("THEIRS,,2018-03-14,Employer talk,,Talk")
    )
    assert result.errors == [(2, "No pupil at this school has the identifier THEIRS")]


def test_large_files_go_to_the_task_which_shows_progress(
    school, pupils, users, django_capture_on_commit_callbacks, monkeypatch
):
    from core.models import Role
    from encounters import services

    monkeypatch.setattr(services, "ATTENDANCE_ASYNC_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload = attendance_upload_create(
            school=school,
            user=users[Role.SCHOOL_STAFF],
            file_name="a.csv",
            data=attendance_csv(
                f",{make_upn(101)},2018-03-14,Employer talk,,Talk",
                "P2,,2018-03-14,Employer talk,,Talk",
                "P3,,2018-03-14,Employer talk,,Talk",
            ).encode(),
        )
        stored = bytes(AttendanceUpload.objects.get(pk=upload.pk).payload)
        assert upload.status == UploadStatus.PENDING
    assert len(callbacks) == 1
    import zlib

    assert make_upn(101) not in zlib.decompress(stored).decode()
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert upload.attendances_created == 3
    assert bytes(upload.payload) == b""
    # Running the task again does nothing: it has been claimed.
    assert services.attendance_upload_process(upload_id=upload.pk, task_id=upload.task_id) is False


def test_small_files_are_imported_at_once(school, pupils, users, employer):
    from core.models import Role

    upload = attendance_upload_create(
        school=school, user=users[Role.SCHOOL_STAFF], file_name="a.csv", data=GOOD.encode()
    )
    assert upload.status == UploadStatus.DONE
    assert upload.attendances_created == 4


def test_portable_path_gives_the_same_result(school, pupils, employer, monkeypatch):
    from encounters import services

    monkeypatch.setattr(
        services, "_attendance_merge_postgresql", services._attendance_merge_portable
    )
    first = attendance_import(school=school, text=GOOD)
    second = attendance_import(school=school, text=GOOD)
    assert (first.attendances_created, second.attendances_created) == (4, 0)
    assert connection.vendor == "postgresql"


def test_every_line_ending_and_a_byte_order_mark_import_the_same_attendance(school, users):
    from core.models import Role

    for n in (1, 2, 3):
        PupilFactory(school=school, pupil_identifier=f"F{n}", upn=make_upn(900 + n))

    written = written_by_each(
        same_file_variants(attendance_file_text().encode()),
        lambda data: attendance_upload_create(
            school=school, user=users[Role.SCHOOL_STAFF], file_name="a.csv", data=data
        ),
        lambda: (
            list(AttendanceUpload.objects.values_list("status", "rows_total", "errors")),
            sorted(
                Attendance.objects.values_list(
                    "encounter__date", "encounter__title", "pupil__pupil_identifier"
                )
            ),
        ),
    )

    assert written["CR LF"][0] == [(UploadStatus.DONE, 3, [])]
    assert len(written["CR LF"][1]) == 3
    assert all(outcome == written["CR LF"] for outcome in written.values()), written
