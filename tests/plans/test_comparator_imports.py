"""Comparator series from EES tidy CSV files (issue 15 item 2, ADR 0018)."""

from datetime import date
from decimal import Decimal

import pytest

from core.imports import CsvFileError
from core.models import Role
from plans import comparator_imports as ci
from plans import services
from plans.imports import CsvImportError
from plans.models import (
    ComparatorImport,
    ComparatorRevision,
    ComparatorSeries,
    ComparatorStatusChange,
    ComparatorValue,
    TargetBasis,
    Unit,
)
from plans.selectors import comparator_status_changes
from tests.factories import UserFactory
from tests.plans.factories import (
    IndicatorFactory,
    MeasurementFactory,
    TargetFactory,
    draft_plan_with,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,"
    "old_la_code,new_la_code,la_name,characteristic,pt_gld,num_pupils"
)
# National and LA rows, two time identifiers (Academic year and Financial
# year), suppressed (c) and unavailable (x, low) cells.
EES_FILE = "\n".join(
    [
        HEADER,
        "201718,Academic year,National,E92000001,England,,,,Total,71.5,650000",
        "201718,Academic year,National,E92000001,England,,,,Disadvantaged,56.6,110000",
        "201819,Academic year,National,E92000001,England,,,,Total,71.8,655000",
        "201819,Academic year,National,E92000001,England,,,,Disadvantaged,c,c",
        "201718,Academic year,Local authority,E92000001,England,890,E06000009,Blackpool,Total,"
        "66.2,1700",
        "201819,Academic year,Local authority,E92000001,England,890,E06000009,Blackpool,Total,"
        "x,1720",
        "201718,Academic year,Local authority,E92000001,England,845,E10000011,East Sussex,Total,"
        "70.1,5000",
        "201819,Financial year,National,E92000001,England,,,,Total,low,10",
        "",
    ]
)
META_FILE = "\n".join(
    [
        "col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,"
        "filter_grouping_column",
        "characteristic,Filter,Pupil characteristic,,,,,",
        "pt_gld,Indicator,Percentage reaching a good level of development,,%,1,,",
        "num_pupils,Indicator,Number of pupils,,,0,,",
        "",
    ]
)


def _select(
    ees_file,
    *,
    level=ci.NATIONAL,
    locations=("E92000001",),
    characteristic="Total",
    periods=None,
    indicator="pt_gld",
):
    return ci.Selection(
        indicator=indicator,
        filters={"characteristic": characteristic},
        level=level,
        locations=tuple(locations),
        periods=tuple(periods or ees_file.periods),
        unit=Unit.PERCENTAGE,
    )


def _series():
    return {
        s.ees_selection["location"] + "/" + s.ees_selection["time_identifier"]: s
        for s in ComparatorSeries.objects.exclude(ees_key="")
    }


def _values(series):
    return [(v.date, v.value, v.symbol) for v in series.values.order_by("date")]


@pytest.mark.parametrize(
    ("period", "identifier", "expected"),
    [
        ("201819", "Academic year", date(2019, 8, 31)),
        ("201819", "Financial year", date(2019, 3, 31)),
        ("201819", "Tax year", date(2019, 4, 5)),
        ("2019", "Calendar year", date(2019, 12, 31)),
        ("201819", "Autumn term", date(2018, 12, 31)),
        ("201920", "academic YEAR", date(2020, 8, 31)),
    ],
)
def test_time_periods_map_to_the_last_day_of_the_period(period, identifier, expected):
    assert ci.period_date(period, identifier) == expected


@pytest.mark.parametrize(
    ("period", "identifier", "wording"),
    [
        ("201820", "Academic year", "two years in a row"),
        ("2018/19", "Academic year", "six digits"),
        ("201819", "Calendar year", "four digits"),
        ("201819", "Week 3", "is not one this import dates"),
    ],
)
def test_a_time_period_that_cannot_be_dated_says_why(period, identifier, wording):
    with pytest.raises(ValueError, match=wording):
        ci.period_date(period, identifier)


@pytest.mark.parametrize("meta", [None, META_FILE], ids=["data only", "with meta"])
def test_national_and_la_rows_with_two_time_identifiers_import_into_the_right_series(meta, area):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    ees_file = ci.ees_text_read(EES_FILE, meta)
    assert [c.name for c in ees_file.indicators] == ["pt_gld", "num_pupils"]
    assert [c.name for c in ees_file.filters] == ["characteristic"]
    assert ees_file.periods == [
        ("201718", "Academic year"),
        ("201819", "Financial year"),
        ("201819", "Academic year"),
    ]
    ci.comparator_import_apply(
        ees_file=ees_file, selection=_select(ees_file), file_name="gld.csv", user=admin
    )
    ci.comparator_import_apply(
        ees_file=ees_file,
        selection=_select(ees_file, level=ci.LOCAL_AUTHORITY, locations=["E06000009", "E10000011"]),
        file_name="gld.csv",
        user=admin,
    )
    series = _series()
    assert sorted(series) == [
        "E06000009/Academic year",
        "E10000011/Academic year",
        "E92000001/Academic year",
        "E92000001/Financial year",
    ]
    assert _values(series["E92000001/Academic year"]) == [
        (date(2018, 8, 31), Decimal("71.500"), ""),
        (date(2019, 8, 31), Decimal("71.800"), ""),
    ]
    # Suppressed and unavailable cells are kept as not available.
    assert _values(series["E92000001/Financial year"]) == [(date(2019, 3, 31), None, "low")]
    assert _values(series["E06000009/Academic year"]) == [
        (date(2018, 8, 31), Decimal("66.200"), ""),
        (date(2019, 8, 31), None, "x"),
    ]
    assert series["E06000009/Academic year"].geography == "Blackpool"
    assert series["E92000001/Academic year"].unit == Unit.PERCENTAGE


def test_the_filter_chosen_picks_the_rows_and_names_the_series(area):
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    ci.comparator_import_apply(
        ees_file=ees_file,
        selection=_select(ees_file, characteristic="Disadvantaged"),
        file_name="gld.csv",
        user=None,
    )
    (series,) = ComparatorSeries.objects.exclude(ees_key="")
    assert series.name == (
        "Percentage reaching a good level of development (Disadvantaged): England, academic year"
    )
    assert _values(series) == [
        (date(2018, 8, 31), Decimal("56.600"), ""),
        (date(2019, 8, 31), None, "c"),
    ]


@pytest.mark.parametrize(
    ("line", "bad_row", "column"),
    [
        (3, "2017/18,Academic year,National,E92000001,England,,,,Total,71.5,650000", "time_period"),
        (3, "201718,Academic year,National,E92000001,England,,,,Total,71.5%x,650000", "pt_gld"),
        (3, "201718,Academic year,National,E92000001,England,,,,,71.5,650000", "characteristic"),
        (3, "201718,Month 3,National,E92000001,England,,,,Total,71.5,650000", "time_identifier"),
        (3, "201718,Academic year,National,E92000001,England,,,,Total,,650000", "pt_gld"),
    ],
)
def test_a_malformed_file_changes_nothing_and_names_the_line_and_column(line, bad_row, column):
    lines = EES_FILE.split("\n")
    lines[line - 1] = bad_row
    with pytest.raises(CsvImportError) as raised:
        ci.ees_text_read("\n".join(lines), META_FILE)
    (error,) = raised.value.errors
    assert error.line == line
    assert f"column '{column}'" in error.message
    assert not ComparatorSeries.objects.exists()


def test_a_file_without_the_ees_columns_is_refused_naming_them():
    with pytest.raises(CsvFileError, match="'time_identifier', 'geographic_level'"):
        ci.ees_text_read("time_period,value\n201819,3\n")


def test_a_data_column_missing_from_the_metadata_is_refused():
    meta = META_FILE.replace("num_pupils,Indicator,Number of pupils,,,0,,\n", "")
    with pytest.raises(CsvFileError, match="'num_pupils'"):
        ci.ees_text_read(EES_FILE, meta)


def test_rows_that_leave_a_filter_unchosen_name_both_lines():
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    ees_file.filters = []
    selection = ci.Selection(
        indicator="pt_gld",
        filters={},
        level=ci.NATIONAL,
        locations=("E92000001",),
        periods=(("201718", "Academic year"),),
        unit=Unit.PERCENTAGE,
    )
    with pytest.raises(CsvImportError) as raised:
        ci.comparator_import_preview(ees_file=ees_file, selection=selection)
    assert [(e.line, "line 2" in e.message) for e in raised.value.errors] == [(3, True)]


def on_track_against(england, *, area, user):
    """A published indicator judged against the England series (71.5 on
    31/08/2018, 71.8 on 31/08/2019), on track until 71.8 is revised up.

    Gap at baseline: 61.5 - 71.5 = -10; target gap 0 by 31/08/2021, so the
    expected gap on 31/08/2019 is -10 + 10 * 365/1096 = -6.67 (to 2 dp).
    Measured 66 then: against 71.8 a gap of -5.8, better than -6.67, so on
    track; against a revised 73.4 a gap of -7.4, short by 0.73, within the
    tolerance 0.25 * 10 = 2.5, so at risk."""
    plan = draft_plan_with(area, priorities=1, indicators_per_priority=0, actions_per_priority=0)
    indicator = IndicatorFactory(
        priority=plan.priorities.get(),
        baseline_value=Decimal("61.5"),
        baseline_date=date(2018, 8, 31),
        comparator=england,
    )
    TargetFactory(indicator=indicator, date=date(2021, 8, 31), value=0, basis=TargetBasis.RELATIVE)
    services.plan_publish(plan=plan, user=user)
    MeasurementFactory(lineage=indicator.lineage, date=date(2019, 8, 31), value=Decimal("66"))
    return indicator


def test_a_revised_file_records_revisions_and_the_status_it_changed(area):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    national = _select(ees_file, periods=[("201718", "Academic year"), ("201819", "Academic year")])
    ci.comparator_import_apply(
        ees_file=ees_file, selection=national, file_name="v1.csv", user=admin
    )
    england = ComparatorSeries.objects.get(ees_key__gt="", geography="England")

    indicator = on_track_against(england, area=area, user=admin)

    revised = EES_FILE.replace(
        "201819,Academic year,National,E92000001,England,,,,Total,71.8,655000",
        "201819,Academic year,National,E92000001,England,,,,Total,73.4,655000",
    )
    ees_file = ci.ees_text_read(revised, META_FILE)
    preview = ci.comparator_import_preview(ees_file=ees_file, selection=national)
    assert (preview.created, preview.changed, preview.unchanged) == (0, 1, 1)
    record = ci.comparator_import_apply(
        ees_file=ees_file,
        selection=national,
        file_name="v2.csv",
        user=admin,
        today=date(2019, 10, 1),
    )

    (revision,) = ComparatorRevision.objects.all()
    assert (revision.series, revision.date, revision.old_value, revision.new_value) == (
        england,
        date(2019, 8, 31),
        Decimal("71.800"),
        Decimal("73.400"),
    )
    assert revision.comparator_import.file_name == "v2.csv"
    assert ComparatorValue.objects.get(series=england, date=date(2019, 8, 31)).value == Decimal(
        "73.400"
    )
    (change,) = ComparatorStatusChange.objects.all()
    assert (change.lineage, change.old_status, change.new_status, change.comparator_import) == (
        indicator.lineage,
        "on_track",
        "at_risk",
        record,
    )
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    assert list(comparator_status_changes(user=lead, lineage_id=indicator.lineage_id)) == [change]


def test_importing_the_same_file_again_changes_nothing(area):
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    selection = _select(ees_file)
    ci.comparator_import_apply(ees_file=ees_file, selection=selection, file_name="a.csv", user=None)
    again = ci.comparator_import_apply(
        ees_file=ees_file, selection=selection, file_name="a.csv", user=None
    )
    assert (again.series_created, again.values_created, again.values_revised) == (0, 0, 0)
    assert again.values_unchanged == 3
    assert not ComparatorRevision.objects.exists()
    assert ComparatorImport.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "own_area", "expected"),
    [
        (Role.ADMINISTRATOR, False, {ci.NATIONAL: 1, ci.LOCAL_AUTHORITY: 2}),
        (Role.DFE_STAFF, False, {ci.NATIONAL: 1, ci.LOCAL_AUTHORITY: 2}),
        (Role.AREA_LEAD, True, {ci.LOCAL_AUTHORITY: 1}),
        (Role.AREA_LEAD, False, {}),
        (Role.BOARD_MEMBER, True, {}),
        (Role.SCHOOL_STAFF, False, {}),
    ],
)
def test_who_may_import_which_locations(role, own_area, expected, area, other_area):
    user = UserFactory(
        role=role,
        area=(area if own_area else other_area)
        if role in (Role.AREA_LEAD, Role.BOARD_MEMBER)
        else None,
    )
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    allowed = ci.allowed_locations(user=user, area=area, ees_file=ees_file)
    assert {level: len(codes) for level, codes in allowed.items()} == expected
    if role == Role.AREA_LEAD and own_area:
        # Blackpool's lead gets Blackpool (890), not East Sussex.
        assert allowed == {ci.LOCAL_AUTHORITY: {"E06000009": "Blackpool"}}


def test_an_area_lead_choosing_another_las_series_is_refused(area):
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    allowed = ci.allowed_locations(user=lead, area=area, ees_file=ees_file)
    for level, locations in [
        (ci.LOCAL_AUTHORITY, ["E10000011"]),
        (ci.NATIONAL, ["E92000001"]),
    ]:
        problems = ci.selection_problems(
            ees_file=ees_file,
            selection=_select(ees_file, level=level, locations=locations),
            allowed=allowed,
        )
        assert set(problems) & {"level", "locations"}


def test_the_demo_sample_is_an_ees_data_set_marked_illustrative():
    from pathlib import Path

    from plans.demo import COMPARATOR_SAMPLE
    from tests.ees.screener import screen

    meta = COMPARATOR_SAMPLE.with_suffix(".meta.csv")
    screening = screen(
        COMPARATOR_SAMPLE.read_bytes(), meta.read_bytes(), data_name=COMPARATOR_SAMPLE.name
    )
    assert screening.passed, str(screening)
    assert "illustrative" in COMPARATOR_SAMPLE.name
    guidance = Path(COMPARATOR_SAMPLE.parent, "data-guidance.txt").read_text()
    assert "ILLUSTRATIVE VALUES" in guidance
    ees_file = ci.ees_text_read(COMPARATOR_SAMPLE.read_text(), meta.read_text())
    assert len(ees_file.levels[ci.LOCAL_AUTHORITY]) == 12


@pytest.mark.parametrize(
    ("value", "symbol", "field"),
    [(None, "", "value"), (Decimal("1"), "x", "value"), (None, "q", "symbol")],
)
def test_a_comparator_value_is_a_value_or_a_known_symbol(value, symbol, field):
    from django.core.exceptions import ValidationError

    series = ComparatorSeries.objects.create(name="S", geography="England", unit=Unit.SCORE)
    with pytest.raises(ValidationError) as raised:
        ComparatorValue(series=series, date=date(2019, 8, 31), value=value, symbol=symbol).clean()
    assert field in raised.value.message_dict


def test_the_command_imports_a_file_and_its_metadata_beside_it(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    (tmp_path / "gld.csv").write_text(EES_FILE)
    (tmp_path / "gld.meta.csv").write_text(META_FILE)
    listing = StringIO()
    call_command("import_ees_comparators", str(tmp_path / "gld.csv"), stdout=listing)
    assert "pt_gld (Percentage reaching a good level of development)" in listing.getvalue()
    assert not ComparatorSeries.objects.exists()

    out = StringIO()
    call_command(
        "import_ees_comparators",
        str(tmp_path / "gld.csv"),
        "--indicator=pt_gld",
        "--level=Local authority",
        "--period=201718",
        stdout=out,
    )
    assert "Imported: 2 new, 0 revised, 0 unchanged" in out.getvalue()
    assert sorted(ComparatorSeries.objects.values_list("geography", flat=True)) == [
        "Blackpool",
        "East Sussex",
    ]


def test_the_command_names_bad_lines_and_writes_nothing(tmp_path):
    from django.core.management import CommandError, call_command

    (tmp_path / "gld.csv").write_text(EES_FILE.replace("Total,71.8,", "Total,n/a,"))
    with pytest.raises(CommandError, match="1 line has a problem; nothing was imported"):
        call_command("import_ees_comparators", str(tmp_path / "gld.csv"), "--indicator=pt_gld")
    assert not ComparatorSeries.objects.exists()


def test_imported_la_series_are_a_comparator_groups_members(area):
    """The national and LA series one selection makes share a measure, and
    each LA series carries its LA code, so a comparator group of those LAs
    is worked out from them beside the national series (ADR 0018, 0019).
    Blackpool's 2018-19 cell is x, so only East Sussex and Blackpool's
    2017-18 figures count: (66.2 + 70.1) / 2 = 68.15, over 1,700 + 5,000
    pupils where both published their counts."""
    from plans.models import ComparatorGroup, ComparatorGroupMember
    from plans.selectors import indicator_group_figures

    admin = UserFactory(role=Role.ADMINISTRATOR)
    ees_file = ci.ees_text_read(EES_FILE, META_FILE)
    for level, locations in (
        (ci.NATIONAL, ("E92000001",)),
        (ci.LOCAL_AUTHORITY, ("E06000009", "E10000011")),
    ):
        ci.comparator_import_apply(
            ees_file=ees_file,
            selection=_select(
                ees_file,
                level=level,
                locations=locations,
                periods=[("201718", "Academic year"), ("201819", "Academic year")],
            ),
            file_name="gld.csv",
            user=admin,
        )
    series = _series()
    england = series["E92000001/Academic year"]
    blackpool = series["E06000009/Academic year"]
    assert blackpool.la_code == 890
    assert series["E10000011/Academic year"].la_code == 845
    assert england.la_code is None
    assert england.measure == blackpool.measure != ""

    group = ComparatorGroup.objects.create(name="Blackpool and East Sussex")
    ComparatorGroupMember.objects.create(group=group, la_code=890, la_name="Blackpool")
    ComparatorGroupMember.objects.create(group=group, la_code=845, la_name="East Sussex")
    plan = draft_plan_with(area, priorities=1, indicators_per_priority=0, actions_per_priority=0)
    indicator = IndicatorFactory(
        priority=plan.priorities.get(), comparator=england, comparator_group=group
    )
    figures = indicator_group_figures(indicator)
    assert [(f.date, f.value, f.members_with_data) for f in figures] == [
        (date(2018, 8, 31), Decimal("68.15"), 2)
    ]
