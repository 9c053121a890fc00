import datetime

import pytest
import time_machine

from core.models import Role
from encounters.models import Attendance, Encounter
from tests.encounters.factories import EmployerFactory, EncounterFactory, PupilFactory, attend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def pupils(school):
    return PupilFactory.create_batch(
        30, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )


@pytest.fixture
def encounter(school, pupils):
    encounter = EncounterFactory(school=school, date=datetime.date(2018, 3, 1))
    attend(encounter, pupils[:3])
    return encounter


def school_paths(school, pupil, encounter):
    base = f"/schools/{school.urn}"
    return [
        f"{base}/pupils/",
        f"{base}/pupils/?year_group=9",
        f"{base}/pupils/{pupil.pk}/",
        f"{base}/pupils/import/",
        f"{base}/encounters/",
        f"{base}/encounters/encounters.csv",
        f"{base}/encounters/new/",
        f"{base}/encounters/new/?year_group=9&pupil={pupil.pk}",
        f"{base}/encounters/new/?year_group=9&group=9R&name=a",
        f"{base}/pupils/?group=9R&name=a",
        f"{base}/encounters/{encounter.pk}/",
        f"{base}/encounters/{encounter.pk}/edit/",
        f"{base}/encounters/{encounter.pk}/delete/",
        f"{base}/encounters/upload/",
        f"{base}/coverage/",
        f"{base}/coverage/?year=2017",
        f"{base}/coverage/coverage.csv",
        f"{base}/coverage/below-pledge.csv",
        f"{base}/gatsby-benchmarks/",
    ]


def test_school_staff_see_every_page_of_their_school(client, users, school, pupils, encounter):
    client.force_login(users[Role.SCHOOL_STAFF])
    for path in school_paths(school, pupils[0], encounter):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD, Role.DFE_STAFF]
)
def test_nobody_else_reaches_a_schools_pupils_or_encounters(
    client, users, other_school, school, role
):
    """School staff of another school, and every area role and DfE (even for
    schools in their area), get 404 from every pupil-level page and export."""
    own_school = other_school if role == Role.SCHOOL_STAFF else school
    pupil = PupilFactory(school=own_school)
    encounter = EncounterFactory(school=own_school, date=datetime.date(2018, 3, 1))
    attend(encounter, [pupil])
    client.force_login(users[role])
    for path in school_paths(own_school, pupil, encounter):
        assert client.get(path).status_code == 404, path


def test_other_schools_objects_are_404_under_your_own_school(client, users, school, other_school):
    """Guessing ids under your own school's URLs does not reach another's."""
    pupil = PupilFactory(school=other_school)
    encounter = EncounterFactory(school=other_school, date=datetime.date(2018, 3, 1))
    client.force_login(users[Role.SCHOOL_STAFF])
    base = f"/schools/{school.urn}"
    for path in (
        f"{base}/pupils/{pupil.pk}/",
        f"{base}/encounters/{encounter.pk}/",
        f"{base}/encounters/{encounter.pk}/edit/",
        f"{base}/encounters/{encounter.pk}/delete/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{base}/encounters/{encounter.pk}/delete/").status_code == 404
    assert Encounter.objects.filter(pk=encounter.pk).exists()


def test_dfe_staff_cannot_post(client, users, school):
    client.force_login(users[Role.DFE_STAFF])
    assert client.post(f"/schools/{school.urn}/encounters/new/").status_code == 403


def form_data(pupils, **overrides):
    return {
        "date_0": "14",
        "date_1": "3",
        "date_2": "2018",
        "encounter_type": "1",
        "title": "Engineering talk",
        "delivered_through": "cec",
        "duration_minutes": "60",
        "pupils": [p.pk for p in pupils],
        **overrides,
    }


def test_record_an_encounter_for_a_class(client, users, school, pupils, encounter_types):
    employer = EmployerFactory(name="Rolls-Royce", kind="cornerstone_employer")
    client.force_login(users[Role.SCHOOL_STAFF])
    data = form_data(
        pupils[:25], encounter_type=encounter_types["employer-talk"].pk, employers=[employer.pk]
    )
    response = client.post(f"/schools/{school.urn}/encounters/new/", data)
    assert response.status_code == 302
    encounter = Encounter.objects.get(title="Engineering talk")
    assert encounter.attendances.count() == 25
    assert list(encounter.employers.all()) == [employer]
    page = client.get(response["Location"]).content.decode()
    assert "Created" in page
    assert "Rolls-Royce (cornerstone employer)" in page


def test_record_for_a_whole_year_group_without_javascript(
    client, users, school, pupils, encounter_types
):
    PupilFactory.create_batch(
        4, school=school, year_group=10, year_group_on=datetime.date(2018, 3, 1)
    )
    client.force_login(users[Role.SCHOOL_STAFF])
    data = form_data([], encounter_type=encounter_types["careers-fair"].pk, all_shown="on")
    response = client.post(f"/schools/{school.urn}/encounters/new/?year_group=9", data)
    assert response.status_code == 302
    assert Encounter.objects.get().attendances.count() == 30


def test_form_errors_are_shown(client, users, school, pupils):
    client.force_login(users[Role.SCHOOL_STAFF])
    data = form_data([], date_1="13", title="")
    html = client.post(f"/schools/{school.urn}/encounters/new/", data).content.decode()
    assert "There is a problem" in html
    for message in (
        "Date of the encounter must be a real date",
        "Enter a title",
        "Select the pupils",
    ):
        assert message in html
    assert Encounter.objects.count() == 0


def test_a_two_digit_year_is_refused_as_govuk_says(client, users, school, pupils):
    client.force_login(users[Role.SCHOOL_STAFF])
    data = form_data(pupils[:1], date_0="31", date_1="8", date_2="19")
    response = client.post(f"/schools/{school.urn}/encounters/new/", data)
    assert response.status_code == 200
    assert "Year must include 4 numbers" in response.content.decode()
    assert Encounter.objects.count() == 0


def test_edit_and_delete_keep_history(client, users, school, pupils, encounter, encounter_types):
    client.force_login(users[Role.SCHOOL_STAFF])
    base = f"/schools/{school.urn}/encounters/{encounter.pk}"
    data = form_data(pupils[:5], encounter_type=encounter_types["mentoring"].pk, title="Renamed")
    assert client.post(f"{base}/edit/", data).status_code == 302
    encounter.refresh_from_db()
    assert encounter.title == "Renamed"
    assert encounter.attendances.count() == 5
    page = client.get(f"{base}/").content.decode()
    assert "Updated" in page
    assert "Renamed" in page
    assert client.post(f"{base}/delete/").status_code == 302
    assert not Encounter.objects.filter(pk=encounter.pk).exists()
    assert Attendance.objects.count() == 0
    from core.models import ChangeRecord

    assert list(ChangeRecord.objects.values_list("action", flat=True).order_by("pk")) == [
        "updated",
        "deleted",
    ]


def test_roster_upload_preview_then_confirm(client, users, school):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from encounters.models import Pupil
    from tests.encounters.factories import make_upn

    client.force_login(users[Role.SCHOOL_STAFF])
    data = f"UPN,Pupil identifier,Name,Year group,FSM,SEND\n{make_upn(7)},X1,Zoë Ng,9,Y,N\n"
    response = client.post(
        f"/schools/{school.urn}/pupils/import/",
        {"file": SimpleUploadedFile("roster.csv", data.encode("utf-8-sig")), "full_roster": "on"},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "X1 (Zoë Ng)" in preview
    assert Pupil.objects.count() == 0
    assert client.post(response["Location"]).status_code == 302
    assert Pupil.objects.get().display_name == "Zoë Ng"


def test_roster_upload_lists_errors_by_line(client, users, school):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users[Role.SCHOOL_STAFF])
    data = "UPN,Pupil identifier,Year group\nA801200005001,X1,9\n"
    html = client.post(
        f"/schools/{school.urn}/pupils/import/",
        {"file": SimpleUploadedFile("roster.csv", data.encode())},
    ).content.decode()
    assert "Line 2: UPN check letter is wrong" in html
    assert "A801200005001" not in html
    html = client.post(
        f"/schools/{school.urn}/pupils/import/",
        {"file": SimpleUploadedFile("roster.csv", "UPN,Name\nZoë,x\n".encode("cp1252"))},
    ).content.decode()
    assert "CSV UTF-8" in html


def test_coverage_csv_escapes_formulas(client, users, school, pupils):
    school.name = "=HYPERLINK(evil)"
    school.save()
    client.force_login(users[Role.SCHOOL_STAFF])
    body = client.get(f"/schools/{school.urn}/coverage/coverage.csv").content.decode("utf-8-sig")
    assert ",'=HYPERLINK(evil)," in body
    assert "\n201718," in body


@pytest.mark.parametrize("rows", [1, 60])
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("pupils/", 12),
        ("encounters/", 12),
        ("coverage/", 12),
        ("coverage/coverage.csv", 10),
        ("gatsby-benchmarks/", 12),
        ("encounters/new/", 14),
    ],
)
def test_school_pages_run_a_constant_number_of_queries(
    client, users, school, rows, path, budget, django_assert_max_num_queries
):
    employer = EmployerFactory()
    pupils = PupilFactory.create_batch(
        rows, school=school, year_group=9, year_group_on=datetime.date(2018, 3, 1)
    )
    for n in range(rows):
        encounter = EncounterFactory(school=school, date=datetime.date(2018, 1 + n % 3, 1 + n % 27))
        encounter.employers.add(employer)
        attend(encounter, pupils[: 1 + n])
    client.force_login(users[Role.SCHOOL_STAFF])
    with django_assert_max_num_queries(budget):
        assert client.get(f"/schools/{school.urn}/{path}").status_code == 200
