"""The PostgreSQL bulk path gives what the line-by-line path gives, and
hands every file it cannot be sure of to the line-by-line path."""

import datetime

import pytest
import time_machine
from django.db import connection

from core.imports import CsvFileError
from encounters import attendance_bulk, services
from encounters.attendance_files import (
    AttendanceLookups,
    attendance_rows,
    pseudonymise_attendance,
)
from encounters.models import Attendance, Encounter
from encounters.services import attendance_import
from partners.models import OrganisationKind
from tests.encounters.factories import EmployerFactory, PupilFactory, make_upn

pytestmark = pytest.mark.django_db

HEADER = "Pupil identifier,UPN,Date,Type,Employer,Title"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.date(2018, 3, 20), tick=False):
        yield


@pytest.fixture
def schools(school, other_school):
    """Two schools with the same pupils, to import one file down each path."""
    for each in (school, other_school):
        for n in range(1, 5):
            PupilFactory(school=each, pupil_identifier=f"P{n}", upn=make_upn(100 + n))
    EmployerFactory(name="Barclays", kind=OrganisationKind.CORNERSTONE_EMPLOYER)
    EmployerFactory(name="Rolls-Royce", kind=OrganisationKind.CORNERSTONE_EMPLOYER)
    return school, other_school


@pytest.fixture
def paths(monkeypatch):
    """Records which path each import took."""
    taken = []
    stage = attendance_bulk.attendance_stage

    def spy(**kwargs):
        staged = stage(**kwargs)
        taken.append("bulk" if staged is not None else "line by line")
        return staged

    monkeypatch.setattr(services, "attendance_stage", spy)
    return taken


def line_by_line(monkeypatch):
    monkeypatch.setattr(services, "attendance_stage", lambda **kwargs: None)


def imported(school):
    """What a school's imports produced, independent of ids."""
    return sorted(
        (
            e.date,
            e.encounter_type.code,
            e.title,
            e.delivered_through,
            e.source_key,
            tuple(sorted(o.name for o in e.employers.all())),
            tuple(sorted(a.pupil.pupil_identifier for a in e.attendances.all())),
        )
        for e in Encounter.objects.filter(school=school)
    )


def csv_text(*rows, header=HEADER, ending="\n"):
    return ending.join([header, *rows]) + ending


CLEAN_FILES = {
    "identifiers and UPNs": csv_text(
        "P1,,2018-03-14,Employer talk,Barclays,Banking careers",
        "P2,,14/03/2018,employer-talk,barclays,Banking careers",
        f",{make_upn(103)},2018-03-14,Employer talk,Barclays,Banking careers",
        f", {make_upn(104).lower()} ,14.03.2018,Employer talk, Barclays ,Banking careers ",
        "P1,,2018-02-01,Workplace visit,,Port visit",
    ),
    "quoted cells with commas and quotes": csv_text(
        'P1,,2018-03-14,Employer talk,Barclays,"Careers fair, Year 10"',
        'P2,,2018-03-14,Employer talk,Barclays,"Careers fair, Year 10"',
        'P3,,2018-03-14,"Workplace visit","Rolls-Royce","The ""engine"" shop"',
    ),
    "rows with nothing in the columns the import reads": csv_text(
        "P1,2018-03-14,Employer talk,Talk,",
        ",,,,a note on an empty row",
        header="Pupil identifier,Date,Type,Title,Notes",
    ),
    "Windows line endings and blank rows at the end": csv_text(
        "P1,,2018-03-14,Employer talk,Barclays,Banking careers",
        "P2,,2018-03-14,Employer talk,Barclays,Banking careers",
        ",,,,,",
        ",,,,,",
        ending="\r\n",
    ),
    "a pupil listed twice for one encounter": csv_text(
        "P1,,2018-03-14,Employer talk,,Talk",
        "P1,,2018-03-14,Employer talk,,Talk",
        f",{make_upn(101)},2018-03-14,Employer talk,,Talk",
        "P2,,2018-03-14,Employer talk,,Talk",
    ),
    "a programme column": csv_text(
        "P1,,2018-03-14,Mentoring,,Mentors,CEC",
        "P2,,2018-03-14,Mentoring,,Mentors,Careers & Enterprise Company",
        "P3,,2018-03-14,Mentoring,,Mentors,",
        header=HEADER + ",Delivered through",
    ),
    # Line endings are made LF, one for one, before either path reads the file.
    "mixed line endings with quotes": "Pupil identifier,Date,Type,Title\r\n"
    "P1,2018-03-14,Employer talk,Talk\n"
    'P2,2018-03-14,Employer talk,"Talk"\r\n',
    "CR line endings (older Excel for Mac)": csv_text(
        "P1,,2018-03-14,Employer talk,Barclays,Banking careers",
        f',{make_upn(102)},2018-03-14,Employer talk,Barclays,"Banking careers"',
        ending="\r",
    ),
    "no UPN column": csv_text(
        "P1,2018-03-14,Employer talk,Talk",
        "P4,2018-03-14,Employer talk,Talk",
        header="Admission number,Date of encounter,Activity type,Activity",
    ),
}


def outcome(result):
    return (
        result.ok,
        result.errors,
        result.rows,
        result.encounters_created,
        result.attendances_created,
    )


def import_down_both_paths(schools, text, monkeypatch):
    """Import the file into one school as the service chooses, and into the
    other line by line; returns both results."""
    school, twin = schools
    chosen = attendance_import(school=school, text=text)
    line_by_line(monkeypatch)
    return chosen, attendance_import(school=twin, text=text)


@pytest.mark.parametrize("text", CLEAN_FILES.values(), ids=CLEAN_FILES.keys())
def test_the_bulk_path_gives_what_the_line_by_line_path_gives(schools, paths, text, monkeypatch):
    bulk, lines = import_down_both_paths(schools, text, monkeypatch)
    assert paths == ["bulk"]
    assert bulk.ok
    assert outcome(bulk) == outcome(lines)
    assert imported(schools[0]) == imported(schools[1])
    assert imported(schools[0])


@pytest.mark.parametrize("text", CLEAN_FILES.values(), ids=CLEAN_FILES.keys())
def test_a_file_imported_down_either_path_is_not_imported_again_down_the_other(
    schools, text, monkeypatch
):
    school, _ = schools
    attendance_import(school=school, text=text)
    before = sorted(Attendance.objects.values_list("encounter_id", "pupil_id"))
    line_by_line(monkeypatch)
    again = attendance_import(school=school, text=text)
    assert (again.encounters_created, again.attendances_created) == (0, 0)
    assert sorted(Attendance.objects.values_list("encounter_id", "pupil_id")) == before


# Without a UPN column (whose pseudonymising rewrites a file with quotes
# through the csv module, which settles what it means), these reach COPY as
# they are.
ODD_HEADER = "Pupil identifier,Date,Type,Employer,Title"
ODD_FILES = {
    "a quote inside an unquoted cell": csv_text(
        'P1,2018-03-14,Employer talk,,The 6" model',
        'P2,2018-03-14,Employer talk,,The 6" model',
        header=ODD_HEADER,
    ),
    "a space before a quoted cell": csv_text(
        'P1,2018-03-14,Employer talk,, "Talk"', header=ODD_HEADER
    ),
    "a blank line in the middle": csv_text(
        "P1,2018-03-14,Employer talk,,Talk",
        "",
        "P2,2018-03-14,Employer talk,,Talk",
        header=ODD_HEADER,
    ),
    "a short row": csv_text(
        "P1,2018-03-14,Employer talk,,Talk", "P2,2018-03-14,Employer talk", header=ODD_HEADER
    ),
    "the end-of-data marker": csv_text(
        "P1,2018-03-14,Employer talk,,Talk",
        "\\.",
        "P2,2018-03-14,Employer talk,,Talk",
        header=ODD_HEADER,
    ),
}


@pytest.mark.parametrize("text", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_files_copy_would_read_differently_go_line_by_line(schools, paths, text, monkeypatch):
    first, second = import_down_both_paths(schools, text, monkeypatch)
    assert paths == ["line by line"]
    assert outcome(first) == outcome(second)
    assert imported(schools[0]) == imported(schools[1])


def test_a_file_with_a_bad_row_is_reported_line_by_line_and_writes_nothing(schools, paths):
    school, _ = schools
    text = csv_text(
        "P1,,2018-03-14,Employer talk,,Talk",
        "P9,,2018-03-14,Employer talk,,Talk",
        "P2,,2018-03-14,Employer talk,,Talk",
    )
    result = attendance_import(school=school, text=text)
    assert paths == ["line by line"]
    assert result.errors == [(3, "No pupil at this school has the identifier P9")]
    assert not Encounter.objects.filter(school=school).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{attendance_bulk.STAGING}"])
        assert cursor.fetchone() == (None,)


def test_pupils_on_roll_for_part_of_the_file_are_checked_row_by_row(schools, paths):
    school, _ = schools
    joiner = school.pupils.get(pupil_identifier="P4")
    joiner.on_roll_from = datetime.date(2018, 3, 1)
    joiner.save()
    on_roll_days = csv_text(
        "P1,,2018-02-14,Employer talk,,Early talk",
        "P1,,2018-03-14,Employer talk,,Later talk",
        "P4,,2018-03-14,Employer talk,,Later talk",
    )
    assert attendance_import(school=school, text=on_roll_days).attendances_created == 3
    assert paths == ["bulk"]
    before_joining = csv_text(
        "P1,,2018-02-15,Employer talk,,Another talk",
        "P4,,2018-02-15,Employer talk,,Another talk",
    )
    result = attendance_import(school=school, text=before_joining)
    assert paths == ["bulk", "line by line"]
    assert result.errors == [(3, "The pupil was not on roll on 15 February 2018")]


def test_a_file_adding_pupils_to_encounters_already_there(schools, paths):
    school, _ = schools
    attendance_import(school=school, text=csv_text("P1,,2018-03-14,Employer talk,,Talk"))
    more = attendance_import(
        school=school,
        text=csv_text(
            "P1,,2018-03-14,Employer talk,,Talk",
            "P2,,2018-03-14,Employer talk,,Talk",
            "P2,,2018-03-15,Mentoring,,Mentors",
        ),
    )
    assert paths == ["bulk", "bulk"]
    assert (more.encounters_created, more.attendances_created) == (1, 2)
    talk = Encounter.objects.get(school=school, title="Talk")
    assert sorted(talk.attendances.values_list("pupil__pupil_identifier", flat=True)) == [
        "P1",
        "P2",
    ]


def test_no_upn_reaches_the_database_in_clear(schools, monkeypatch):
    school, _ = schools
    copied = []
    real_stage = attendance_bulk._stage

    def capture(text, *args):
        copied.append(text)
        return real_stage(text, *args)

    monkeypatch.setattr(attendance_bulk, "_stage", capture)
    upns = [make_upn(101), make_upn(102)]
    attendance_import(
        school=school,
        text=csv_text(*(f",{upn},2018-03-14,Employer talk,,Talk" for upn in upns)),
    )
    assert Attendance.objects.filter(encounter__school=school).count() == 2
    assert copied
    assert not any(upn in copied[0] for upn in upns)


def test_a_file_with_clear_upns_is_never_staged():
    lookups = AttendanceLookups.__new__(AttendanceLookups)
    text = csv_text(f",{make_upn(101)},2018-03-14,Employer talk,,Talk")
    assert attendance_bulk.attendance_stage(text=text, lookups=lookups) is None


@pytest.mark.parametrize(
    "text",
    [
        csv_text(f"P1,{make_upn(101)},2018-03-14,Employer talk,,Talk"),
        csv_text(f'"P1","{make_upn(101)}",2018-03-14,Employer talk,,"Talk, again"'),
        csv_text(f"P1,{make_upn(101)},2018-03-14,Employer talk,,Talk", ending="\r\n"),
    ],
    ids=["plain", "quoted", "CR LF"],
)
def test_pseudonymising_keeps_every_line_where_it_was(text):
    pseudonymised = pseudonymise_attendance(text)
    assert make_upn(101) not in pseudonymised
    assert pseudonymised.count("\n") == text.count("\n")
    assert pseudonymised.splitlines()[0].startswith(("Pupil identifier,UPN hash", '"Pupil'))
    assert "UPN hash" in pseudonymised.splitlines()[0]


def test_an_invalid_upn_is_replaced_by_a_marker_not_kept():
    invalid = make_upn(101)[:-1] + ("1" if make_upn(101)[-1] != "1" else "2")
    pseudonymised = pseudonymise_attendance(csv_text(f",{invalid},2018-03-14,Employer talk,,T"))
    assert invalid not in pseudonymised


def test_rows_are_counted_without_blank_ones():
    text = csv_text("P1,,2018-03-14,Employer talk,,Talk", ",,,,,", "", ending="\r\n")
    assert attendance_rows(text) == 1
    assert attendance_rows(text.replace("Talk", '"Talk, again"')) == 1


def test_a_file_with_both_upns_and_upn_hashes_is_refused(school):
    with pytest.raises(CsvFileError, match="UPN column or a UPN hash column, not both"):
        attendance_import(
            school=school, text="Pupil identifier,UPN,UPN hash,Date,Type,Title\nP1,,,,,\n"
        )
