"""Area membership that survives boundary changes (ADR 0017): rules with a
sub-LA key and validity dates, the import's warning before it empties an
area, and the rules page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from areas import gias
from areas.demo import GSS_LA_CODES, demo_gias_rows, seed_schools
from areas.gias import extract_date_from_name
from areas.models import AreaLocalAuthority, AreaRule, School
from areas.services import AreaChangesUnconfirmed, school_import_gias
from core.models import Role
from tests.areas.test_import_gias import import_gias, import_gias_fails

pytestmark = pytest.mark.django_db

NORTH_YORKSHIRE = {"la_code": 815, "la_name": "North Yorkshire"}
SOMERSET = {"la_code": 933, "la_name": "Somerset"}
# The county councils' GSS codes before April 2023 (the unitaries' are in
# areas.demo.GSS_LA_CODES).
GSS_BEFORE_2023 = {815: "E10000023", 933: "E10000027"}


def areas_by_urn():
    return dict(School.objects.values_list("urn", "area__slug"))


@pytest.fixture
def school_in(gias_school):
    """A GIAS row in an LA with the district and postcode an extract gives it;
    `before_2023` gives the county council's GSS code of the time."""

    def build(urn, la, *, district, postcode, before_2023=False):
        row = gias_school(urn, district=district, **la, **{gias.POSTCODE: postcode})
        if before_2023:
            row[gias.GSS_LA_CODE] = GSS_BEFORE_2023[la["la_code"]]
        return row

    return build


@pytest.fixture
def extract_2018(school_in):
    """Shaped like a 2018 extract: the two-tier districts, the county codes."""
    places = [
        (300001, NORTH_YORKSHIRE, "Scarborough", "YO11 2PW"),
        (300002, NORTH_YORKSHIRE, "Scarborough", "YO21 1LA"),
        (300003, NORTH_YORKSHIRE, "Harrogate", "HG1 2SD"),
        (300004, NORTH_YORKSHIRE, "Ryedale", "YO17 7HA"),
        (300005, SOMERSET, "West Somerset", "TA24 5RH"),
        (300006, SOMERSET, "West Somerset", "TA23 0AT"),
        (300007, SOMERSET, "Taunton Deane", "TA1 4QP"),
        (300008, SOMERSET, "Sedgemoor", "TA6 3NE"),
    ]
    return [
        school_in(urn, la, district=district, postcode=postcode, before_2023=True)
        for urn, la, district, postcode in places
    ]


@pytest.fixture
def current_extract(extract_2018):
    """The same schools as a current extract gives them: each unitary
    authority's name as the district of all its schools."""
    return [
        {
            **row,
            gias.DISTRICT: row[gias.LA_NAME],
            gias.GSS_LA_CODE: GSS_LA_CODES[row[gias.LA_CODE]],
        }
        for row in extract_2018
    ]


# The right area for each school of both extracts.
EXPECTED = {
    300001: "north-yorkshire-coast",  # Scarborough
    300002: "north-yorkshire-coast",  # Whitby
    300003: None,  # Harrogate
    300004: None,  # Malton, Ryedale
    300005: "west-somerset",  # Minehead
    300006: "west-somerset",  # Watchet
    300007: None,  # Taunton
    300008: None,  # Bridgwater, Sedgemoor
}


# --- Both shapes of extract put each school in the right area ---------------------


def test_a_2018_extract_places_schools_by_the_districts_of_the_time(extract_2018, gias_file):
    import_gias(gias_file(extract_2018, name="edubasealldata20180903.csv"))

    assert areas_by_urn() == EXPECTED


def test_a_current_extract_places_schools_by_postcode(current_extract, gias_file):
    import_gias(gias_file(current_extract, name="edubasealldata20250901.csv"))

    assert areas_by_urn() == EXPECTED


def test_a_postcode_sector_rule_takes_only_its_sector(school_in, gias_file):
    williton = school_in(300010, SOMERSET, district="Somerset", postcode="TA4 4PJ")
    wiveliscombe = school_in(300011, SOMERSET, district="Somerset", postcode="TA4 2LA")

    import_gias(gias_file([williton, wiveliscombe]), "--extract-date", "2025-09-01")

    assert areas_by_urn() == {300010: "west-somerset", 300011: None}


def test_the_extract_date_option_overrides_the_file_name(current_extract, gias_file):
    """Dated 2018, a current extract's "North Yorkshire" matches no district
    rule of the time: refused, as it would empty the areas."""
    message, err = import_gias_fails(
        gias_file(current_extract, name="edubasealldata20250901.csv"),
        "--extract-date",
        "2018-09-03",
    )

    assert "Nothing was imported" in message
    assert any("North Yorkshire Coast would get no open schools" in line for line in err)
    assert not School.objects.exists()


def test_an_la_whose_rules_do_not_apply_on_the_day_takes_no_school(school_in):
    """Never the whole LA: that would pull every North Yorkshire school in."""
    AreaRule.objects.filter(local_authority__la_code=815, kind="postcode").delete()
    row = school_in(300001, NORTH_YORKSHIRE, district="North Yorkshire", postcode="YO11 2PW")

    result = school_import_gias(
        data=gias.gias_csv_bytes([row]),
        extract_date=datetime.date(2025, 9, 1),
        confirm_area_changes=True,
    )

    assert result.not_in_any_area == 1
    assert areas_by_urn() == {300001: None}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("edubasealldata20250901.csv", datetime.date(2025, 9, 1)),
        ("EduBaseAllData20180903 (1).csv", datetime.date(2018, 9, 3)),
        ("edubasealldata20251399.csv", None),
        ("schools.csv", None),
    ],
)
def test_the_extract_date_comes_from_a_gias_download_name(name, expected):
    assert extract_date_from_name(name) == expected


# --- An import that empties an area, or moves too many of its schools, stops ------


@pytest.fixture
def held_in_both_areas(extract_2018, gias_file):
    import_gias(gias_file(extract_2018, name="edubasealldata20180903.csv"))
    assert areas_by_urn() == EXPECTED


def test_an_import_that_would_empty_an_area_stops_before_writing(
    held_in_both_areas, current_extract, gias_file
):
    """A current extract read by the 2018 rules alone: the bug of issue 15."""
    AreaRule.objects.filter(kind="postcode").delete()
    before = list(School.objects.order_by("urn").values())
    path = gias_file(current_extract, name="edubasealldata20250901.csv")

    message, err = import_gias_fails(path)

    assert "run again with --confirm-area-changes" in message
    assert err == [
        "Warning: North Yorkshire Coast would have no open schools (it has 2 now). "
        "Check its membership rules for 1 September 2025.",
        "Warning: West Somerset would have no open schools (it has 2 now). "
        "Check its membership rules for 1 September 2025.",
    ]
    assert list(School.objects.order_by("urn").values()) == before


def test_confirming_goes_ahead(held_in_both_areas, current_extract, gias_file):
    AreaRule.objects.filter(kind="postcode").delete()
    path = gias_file(current_extract, name="edubasealldata20250901.csv")

    out, _ = import_gias(path, "--confirm-area-changes")

    assert "Changes were saved." in out
    assert sum(line.startswith("Confirmed: ") for line in out) == 2
    assert set(areas_by_urn().values()) == {None}


@pytest.mark.parametrize(("share", "refuses"), [(0.4, True), (0.5, False)])
def test_moving_more_than_the_set_share_of_an_areas_schools_stops(
    school_in, settings, share, refuses
):
    """One of two open West Somerset schools moving out is half of them."""
    settings.GIAS_MAX_MOVED_SHARE = share
    minehead = school_in(300005, SOMERSET, district="Somerset", postcode="TA24 5RH")
    watchet = school_in(300006, SOMERSET, district="Somerset", postcode="TA23 0AT")
    school_import_gias(data=gias.gias_csv_bytes([minehead, watchet]))
    watchet[gias.POSTCODE] = "TA1 4QP"
    moved = gias.gias_csv_bytes([minehead, watchet])

    if refuses:
        with pytest.raises(AreaChangesUnconfirmed) as raised:
            school_import_gias(data=moved)
        assert raised.value.warnings[0].startswith(
            "West Somerset would lose 1 of its 2 open schools to another area or none"
        )
        assert areas_by_urn()[300006] == "west-somerset"
    else:
        school_import_gias(data=moved)
        assert areas_by_urn()[300006] is None


# --- The rules themselves ---------------------------------------------------------


@pytest.fixture
def somerset():
    return AreaLocalAuthority.objects.get(la_code=933)


@pytest.mark.parametrize(("typed", "stored"), [("ta24", "TA24"), (" ta4   4 ", "TA4 4")])
def test_a_postcode_rule_is_stored_in_its_usual_form(somerset, typed, stored):
    rule = AreaRule(local_authority=somerset, kind=AreaRule.Kind.POSTCODE, value=typed)
    rule.full_clean(validate_constraints=False)
    assert rule.value == stored


@pytest.mark.parametrize("typed", ["Minehead", "TA24 5RH", "24TA"])
def test_a_postcode_rule_must_be_a_district_or_sector(somerset, typed):
    rule = AreaRule(local_authority=somerset, kind=AreaRule.Kind.POSTCODE, value=typed)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean(validate_constraints=False)
    assert "postcode district" in raised.value.message_dict["value"][0]


def test_a_rule_ends_after_it_starts(somerset):
    rule = AreaRule(
        local_authority=somerset,
        value="Exmoor",
        valid_from=datetime.date(2023, 4, 1),
        valid_to=datetime.date(2019, 3, 31),
    )
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert "valid_to" in raised.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save()


def test_the_area_page_says_which_schools_belong_today(client, users):
    client.force_login(users[Role.BOARD_MEMBER])
    html = client.get("/areas/blackpool/").content.decode()
    assert "Blackpool (890): all schools" in html


# --- The demo uses current-shaped rows ---------------------------------------------


def test_the_demo_rows_are_shaped_like_a_current_extract(reference_areas):
    rows = demo_gias_rows()
    districts = {row[gias.DISTRICT] for row in rows if row[gias.LA_CODE] in ("815", "933")}
    assert districts == {"North Yorkshire", "Somerset"}

    seed_schools()

    for slug in ("north-yorkshire-coast", "west-somerset"):
        assert School.objects.open().filter(area__slug=slug).exists()
    outside = School.objects.filter(la_code__in=[815, 933], area__isnull=True)
    assert {postcode.split()[0] for postcode in outside.values_list("postcode", flat=True)} == {
        "HG1",
        "TA1",
    }


# --- The rules page ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_the_rules_page_lists_the_schools_each_rule_includes(client, users, school_in, role):
    minehead = school_in(300005, SOMERSET, district="Somerset", postcode="TA24 5RH")
    taunton = school_in(300007, SOMERSET, district="Somerset", postcode="TA1 4QP")
    school_import_gias(data=gias.gias_csv_bytes([minehead, taunton]))
    client.force_login(users[role])

    response = client.get("/membership-rules/")

    html = response.content.decode()
    assert response.status_code == 200
    (west_somerset,) = [
        part for part in html.split('<h2 class="govuk-heading-m">') if part.startswith("West")
    ]
    assert "Postcode district or sector (Postcode): TA24" in west_somerset
    assert "School 300005</a> (300005), Somerset, TA24 5RH" in west_somerset
    assert "300007" not in west_somerset
    assert ("Edit the rules in the admin" in html) == (role == Role.ADMINISTRATOR)


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.BOARD_MEMBER, Role.AREA_LEAD])
def test_other_roles_cannot_see_the_rules_page(client, users, role):
    client.force_login(users[role])
    assert client.get("/membership-rules/").status_code == 403
    assert "/membership-rules/" not in client.get("/areas/").content.decode()


def test_the_area_list_leads_dfe_staff_to_the_rules_page(client, users):
    client.force_login(users[Role.DFE_STAFF])
    assert 'href="/membership-rules/"' in client.get("/areas/").content.decode()


def test_administrators_edit_the_rules_in_the_admin(client, users, somerset):
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.get(f"/admin/areas/arealocalauthority/{somerset.pk}/change/")
    assert response.status_code == 200
    assert "TA4 4" in response.content.decode()


def test_the_rules_page_asks_as_many_queries_for_many_schools_as_for_one(client, users, school_in):
    def queries_with(count):
        rows = [
            school_in(310000 + n, SOMERSET, district="Somerset", postcode="TA24 5RH")
            for n in range(count)
        ]
        school_import_gias(data=gias.gias_csv_bytes(rows), confirm_area_changes=True)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/membership-rules/").status_code == 200
        return len(queries)

    client.force_login(users[Role.DFE_STAFF])
    assert queries_with(1) == queries_with(40)


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.ADMINISTRATOR])
def test_a_rule_is_tried_before_it_is_written(client, users, school_in, somerset, role):
    """A postcode rule for TA1 in Somerset would take in the Taunton school
    and not the Minehead one; trying it saves nothing."""
    minehead = school_in(300005, SOMERSET, district="Somerset", postcode="TA24 5RH")
    taunton = school_in(300007, SOMERSET, district="Somerset", postcode="TA1 4QP")
    school_import_gias(data=gias.gias_csv_bytes([minehead, taunton]))
    rules = AreaRule.objects.count()
    client.force_login(users[role])

    html = client.get(
        "/membership-rules/",
        {"local_authority": somerset.pk, "kind": AreaRule.Kind.POSTCODE, "value": "ta1"},
    ).content.decode()

    (tried,) = html.split('id="tried-rule"')[1:]
    tried = tried.split("</div>\n</div>")[0]
    assert "Postcode district or sector (Postcode): TA1 in" in tried
    assert "School 300007</a>" in tried
    assert "300005" not in tried
    assert AreaRule.objects.count() == rules


def test_a_rule_that_cannot_be_tried_says_why(client, users, somerset):
    client.force_login(users[Role.ADMINISTRATOR])
    response = client.get(
        "/membership-rules/",
        {"local_authority": somerset.pk, "kind": AreaRule.Kind.POSTCODE, "value": "Minehead"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a postcode district like" in html
    assert 'id="tried-rule"' not in html
    response = client.get("/membership-rules/", {"value": "TA1"})
    assert "Choose the local authority the rule is for" in response.content.decode()
