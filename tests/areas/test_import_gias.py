"""`manage.py import_gias`: schools from a GIAS extract into the right area, or none."""

import codecs
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from areas import gias
from areas.models import School
from areas.services import school_import_gias
from tests.uploads import same_file_variants, written_by_each

pytestmark = pytest.mark.django_db


def import_gias(path, *args):
    """Run the command; return (stdout lines, stderr lines)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_gias", str(path), *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().splitlines(), stderr.getvalue().splitlines()


def import_gias_fails(path, *args):
    """Run the command expecting failure; return (error message, stderr lines)."""
    stderr = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_gias", str(path), *args, stdout=io.StringIO(), stderr=stderr)
    return str(raised.value), stderr.getvalue().splitlines()


def summary(
    *, rows, created=0, updated=0, unchanged=0, closed=0, skipped=0, no_area=0, confirmed=()
):
    changed = created or updated or closed
    return [
        f"Rows read: {rows}",
        f"Created: {created}",
        f"Updated: {updated}",
        f"Unchanged: {unchanged}",
        f"Closed: {closed}",
        f"Skipped (closed, not held): {skipped}",
        f"Not in any area: {no_area}",
        *(f"Confirmed: {warning}" for warning in confirmed),
        "Changes were saved." if changed else "No changes.",
    ]


def schools_in_db():
    return list(School.objects.order_by("urn").values())


def area_by_urn():
    return dict(School.objects.values_list("urn", "area__slug"))


EAST_SUSSEX = {"la_code": 845, "la_name": "East Sussex"}
CAMBRIDGESHIRE = {"la_code": 873, "la_name": "Cambridgeshire"}


@pytest.fixture
def extract(gias_school):
    """A small GIAS-shaped extract: every membership case, closed rows, blanks."""
    return [
        gias_school(100001, name="St Mary’s Church of England Primary School"),
        gias_school(
            100002,
            name="Café École",
            district="",
            **{gias.PERCENTAGE_FSM: "SUPP", gias.NUMBER_OF_PUPILS: "", gias.PHASE: ""},
        ),
        gias_school(100003, district="Hastings", **EAST_SUSSEX),
        gias_school(100004, district="Wealden", **EAST_SUSSEX),
        gias_school(100005, district="Fenland", **CAMBRIDGESHIRE),
        gias_school(100006, district=" east  CAMBRIDGESHIRE ", **CAMBRIDGESHIRE),
        gias_school(100007, district="Cambridge", **CAMBRIDGESHIRE),
        gias_school(100008, la_code=202, la_name="Camden", district="Camden"),
        gias_school(100009, status="Closed"),
        gias_school(
            100010,
            la_code=831,
            la_name="Derby",
            district="Derby",
            status="Open, but proposed to close",
        ),
        gias_school(100011, district="Hastings", status="Proposed to open", **EAST_SUSSEX),
    ]


@pytest.fixture
def imported(extract, gias_file):
    """The extract, already imported once."""
    import_gias(gias_file(extract, name="first.csv"))
    return extract


# --- Membership and counts ------------------------------------------------------


def test_each_school_goes_to_its_area_or_none(extract, gias_file):
    out, err = import_gias(gias_file(extract))

    assert out == summary(rows=11, created=10, skipped=1, no_area=3)
    assert err == []
    assert area_by_urn() == {
        100001: "blackpool",
        100002: "blackpool",  # Blackpool takes its whole LA, blank district or not
        100003: "hastings",
        100004: None,  # Wealden is in East Sussex but not in Hastings
        100005: "fenland-and-east-cambridgeshire",
        100006: "fenland-and-east-cambridgeshire",
        100007: None,  # Cambridge is in Cambridgeshire but in neither district
        100008: None,  # Camden is in no area
        100010: "derby",
        100011: "hastings",
    }


def test_fields_are_stored_as_gias_gives_them(extract, gias_file):
    import_gias(gias_file(extract))

    first = School.objects.get(urn=100001)
    assert first.name == "St Mary’s Church of England Primary School"
    assert (first.la_code, first.la_name, first.district) == (890, "Blackpool", "Blackpool")
    assert (first.establishment_number, first.establishment_type, first.phase) == (
        2001,
        "Academy converter",
        "Primary",
    )
    assert (first.statutory_low_age, first.statutory_high_age) == (4, 11)
    assert (first.number_of_pupils, first.percentage_fsm) == (210, Decimal("23.5"))
    assert (first.status, first.postcode, first.trust_name) == ("Open", "FY1 1AA", "")
    blanks = School.objects.get(urn=100002)
    assert blanks.name == "Café École"
    assert blanks.number_of_pupils is None
    assert blanks.percentage_fsm is None
    assert blanks.phase == blanks.district == ""


def test_a_second_run_changes_nothing(imported, gias_file):
    before = schools_in_db()

    out, _ = import_gias(gias_file(imported, name="second.csv"))

    assert out == summary(rows=11, unchanged=10, skipped=1, no_area=3)
    assert schools_in_db() == before


def test_a_changed_school_is_updated_and_the_rest_left_alone(imported, gias_file):
    before = {row["urn"]: row for row in schools_in_db()}
    imported[0][gias.ESTABLISHMENT_NAME] = "St Mary’s CofE Academy"
    imported[3][gias.DISTRICT] = "Hastings"  # moved into the area

    out, _ = import_gias(gias_file(imported, name="second.csv"))

    assert out == summary(rows=11, updated=2, unchanged=8, skipped=1, no_area=2)
    after = {row["urn"]: row for row in schools_in_db()}
    assert after[100001]["name"] == "St Mary’s CofE Academy"
    assert after[100001]["updated_at"] > before[100001]["updated_at"]
    for field in ("id", "created_at"):  # the same row, so links to it survive
        assert after[100001][field] == before[100001][field]
    assert School.objects.get(urn=100004).area.slug == "hastings"
    for urn in set(before) - {100001, 100004}:
        assert after[urn] == before[urn]


def test_a_school_leaving_the_area_is_taken_out_of_it(imported, gias_file, settings):
    imported[2][gias.DISTRICT] = "Rother"
    # One of Hastings's two open schools leaving is more than the set share.
    settings.GIAS_MAX_MOVED_SHARE = 0.2
    moved = (
        "Hastings would lose 1 of its 2 open schools to another area or none, more than 20%. "
        f"Check its membership rules for {timezone.localdate():%-d %B %Y}."
    )

    out, _ = import_gias(gias_file(imported, name="second.csv"), "--confirm-area-changes")

    assert out == summary(rows=11, updated=1, unchanged=9, skipped=1, no_area=4, confirmed=[moved])
    assert School.objects.get(urn=100003).area is None


def test_closing_a_held_school_updates_only_its_status(imported, gias_file):
    imported[0][gias.ESTABLISHMENT_STATUS] = "Closed"
    imported[0][gias.ESTABLISHMENT_NAME] = "Renamed On Closing"

    out, _ = import_gias(gias_file(imported, name="second.csv"))

    assert out == summary(rows=11, closed=1, unchanged=9, skipped=1, no_area=3)
    school = School.objects.get(urn=100001)
    assert (school.status, school.name, school.area.slug) == (
        "Closed",
        "St Mary’s Church of England Primary School",
        "blackpool",
    )
    assert not School.objects.open().filter(urn=100001).exists()

    out, _ = import_gias(gias_file(imported, name="third.csv"))

    assert out == summary(rows=11, unchanged=10, skipped=1, no_area=3)


def test_a_reopened_school_is_updated(imported, gias_file):
    imported[0][gias.ESTABLISHMENT_STATUS] = "Closed"
    import_gias(gias_file(imported, name="second.csv"))
    imported[0][gias.ESTABLISHMENT_STATUS] = "Open"

    out, _ = import_gias(gias_file(imported, name="third.csv"))

    assert out == summary(rows=11, updated=1, unchanged=9, skipped=1, no_area=3)
    assert School.objects.get(urn=100001).status == "Open"


def test_schools_missing_from_the_file_are_kept(imported, gias_file):
    out, _ = import_gias(gias_file(imported[:2], name="partial.csv"))

    assert out == summary(rows=2, unchanged=2)
    assert School.objects.count() == 10


def test_a_utf8_file_imports_when_asked(extract, gias_file):
    path = gias_file(codecs.BOM_UTF8 + gias.gias_csv_bytes(extract, encoding="utf-8"))

    out, _ = import_gias(path, "--encoding", "utf-8")

    assert out[1] == "Created: 10"
    assert School.objects.get(urn=100002).name == "Café École"


def test_the_service_returns_the_counts(extract):
    result = school_import_gias(data=gias.gias_csv_bytes(extract))

    assert (result.created, result.skipped_closed_not_held, result.not_in_any_area) == (10, 1, 3)
    assert result.changed


# --- Query budget ----------------------------------------------------------------


def test_importing_many_rows_takes_a_few_queries(
    gias_school, gias_file, django_assert_max_num_queries
):
    rows = [
        gias_school(
            200000 + n,
            **(EAST_SUSSEX | {"district": "Hastings" if n % 2 else "Wealden"}),
        )
        for n in range(200)
    ]
    new_file = gias_file(rows, name="new.csv")
    for row in rows:
        row[gias.NUMBER_OF_PUPILS] = 300
    changed_file = gias_file(rows, name="changed.csv")

    with django_assert_max_num_queries(6):
        out, _ = import_gias(new_file)
    assert out[1] == "Created: 200"

    with django_assert_max_num_queries(6):
        out, _ = import_gias(changed_file)
    assert out[2] == "Updated: 200"
    assert School.objects.filter(area__slug="hastings").count() == 100


# --- Refusals: nothing changes --------------------------------------------------


@pytest.fixture
def refused(imported, gias_file):
    """Run the command on a bad file after a good import; check nothing changed."""

    def run(data):
        before = schools_in_db()
        message, err = import_gias_fails(gias_file(data, name="bad.csv"))
        assert schools_in_db() == before
        return message, err

    return run


def test_a_bad_row_among_good_rows_stops_the_whole_import(refused, gias_school, imported):
    imported[0][gias.ESTABLISHMENT_NAME] = "A Change That Must Not Be Saved"
    rows = [
        *imported,
        gias_school(100012),
        gias_school(100013, **{gias.PERCENTAGE_FSM: "140", gias.URN: "10O013"}),
    ]

    message, err = refused(gias.gias_csv_bytes(rows))

    assert message == "Nothing was imported: 1 row has errors."
    assert err == [
        "Line 14: URN '10O013' is not a positive whole number",
        "Line 14: PercentageFSM 140 is not between 0 and 100",
    ]
    assert not School.objects.filter(urn=100012).exists()


def test_a_repeated_urn_stops_the_import(refused, gias_school, imported):
    message, err = refused(gias.gias_csv_bytes([*imported, gias_school(100003, name="Twin")]))

    assert message == "Nothing was imported: 1 row has errors."
    assert err == ["Line 13: URN 100003 is also on line 4"]


def test_several_bad_rows_are_all_listed(refused, gias_school):
    rows = [gias_school(300000 + n, la_code="ESX") for n in range(3)]

    message, err = refused(gias.gias_csv_bytes(rows))

    assert message == "Nothing was imported: 3 rows have errors."
    assert err == [f"Line {n}: LA (code) 'ESX' is not a whole number" for n in (2, 3, 4)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"URN,LA (name),EstablishmentName,EstablishmentStatus (name)\r\n1,A,B,Open\r\n",
            "Nothing was imported. The header is missing required columns: 'LA (code)', "
            "'DistrictAdministrative (name)'. Is this a GIAS establishment fields extract?",
        ),
        (
            gias.gias_csv_bytes(
                [{gias.URN: 1, gias.ESTABLISHMENT_NAME: "St Mary’s"}], encoding="utf-8"
            ),
            "Nothing was imported. The file looks UTF-8 encoded; GIAS extracts are "
            "Windows-1252 — pass --encoding utf-8 if this is intended.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
            "Nothing was imported. The file is not a CSV file: it contains NUL bytes "
            "(first on line 1), so it looks binary (a spreadsheet, archive or other "
            "non-text file).",
        ),
        (b"", "Nothing was imported. The file is empty."),
    ],
    ids=["missing-columns", "utf-8", "binary", "empty"],
)
def test_a_malformed_file_changes_nothing_and_says_why(refused, data, message):
    assert refused(data) == (message, [])


def test_a_missing_file_is_reported(tmp_path):
    message, _ = import_gias_fails(tmp_path / "nowhere.csv")

    assert message == f"File not found: {tmp_path / 'nowhere.csv'}"


def test_an_unknown_encoding_is_reported(imported, gias_file):
    message, _ = import_gias_fails(gias_file(imported, name="again.csv"), "--encoding", "nope")

    assert message == "Nothing was imported. Unknown encoding 'nope'."


def test_text_limits_match_the_school_model():
    fields = {
        gias.LA_NAME: "la_name",
        gias.ESTABLISHMENT_NAME: "name",
        gias.ESTABLISHMENT_TYPE: "establishment_type",
        gias.ESTABLISHMENT_STATUS: "status",
        gias.PHASE: "phase",
        gias.TRUST_NAME: "trust_name",
        gias.DISTRICT: "district",
        gias.POSTCODE: "postcode",
        gias.GSS_LA_CODE: "new_la_code",
    }

    assert {
        column: School._meta.get_field(field).max_length for column, field in fields.items()
    } == gias.TEXT_MAX_LENGTHS


def test_every_line_ending_and_a_byte_order_mark_import_the_same_schools(gias_school):
    rows = [gias_school(100001, name="Ysgol Gŵyr"), gias_school(100002, district="Hastings")]
    variants = same_file_variants(gias.gias_csv_bytes(rows, encoding="utf-8"))

    written = written_by_each(
        variants,
        lambda data: school_import_gias(data=data, encoding="utf-8"),
        lambda: sorted(School.objects.values_list("urn", "name", "district", "postcode")),
    )

    assert len(written["CR LF"]) == 2
    assert all(schools == written["CR LF"] for schools in written.values()), written
