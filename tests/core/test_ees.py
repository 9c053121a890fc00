"""The EES writer: what it writes and what it refuses to write."""

import csv
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core import ees
from core.ees import DataSet, DataSetError, Filter, Indicator

AREA = SimpleNamespace(code="OA07", name="Bradford")
SCHOOL = SimpleNamespace(
    urn=107000,
    laestab="3804001",
    name="Bradford Academy",
    la_code=380,
    new_la_code="E08000032",
    la_name="Bradford",
)
YEAR = SimpleNamespace(time_period="201920")


def _data_set(**changes):
    values = {
        "name": "coverage-bradford-201920",
        "title": "Coverage",
        "filters": (Filter("year_group", "Year group"),),
        "indicators": (
            Indicator("pupils_on_roll", "Pupils on roll"),
            Indicator("gap_percentage_points", "Gap", unit="pp", dp=1),
        ),
        "levels": (ees.OPPORTUNITY_AREA, ees.SCHOOL),
    } | changes
    return DataSet(**values)


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_each_level_fills_its_own_columns_and_leaves_the_others_blank():
    data_set = _data_set()
    time = ees.academic_year(YEAR)
    data_set.add(
        time=time,
        location=ees.school(SCHOOL, AREA),
        year_group="Total",
        pupils_on_roll=27,
        gap_percentage_points="-2.4",
    )
    data_set.add(
        time=time,
        location=ees.opportunity_area(AREA),
        year_group="Total",
        pupils_on_roll="c",
        gap_percentage_points=Decimal("-2.4"),
    )
    data_set.add(
        time=time,
        location=ees.national(),
        year_group="Total",
        pupils_on_roll=27,
        gap_percentage_points="x",
    )
    school, area, national = _rows(data_set.data_csv())
    assert list(school) == [
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "opportunity_area_code",
        "opportunity_area_name",
        "school_urn",
        "school_laestab",
        "school_name",
        "old_la_code",
        "new_la_code",
        "la_name",
        "year_group",
        "pupils_on_roll",
        "gap_percentage_points",
    ]
    assert (school["opportunity_area_code"], school["school_laestab"]) == ("OA07", "3804001")
    assert (school["old_la_code"], school["new_la_code"], school["la_name"]) == (
        "380",
        "E08000032",
        "Bradford",
    )
    assert (area["opportunity_area_code"], area["school_urn"], area["la_name"]) == ("OA07", "", "")
    assert (national["opportunity_area_code"], national["country_code"]) == ("", "E92000001")
    assert school["gap_percentage_points"] == area["gap_percentage_points"] == "-2.4"


def test_the_metadata_describes_every_filter_and_indicator():
    meta = _rows(_data_set().meta_csv())
    assert [list(row.values()) for row in meta] == [
        ["year_group", "Filter", "Year group", "", "", "", "", ""],
        ["pupils_on_roll", "Indicator", "Pupils on roll", "", "", "0", "", ""],
        ["gap_percentage_points", "Indicator", "Gap", "", "pp", "1", "", ""],
    ]


def test_a_filter_default_adds_the_optional_column():
    data_set = _data_set(filters=(Filter("indicator", "Indicator", default="GLD"),))
    meta = _rows(data_set.meta_csv())
    assert [row["filter_default"] for row in meta] == ["GLD", "", ""]


@pytest.mark.parametrize("value", ["", None, "'-2.4", "12%", "-1,234", True, "n/a"])
def test_an_indicator_that_is_not_a_number_or_a_symbol_is_refused(value):
    data_set = _data_set()
    data_set.add(
        time=ees.academic_year(YEAR),
        location=ees.opportunity_area(AREA),
        year_group="Total",
        pupils_on_roll=value,
        gap_percentage_points=1,
    )
    with pytest.raises(DataSetError, match="pupils_on_roll"):
        data_set.data_csv()


def test_a_blank_filter_is_refused():
    data_set = _data_set()
    data_set.add(
        time=ees.academic_year(YEAR),
        location=ees.opportunity_area(AREA),
        year_group="",
        pupils_on_roll=1,
        gap_percentage_points=1,
    )
    with pytest.raises(DataSetError, match="blank filter year_group"):
        data_set.data_csv()


def test_mixed_time_identifiers_are_refused_but_months_mix():
    data_set = _data_set(levels=(ees.OPPORTUNITY_AREA,))
    for time in (ees.month(date(2019, 10, 1)), ees.month(date(2019, 11, 1))):
        data_set.add(
            time=time,
            location=ees.opportunity_area(AREA),
            year_group="Total",
            pupils_on_roll=1,
            gap_percentage_points=1,
        )
    assert len(_rows(data_set.data_csv())) == 2
    data_set.add(
        time=ees.financial_year(2019),
        location=ees.opportunity_area(AREA),
        year_group="Total",
        pupils_on_roll=1,
        gap_percentage_points=1,
    )
    with pytest.raises(DataSetError, match="mixes time identifiers"):
        data_set.data_csv()


def test_a_location_code_over_30_characters_is_refused():
    data_set = _data_set()
    long_code = SimpleNamespace(code="fenland-and-east-cambridgeshire", name="Fenland")
    data_set.add(
        time=ees.academic_year(YEAR),
        location=ees.opportunity_area(long_code),
        year_group="Total",
        pupils_on_roll=1,
        gap_percentage_points=1,
    )
    with pytest.raises(DataSetError, match="over 30 characters"):
        data_set.data_csv()


def test_a_row_of_a_level_the_data_set_does_not_have_is_refused():
    data_set = _data_set(levels=(ees.OPPORTUNITY_AREA,))
    data_set.add(
        time=ees.academic_year(YEAR),
        location=ees.school(SCHOOL, AREA),
        year_group="Total",
        pupils_on_roll=1,
        gap_percentage_points=1,
    )
    with pytest.raises(DataSetError, match="School"):
        data_set.data_csv()


def test_an_indicator_unit_ees_does_not_know_is_refused():
    with pytest.raises(DataSetError, match="percent"):
        Indicator("rate", "Rate", unit="percent")


def test_the_zip_holds_each_data_sets_two_files():
    first, second = _data_set(name="a"), _data_set(name="b")
    for data_set in (first, second):
        for year_group in ("Year 9", "Total"):
            data_set.add(
                time=ees.academic_year(YEAR),
                location=ees.opportunity_area(AREA),
                year_group=year_group,
                pupils_on_roll=1,
                gap_percentage_points=1,
            )
    files = ees.unzipped(ees.zip_bytes(ees.data_set_files([first, second])))
    assert list(files) == ["a.csv", "a.meta.csv", "b.csv", "b.meta.csv", "data-guidance.txt"]
    assert files["a.csv"].startswith("\ufeff".encode())
    assert ees.data_file_names(files) == ["a.csv", "b.csv"]


def test_the_data_guidance_carries_each_files_footnotes():
    """EES keeps footnotes beside a data file (ADR 0010): the provisional
    mark of an in-year figure reaches the reader in the data guidance."""
    marked, unmarked = _data_set(name="a"), _data_set(name="b")
    marked.footnotes = ("Figures for 2019/20 are provisional until the year closes.",)
    for data_set in (marked, unmarked):
        for year_group in ("Year 9", "Total"):
            data_set.add(
                time=ees.academic_year(YEAR),
                location=ees.opportunity_area(AREA),
                year_group=year_group,
                pupils_on_roll=1,
                gap_percentage_points=1,
            )
    files = ees.data_set_files([marked, unmarked])
    guidance = files[ees.DATA_GUIDANCE].decode("utf-8-sig")
    first, second = guidance.split("\r\n\r\n")
    assert first.splitlines() == [
        marked.title,
        "Data file: a.csv",
        "Metadata file: a.meta.csv",
        "Footnotes:",
        "1. Figures for 2019/20 are provisional until the year closes.",
    ]
    assert second.splitlines()[-1] == "Footnotes: none."
