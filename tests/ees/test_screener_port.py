"""The screener port against eesyscreener's own cases: its example data set
and the rule cases of its tests (tests/testthat/test-*.R), rebuilt here, and
its integration folders (tests/testthat/pass and fail) screened file by file.

The folders are read from a checkout of eesyscreener (EESYSCREENER_DIR,
default /work/ref/eesyscreener); it is GPL-3 licensed, so its files are read
where they are rather than copied into this repository."""

import csv
import io
import os
from pathlib import Path

import pytest

from tests.ees.screener import screen

EESYSCREENER = Path(os.environ.get("EESYSCREENER_DIR", "/work/ref/eesyscreener"))
CASES = EESYSCREENER / "tests" / "testthat"

# eesyscreener's example_data and example_meta (data-raw/example_data.R).
EXAMPLE_DATA = [
    ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
    + ["sex", "education_phase", "enrolment_count"],
    *(
        ["201718", "Academic year", "National", "E92000001", "England", sex, phase, count]
        for sex, phase, count in (
            ("All pupils", "All schools", "1000"),
            ("All pupils", "Primary", "300"),
            ("All pupils", "Secondary", "700"),
            ("Male", "All schools", "450"),
            ("Female", "All schools", "460"),
            ("Male", "Primary", "200"),
            ("Female", "Primary", "205"),
            ("Male", "Secondary", "250"),
            ("Female", "Secondary", "255"),
        )
    ),
]
EXAMPLE_META = [
    [
        "col_name",
        "col_type",
        "label",
        "indicator_grouping",
        "indicator_unit",
        "indicator_dp",
        "filter_hint",
        "filter_grouping_column",
        "filter_default",
    ],
    ["sex", "Filter", "Sex of pupil", "", "", "", "", "", "All pupils"],
    ["education_phase", "Filter", "Education phase", "", "", "", "", "", "All schools"],
    ["enrolment_count", "Indicator", "Number of enrolments", "", "", "0", "", "", ""],
]


def _text(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _example(change_data=None, change_meta=None, **kwargs):
    data = [list(row) for row in EXAMPLE_DATA]
    meta = [list(row) for row in EXAMPLE_META]
    if change_data:
        change_data(data)
    if change_meta:
        change_meta(meta)
    return screen(_text(data), _text(meta), data_name="example.csv", **kwargs)


def _set(rows, column, value, row=None):
    index = rows[0].index(column)
    for r in rows[1:] if row is None else [rows[row]]:
        r[index] = value


def test_the_example_data_set_passes():
    result = _example()
    assert result.passed, result
    assert not result.warnings


@pytest.mark.parametrize(
    ("check", "change_data", "change_meta"),
    [
        # test-precheck_col_req_data.R: a required column removed.
        ("col_req_data", lambda d: [r.pop(3) for r in d], None),
        # test-precheck_col_req_meta.R / invalid_meta: a column missing or extra.
        ("col_req_meta", None, lambda m: [r.pop(6) for r in m]),
        ("col_invalid_meta", None, lambda m: [r.append("x") for r in m]),
        # test-precheck_time_id_mix.R: a month mixed into academic years.
        ("time_id_mix", lambda d: _set(d, "time_identifier", "December", row=2), None),
        # test-precheck_time_id_valid.R
        ("time_id_valid", lambda d: _set(d, "time_identifier", "Winter"), None),
        # test-precheck_time_period_num.R
        ("time_period_num", lambda d: _set(d, "time_period", "2017-18", row=1), None),
        # test-check_time_period_six.R: not consecutive years.
        ("time_period_six", lambda d: _set(d, "time_period", "201719"), None),
        # test-check_time_period.R: four digits for an academic year.
        ("time_period", lambda d: _set(d, "time_period", "2017"), None),
        # test-precheck_filter_not_singular.R
        ("filter_not_singular", lambda d: _set(d, "sex", "All pupils"), None),
        # test-precheck_geog_level.R
        ("geog_level", lambda d: _set(d, "geographic_level", "Nationwide"), None),
        # test-precheck_geog_level_present.R: a School row without school columns.
        ("geog_level_present", lambda d: _set(d, "geographic_level", "School", row=1), None),
        # test-check_ind_invalid_entry.R: a blank and a legacy symbol.
        ("ind_invalid_entry", lambda d: _set(d, "enrolment_count", "", row=1), None),
        ("ind_invalid_entry", lambda d: _set(d, "enrolment_count", ":", row=1), None),
        # test-check_filter_blanks.R
        ("filter_blanks", lambda d: _set(d, "sex", "", row=1), None),
        # test-check_filter_whitespace.R
        ("filter_whitespace", lambda d: _set(d, "sex", " Male", row=4), None),
        # test-check_general_dupes.R
        ("general_dupes", lambda d: d.append(list(d[1])), None),
        # test-check_general_null.R
        ("general_null", lambda d: _set(d, "enrolment_count", "NA", row=1), None),
        # test-check_geog_country_combos.R
        ("geog_country_combos", lambda d: _set(d, "country_name", "InvalidCountry"), None),
        # test-check_col_names_spaces.R
        (
            "col_names_spaces",
            lambda d: _set(d, "sex", "sex of pupil", row=0),
            lambda m: _set(m, "col_name", "sex of pupil", row=1),
        ),
        # test-check_meta_dupe_label.R
        ("meta_dupe_label", None, lambda m: _set(m, "label", "Sex of pupil", row=2)),
        # test-precheck_meta_col_type.R
        ("meta_col_type", None, lambda m: _set(m, "col_type", "Filtre", row=1)),
        # test-check_meta_ind_unit_validation.R
        ("meta_ind_unit_validation", None, lambda m: _set(m, "indicator_unit", "percent", row=3)),
        # test-check_meta_ind_dp_values.R
        ("meta_ind_dp_values", None, lambda m: _set(m, "indicator_dp", "-1", row=3)),
        # test-check_meta_filter_hint.R
        ("meta_filter_hint", None, lambda m: _set(m, "filter_hint", "Hint", row=3)),
        # test-check_meta_label.R
        ("meta_label", None, lambda m: _set(m, "label", "", row=1)),
        # test-check_meta_geog_catch.R: a geography column offered as a filter.
        (
            "meta_geog_catch",
            lambda d: [r.append(v) for r, v in zip(d, ["la_group_code", *["x"] * 9], strict=True)],
            lambda m: m.append(["la_group_code", "Filter", "LA group", "", "", "", "", "", ""]),
        ),
        # test-check_meta_fil_grp_match.R
        ("cross_meta_to_data", None, lambda m: _set(m, "filter_grouping_column", "grp", row=1)),
        # test-check_filter_defaults.R: no Total and no declared default.
        ("filter_defaults", None, lambda m: _set(m, "filter_default", "", row=1)),
    ],
)
def test_each_ported_rule_fails_the_case_eesyscreener_tests_it_with(
    check, change_data, change_meta
):
    result = _example(change_data, change_meta)
    assert check in result.failures, result


def test_the_filter_default_rule_is_a_warning_in_eesyscreener_and_a_failure_here():
    def no_default(meta):
        _set(meta, "filter_default", "", row=1)

    assert "filter_defaults" in _example(change_meta=no_default, strict=False).warnings
    assert "filter_defaults" in _example(change_meta=no_default).failures


def test_a_number_written_as_text_fails_here_and_not_in_eesyscreener():
    def as_text(data):
        _set(data, "enrolment_count", "'-2.4", row=1)

    assert "ind_numeric" in _example(as_text).failures
    assert _example(as_text, strict=False).passed


def test_a_data_file_without_its_metadata_fails():
    result = screen(_text(EXAMPLE_DATA), None, data_name="example.csv")
    assert "meta_file_present" in result.failures


def test_a_metadata_file_named_for_another_data_file_fails():
    result = screen(
        _text(EXAMPLE_DATA), _text(EXAMPLE_META), data_name="a.csv", meta_name="b.meta.csv"
    )
    assert "filenames_match" in result.failures


# --- eesyscreener's integration folders -------------------------------------------------

# Files in tests/testthat/fail that this port passes, each for a rule it does
# not port (ADR 0010 lists them and why).
NOT_PORTED = {
    "data_empty_cols.csv": "regional rows checked against DfE's region lookup",
    "data_to_meta_crosscheck.csv": "regional and LA rows checked against DfE's lookups",
    "duplicate_variable_names.csv": "regional and LA rows checked against DfE's lookups",
    "eda_combinations.csv": "English devolved areas checked against DfE's lookup",
    "ethnicity_characteristics_filter_wrong_group_and_values.csv": "the data dictionary",
    "ignored_rows.csv": "regional, LA and LEP rows checked against DfE's lookups",
    "indicator_dp_completed.csv": "regional and LA rows checked against DfE's lookups",
    "la_combinations.csv": "local authorities checked against DfE's lookup",
    "lsip_combinations.csv": "LSIP areas checked against DfE's lookup",
    "no_data_symbols.csv": "regional and LA rows checked against DfE's lookups",
    "non_standard_headers.csv": "the data dictionary's harmonised variable names",
    "region_combinations.csv": "regions checked against DfE's lookup",
    "region_for_la.csv": "regional and LA rows checked against DfE's lookups",
    "region_for_lad.csv": "regional and LAD rows checked against DfE's lookups",
    "total.csv": "regional and LA rows checked against DfE's lookups",
    "ward_combinations.csv": "wards checked against DfE's lookup",
}


def _cases(folder):
    if not CASES.is_dir():
        return []
    return sorted(
        p.name for p in (CASES / folder).glob("*.csv") if not p.name.endswith(".meta.csv")
    )


def _screen_case(folder, name):
    data = CASES / folder / name
    meta = data.with_name(name.removesuffix(".csv") + ".meta.csv")
    return screen(
        data.read_bytes(),
        meta.read_bytes() if meta.exists() else None,
        data_name=name,
        strict=False,
    )


needs_checkout = pytest.mark.skipif(
    not CASES.is_dir(), reason=f"no eesyscreener checkout at {EESYSCREENER} (EESYSCREENER_DIR)"
)


@needs_checkout
def test_the_integration_folders_are_there():
    assert len(_cases("pass")) >= 30
    assert len(_cases("fail")) >= 80


@needs_checkout
@pytest.mark.parametrize("name", _cases("pass") + _cases("pass-warn-api"))
def test_every_file_eesyscreener_passes_passes(name):
    folder = "pass" if (CASES / "pass" / name).exists() else "pass-warn-api"
    result = _screen_case(folder, name)
    assert result.passed, result


@needs_checkout
@pytest.mark.parametrize("name", [n for n in _cases("fail") if n not in NOT_PORTED])
def test_every_file_eesyscreener_fails_fails(name):
    result = _screen_case("fail", name)
    assert not result.passed


@needs_checkout
@pytest.mark.parametrize("name", sorted(NOT_PORTED))
def test_the_not_ported_list_is_exact(name):
    """A file listed as failing only for a rule not ported must pass here:
    once a rule is ported, its files leave the list."""
    assert name in _cases("fail")
    assert _screen_case("fail", name).passed
