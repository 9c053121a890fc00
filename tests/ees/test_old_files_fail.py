"""The screener fails the files the service offered before its exports were
EES data sets (commit 359ff9d), each for the reason DfE's screener gives.
The files are those exports' shapes, cut down to a few rows."""

import pytest

from tests.ees.screener import screen

LEADING = (
    "time_period,time_identifier,geographic_level,country_code,country_name,"
    "opportunity_area_code,opportunity_area_name"
)
META_HEADER = (
    "col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,"
    "filter_hint,filter_grouping_column"
)


def _meta(*rows):
    return "\r\n".join([META_HEADER, *rows]) + "\r\n"


# reports/render.py report_csv: plan figures by month, coverage by academic
# year and spend by financial year in one file.
OLD_REPORT = (
    f"{LEADING},school_urn,school_name,report_section,measure,breakdown,unit,value\r\n"
    "2019,October,Opportunity area,E92000001,England,blackpool,Blackpool,,,"
    "Priority summary,Indicators,At risk,count,2\r\n"
    "201920,Academic year,Opportunity area,E92000001,England,blackpool,Blackpool,,,"
    "Encounter coverage,Pupils on roll,Total,pupils,55\r\n"
    "201920,Financial year,Opportunity area,E92000001,England,blackpool,Blackpool,,,"
    "Spend against allocation,Allocated,Core programme,pounds,100000.00\r\n"
)
OLD_REPORT_META = _meta(
    "report_section,Filter,Section,,,,,",
    "measure,Filter,Measure,,,,,",
    "breakdown,Filter,Breakdown,,,,,",
    "unit,Filter,Unit,,,,,",
    "value,Indicator,Value,,,,,",
)

# dashboard/selectors.py dashboard_csv: the total row an "Opportunity area"
# coded "all", and life_stage a filter with "Total" alone.
OLD_DASHBOARD = (
    f"{LEADING},wave,life_stage,pupils_on_roll,gap_four_encounters_percentage_points\r\n"
    "201920,Academic year,Opportunity area,E92000001,England,blackpool,Blackpool,1,Total,90,3.1\r\n"
    "201920,Academic year,Opportunity area,E92000001,England,bradford,Bradford,2,Total,120,-2.4\r\n"
    "201920,Academic year,Opportunity area,E92000001,England,all,"
    "All Opportunity Areas shown,Total,Total,210,0.4\r\n"
)
OLD_DASHBOARD_META = _meta(
    "wave,Filter,Wave,,,,,",
    "life_stage,Filter,Life stage,,,,,",
    "pupils_on_roll,Indicator,Pupils on roll,,,0,,",
    "gap_four_encounters_percentage_points,Indicator,Gap,,pp,1,,",
)

# encounters/publication.py area_coverage_csv: School rows without school_laestab.
OLD_AREA_COVERAGE = (
    f"{LEADING},school_urn,school_name,year_group,pupils_on_roll\r\n"
    "201718,Academic year,School,E92000001,England,blackpool,Blackpool,500001,Coastal Academy,"
    "Year 9,27\r\n"
    "201718,Academic year,School,E92000001,England,blackpool,Blackpool,500001,Coastal Academy,"
    "Total,27\r\n"
    "201718,Academic year,Opportunity area,E92000001,England,blackpool,Blackpool,,,Year 9,27\r\n"
    "201718,Academic year,Opportunity area,E92000001,England,blackpool,Blackpool,,,Total,27\r\n"
)
OLD_AREA_COVERAGE_META = _meta(
    "year_group,Filter,Year group,,,,,", "pupils_on_roll,Indicator,Pupils on roll,,,0,,"
)

# encounters/publication.py school_coverage_csv and plans/views.py's
# measurements CSV: no time identifier, no geography.
OLD_SCHOOL_COVERAGE = (
    "time_period,school_urn,school_name,year_group,pupils_on_roll\r\n"
    "201718,500001,Coastal Academy,Year 9,27\r\n"
    "201718,500001,Coastal Academy,All year groups,27\r\n"
)
OLD_MEASUREMENTS = "date,value,status,source\r\n2016-07-01,66.000,baseline,EYFSP\r\n"


def test_the_old_report_file_has_no_metadata():
    assert "meta_file_present" in screen(OLD_REPORT, None, data_name="report.csv").failures


def test_the_old_report_file_mixes_time_identifiers():
    result = screen(OLD_REPORT, OLD_REPORT_META, data_name="report.csv")
    assert "time_id_mix" in result.failures, result


def test_the_old_dashboard_file_has_a_filter_with_one_value():
    result = screen(OLD_DASHBOARD, OLD_DASHBOARD_META, data_name="dashboard.csv")
    assert result.failures.get("filter_not_singular", "").endswith("'life_stage'"), result


def test_the_old_dashboard_total_row_is_a_location_called_all():
    """Even with the single-valued filter dropped, the total is an "area"
    coded "all": a Total in a location column, which EES does not allow."""
    meta = _meta(
        "wave,Filter,Wave,,,,,",
        "pupils_on_roll,Indicator,Pupils on roll,,,0,,",
        "gap_four_encounters_percentage_points,Indicator,Gap,,pp,1,,",
    )
    result = screen(OLD_DASHBOARD, meta, data_name="dashboard.csv")
    assert "opportunity_area_code" in result.failures["filter_ob_total"], result


def test_the_old_area_coverage_file_has_school_rows_without_laestab():
    result = screen(OLD_AREA_COVERAGE, OLD_AREA_COVERAGE_META, data_name="coverage.csv")
    assert "school_laestab" in result.failures["geog_level_present"], result


@pytest.mark.parametrize(
    ("name", "data"), [("coverage", OLD_SCHOOL_COVERAGE), ("m", OLD_MEASUREMENTS)]
)
def test_the_old_school_coverage_and_measurements_files_lack_time_and_geography(name, data):
    meta = _meta("pupils_on_roll,Indicator,Pupils on roll,,,0,,")
    result = screen(data, meta, data_name=f"{name}.csv")
    assert {"time_identifier", "geographic_level", "country_code"} <= set(
        result.failures["col_req_data"].replace("'", "").split(": ")[1].split(", ")
    ), result


def test_the_old_fenland_code_is_over_30_characters():
    data = OLD_AREA_COVERAGE.replace(
        "blackpool,Blackpool", "fenland-and-east-cambridgeshire,Fenland"
    )
    data = "\r\n".join(line for line in data.splitlines() if ",School," not in line) + "\r\n"
    result = screen(data, OLD_AREA_COVERAGE_META, data_name="coverage.csv")
    assert "fenland-and-east-cambridgeshire" in result.failures["api_char_loc_code"], result


def test_a_negative_gap_written_as_text_fails():
    """What the formula guard made of Bradford's gap before the fix."""
    data = OLD_AREA_COVERAGE.replace(",Year 9,27\r\n", ",Year 9,'-2.4\r\n")
    data = "\r\n".join(line for line in data.splitlines() if ",School," not in line) + "\r\n"
    result = screen(data, OLD_AREA_COVERAGE_META, data_name="coverage.csv")
    assert result.failures == {
        "ind_numeric": "indicator cells that are neither a number nor a "
        "symbol: 'pupils_on_roll='-2.4'"
    }, result


# encounters/publication.py area_coverage_data_set before School rows named
# their LA (commit 96d8e6b): every other check passes.
OLD_SCHOOL_ROWS_WITHOUT_LA = (
    f"{LEADING},school_urn,school_laestab,school_name,year_group,pupils_on_roll\r\n"
    "201718,Academic year,School,E92000001,England,OA01,Blackpool,500001,8902001,"
    "Coastal Academy,Year 9,27\r\n"
    "201718,Academic year,School,E92000001,England,OA01,Blackpool,500001,8902001,"
    "Coastal Academy,Total,27\r\n"
    "201718,Academic year,Opportunity area,E92000001,England,OA01,Blackpool,,,,Year 9,27\r\n"
    "201718,Academic year,Opportunity area,E92000001,England,OA01,Blackpool,,,,Total,27\r\n"
)


def test_school_rows_without_their_la_fail_the_guides_school_columns():
    result = screen(OLD_SCHOOL_ROWS_WITHOUT_LA, OLD_AREA_COVERAGE_META, data_name="coverage.csv")
    assert set(result.failures) == {"geog_school_la_cols"}, result
    assert "old_la_code" in result.failures["geog_school_la_cols"]
    # eesyscreener itself does not ask for them.
    lenient = screen(
        OLD_SCHOOL_ROWS_WITHOUT_LA, OLD_AREA_COVERAGE_META, data_name="coverage.csv", strict=False
    )
    assert lenient.failures == {}, lenient
    with_la = OLD_SCHOOL_ROWS_WITHOUT_LA.replace(
        "school_name,year_group", "school_name,old_la_code,new_la_code,la_name,year_group"
    ).replace("Coastal Academy,", "Coastal Academy,890,E06000009,Blackpool,")
    with_la = with_la.replace("Blackpool,,,,", "Blackpool,,,,,,,")
    assert screen(with_la, OLD_AREA_COVERAGE_META, data_name="coverage.csv").failures == {}
