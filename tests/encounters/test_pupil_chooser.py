"""The encounter form's pupil chooser at the scale of a real school: a GET
filter by year group, tutor or class group and name lists the pupils it
shows; "everyone shown" is honoured by the server, without JavaScript."""

import datetime
import re

import pytest
import time_machine

from core.models import Role
from encounters.models import Encounter
from encounters.views import EncounterFormMixin
from tests.encounters.factories import EncounterFactory, PupilFactory, attend
from tests.encounters.test_pages import form_data as page_form_data

pytestmark = pytest.mark.django_db

ON = datetime.date(2018, 3, 1)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2018, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def groups(school):
    """Year 9 in two tutor groups of 12 and 9, and a Year 10 group of 5."""
    return {
        "9R": PupilFactory.create_batch(
            12, school=school, year_group=9, year_group_on=ON, tutor_group="9R"
        ),
        "9S": PupilFactory.create_batch(
            9, school=school, year_group=9, year_group_on=ON, tutor_group="9S"
        ),
        "10T": PupilFactory.create_batch(
            5, school=school, year_group=10, year_group_on=ON, tutor_group="10T"
        ),
    }


def form_data(*, pupils=(), **overrides):
    """The pupil pages' form data; `pupils` are ids here."""
    return {**page_form_data([], **overrides), "pupils": list(pupils)}


def checkbox_ids(html):
    return {int(v) for v in re.findall(r'type="checkbox" name="pupils" value="(\d+)"', html)}


def hidden_ids(html):
    return {int(v) for v in re.findall(r'type="hidden" name="pupils" value="(\d+)"', html)}


def test_a_group_filter_lists_only_that_groups_pupils(client, users, school, groups):
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/encounters/new/?group=9S").content.decode()
    assert checkbox_ids(html) == {p.pk for p in groups["9S"]}
    assert "Everyone shown: 9 pupils in group 9S" in html
    for group in ("9R", "9S", "10T"):
        assert f'<option value="{group}"' in html


def test_everyone_shown_records_one_group_in_one_submission(client, users, school, groups):
    client.force_login(users[Role.SCHOOL_STAFF])
    response = client.post(
        f"/schools/{school.urn}/encounters/new/?year_group=9&group=9R", form_data(all_shown="on")
    )
    assert response.status_code == 302
    encounter = Encounter.objects.get()
    assert set(encounter.attendances.values_list("pupil_id", flat=True)) == {
        p.pk for p in groups["9R"]
    }


def test_everyone_shown_adds_to_pupils_ticked_elsewhere(client, users, school, groups):
    """A pupil ticked before the filter changed (sent as a hidden input) is
    kept alongside everyone the filter shows."""
    client.force_login(users[Role.SCHOOL_STAFF])
    extra = groups["10T"][0]
    response = client.post(
        f"/schools/{school.urn}/encounters/new/?group=9S",
        form_data(all_shown="on", pupils=[extra.pk]),
    )
    assert response.status_code == 302
    recorded = set(Encounter.objects.get().attendances.values_list("pupil_id", flat=True))
    assert recorded == {extra.pk} | {p.pk for p in groups["9S"]}


def test_the_name_filter_matches_part_of_a_name_or_identifier(client, users, school, groups):
    named = groups["9R"][3]
    named.display_name = "Zanele Okafor"
    named.save()
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/encounters/new/?name=zanele").content.decode()
    assert checkbox_ids(html) == {named.pk}
    html = client.get(
        f"/schools/{school.urn}/encounters/new/?name={groups['10T'][1].pupil_identifier}"
    ).content.decode()
    assert checkbox_ids(html) == {groups["10T"][1].pk}


def test_only_ticked_pupils_are_recorded_without_everyone_shown(client, users, school, groups):
    client.force_login(users[Role.SCHOOL_STAFF])
    ticked = groups["9R"][:4]
    response = client.post(
        f"/schools/{school.urn}/encounters/new/?group=9R",
        form_data(pupils=[p.pk for p in ticked]),
    )
    assert response.status_code == 302
    recorded = set(Encounter.objects.get().attendances.values_list("pupil_id", flat=True))
    assert recorded == {p.pk for p in ticked}


def test_editing_under_another_filter_keeps_the_pupils_already_recorded(
    client, users, school, groups
):
    encounter = EncounterFactory(school=school, date=ON)
    attend(encounter, groups["9R"][:3])
    client.force_login(users[Role.SCHOOL_STAFF])
    url = f"/schools/{school.urn}/encounters/{encounter.pk}/edit/?group=10T"
    html = client.get(url).content.decode()
    assert hidden_ids(html) == {p.pk for p in groups["9R"][:3]}
    assert checkbox_ids(html) == {p.pk for p in groups["10T"]}
    assert "3 pupils already chosen but not in this list stay chosen" in html
    data = form_data(pupils=[*hidden_ids(html), groups["10T"][0].pk])
    assert client.post(url, data).status_code == 302
    recorded = set(encounter.attendances.values_list("pupil_id", flat=True))
    assert recorded == {p.pk for p in groups["9R"][:3]} | {groups["10T"][0].pk}


def test_a_school_too_big_to_list_asks_for_a_filter_first(
    client, users, school, groups, monkeypatch
):
    monkeypatch.setattr(EncounterFormMixin, "chooser_limit", 20)
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/encounters/new/").content.decode()
    assert checkbox_ids(html) == set()
    assert "There are more than 20 pupils on roll" in html
    assert "Everyone shown" not in html
    html = client.get(f"/schools/{school.urn}/encounters/new/?year_group=10").content.decode()
    assert checkbox_ids(html) == {p.pk for p in groups["10T"]}


def test_a_group_not_in_the_list_is_an_error_not_a_500(client, users, school, groups):
    client.force_login(users[Role.SCHOOL_STAFF])
    response = client.get(f"/schools/{school.urn}/encounters/new/?group=nonsense")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a group from the list" in html
    assert "There is a problem" in html


def test_the_chooser_never_lists_another_schools_pupils(
    client, users, school, other_school, groups
):
    theirs = PupilFactory(school=other_school, year_group=9, year_group_on=ON, tutor_group="9R")
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/encounters/new/?group=9R").content.decode()
    assert theirs.pk not in checkbox_ids(html)
    assert checkbox_ids(html) == {p.pk for p in groups["9R"]}
    response = client.post(
        f"/schools/{school.urn}/encounters/new/?group=9R", form_data(pupils=[theirs.pk])
    )
    assert response.status_code == 200
    assert Encounter.objects.count() == 0


def test_the_pupil_list_filters_by_group_and_name(client, users, school, groups):
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/pupils/?group=10T").content.decode()
    assert "5 pupils on roll" in html
    for pupil in groups["10T"]:
        assert pupil.pupil_identifier in html
    assert groups["9R"][0].pupil_identifier not in html


def test_the_coverage_page_paginates_pupils_below_four_and_the_csv_has_them_all(
    client, users, school
):
    below = PupilFactory.create_batch(
        120, school=school, year_group=9, year_group_on=ON, tutor_group="9R"
    )
    client.force_login(users[Role.SCHOOL_STAFF])
    listed = set()
    for number in (1, 2, 3):
        html = client.get(f"/schools/{school.urn}/coverage/?year=2017&page={number}").content
        html = html.decode()
        rows = set(re.findall(rf'/schools/{school.urn}/pupils/(\d+)/"', html))
        assert len(rows) <= 50
        listed |= rows
        assert 'class="govuk-pagination"' in html
    assert listed == {str(p.pk) for p in below}
    assert "120 pupils, showing 101 to 120" in html
    csv = client.get(f"/schools/{school.urn}/coverage/below-pledge.csv?year=2017").content
    assert len(csv.decode("utf-8-sig").strip().splitlines()) == 1 + len(below)


def test_the_encounter_list_pages_and_its_csv_has_every_encounter(client, users, school, groups):
    for n in range(60):
        attend(EncounterFactory(school=school, date=ON, title=f"Talk {n}"), groups["9R"][:2])
    client.force_login(users[Role.SCHOOL_STAFF])
    html = client.get(f"/schools/{school.urn}/encounters/?year=2017").content.decode()
    assert 'class="govuk-pagination"' in html
    assert "60 encounters in 2017/18" in html
    body = client.get(f"/schools/{school.urn}/encounters/encounters.csv?year=2017").content
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 61
    assert {line.rsplit(",", 1)[1] for line in lines[1:]} == {"2"}
