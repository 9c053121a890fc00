"""A port of DfE's EES data screener (dfe-analytical-services/eesyscreener, R)
for the suite: the rules that apply to a data file and its metadata file.

It reads the files as text, every cell a string, as eesyscreener does, and
knows nothing of core.ees: it judges the bytes a user downloads. Checks keep
eesyscreener's names and run in its stages; as there, a stage with a failure
stops the screening. Which rules are ported, which are not and why, and where
this port is stricter than the original: docs/adr/0010-ees-open-data.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

PASS, WARNING, FAIL = "PASS", "WARNING", "FAIL"

REQ_META_COLS = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)
OPTIONAL_META_COLS = ("filter_default", "parent_filter")
REQ_DATA_COLS = (
    "geographic_level",
    "time_period",
    "time_identifier",
    "country_code",
    "country_name",
)

# eesyscreener's geography_df: level, code field, name field, secondary code.
GEOGRAPHY = (
    ("National", "country_code", "country_name", None),
    ("Regional", "region_code", "region_name", None),
    ("Local authority", "new_la_code", "la_name", "old_la_code"),
    ("Local authority district", "lad_code", "lad_name", None),
    ("RSC region", None, "rsc_region_lead_name", None),
    ("Parliamentary constituency", "pcon_code", "pcon_name", None),
    ("Local skills improvement plan area", "lsip_code", "lsip_name", None),
    (
        "Local enterprise partnership",
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        None,
    ),
    ("English devolved area", "english_devolved_area_code", "english_devolved_area_name", None),
    ("Opportunity area", "opportunity_area_code", "opportunity_area_name", None),
    ("Ward", "ward_code", "ward_name", None),
    ("MAT", "trust_id", "trust_name", None),
    ("Sponsor", "sponsor_id", "sponsor_name", None),
    ("School", "school_urn", "school_name", "school_laestab"),
    ("Provider", "provider_ukprn", "provider_name", None),
    ("Institution", "institution_id", "institution_name", None),
    ("Planning area", "planning_area_code", "planning_area_name", None),
    ("Police force area", "pfa_code", "pfa_name", None),
)
LEVELS = {level: (code, name, secondary) for level, code, name, secondary in GEOGRAPHY}
GEOGRAPHY_COLUMNS = tuple(
    c for _, code, name, secondary in GEOGRAPHY for c in (code, name, secondary) if c
)
OB_UNITS = ("time_period", "time_identifier", "geographic_level", *GEOGRAPHY_COLUMNS)
POTENTIAL_OB_UNITS = re.compile(
    r"(^(country|sch|prov|inst|estab|reg|la|local|rsc|pfa|pcon|lep|mca|oa|ward|mat)"
    r".*(name|code|urn|ukprn|number|upin|id)$)"
    r"|(^(laestab|estab|sch|school|schools|prov|provider|providers|inst|institution|"
    r"institutions|name|code|urn|ukprn|number|upin|id|region|la|lad|rsc|pcon|lep|mca|oa|"
    r"ward|mat)$)",
    re.IGNORECASE,
)
LOW_LEVELS = ("School", "Provider", "Institution")
COMPATIBLE_LEVELS = {
    "Regional": (
        "Regional",
        "Local skills improvement plan area",
        "Local authority",
        "Local enterprise partnership",
        "Opportunity area",
        "Local authority district",
        "Parliamentary constituency",
        "English devolved area",
        "Ward",
        *LOW_LEVELS,
        "Planning area",
        "Police force area",
    ),
    "Local authority": (
        "Local authority",
        "Parliamentary constituency",
        "Local authority district",
        "Ward",
        *LOW_LEVELS,
        "Planning area",
        "Police force area",
    ),
    "Local authority district": (
        "Local authority district",
        "Ward",
        *LOW_LEVELS,
        "Police force area",
    ),
    "Local skills improvement plan area": (
        "Local skills improvement plan area",
        "Local authority district",
        *LOW_LEVELS,
        "Planning area",
    ),
    "RSC region": ("RSC region", *LOW_LEVELS),
    "Parliamentary constituency": ("Parliamentary constituency", *LOW_LEVELS),
    "Local enterprise partnership": ("Local enterprise partnership", *LOW_LEVELS),
    "English devolved area": ("English devolved area", *LOW_LEVELS),
    "Opportunity area": ("Opportunity area", *LOW_LEVELS),
    "Ward": ("Ward", *LOW_LEVELS),
    "MAT": ("MAT", *LOW_LEVELS),
    "Sponsor": ("Sponsor", *LOW_LEVELS),
    "Planning area": ("Planning area", *LOW_LEVELS),
    "Police force area": ("Police force area", *LOW_LEVELS),
    "School": ("School",),
    "Provider": ("Provider",),
    "Institution": ("Institution",),
}
# The countries of eesyscreener's lookup (data/country.csv) and its universal
# options ("x" not available, "z" not applicable).
COUNTRIES = {
    ("E92000001", "England"),
    ("K02000001", "United Kingdom"),
    ("K03000001", "Great Britain"),
    ("K04000001", "England and Wales"),
    ("N92000002", "Northern Ireland"),
    ("S92000003", "Scotland"),
    ("W92000004", "Wales"),
    ("z", "Not applicable"),
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
TERMS = ("Spring term", "Autumn term", "Summer term")
WEEKS = tuple(f"Week {n}" for n in range(1, 53))
FINANCIAL_QUARTERS = tuple(f"Financial year Q{n}" for n in range(1, 5))
FINANCIAL_HALVES = ("Part 1 (April to September)", "Part 2 (October to March)")
TIME_ID_GROUPS = (
    ("Autumn and spring term",),
    ("Calendar year",),
    ("Financial year",),
    ("Academic year",),
    ("Tax year",),
    ("Reporting year",),
    TERMS,
    WEEKS,
    MONTHS,
    FINANCIAL_QUARTERS,
    FINANCIAL_HALVES,
)
FOUR_DIGIT_IDS = ("Calendar year", "Reporting year", *WEEKS, *MONTHS)
SIX_DIGIT_IDS = (
    "Autumn and spring term",
    *TERMS,
    "Financial year",
    "Academic year",
    "Tax year",
    *FINANCIAL_QUARTERS,
    *FINANCIAL_HALVES,
)
INDICATOR_UNITS = ("%", "pp", "£", "£m", "numberstring")
GSS_SYMBOLS = ("x", "z", "c", "low")
LEGACY_SYMBOLS = ("~", ":")
NULL_SYMBOLS = ("NULL", "Null", "null", "NA", "na")
LEGACY_NO_DATA = ("N/A", "n/a", ".", "..", "-")
SMUSHED = (
    "male",
    "female",
    "asian",
    "chinese",
    "indian",
    "pakistani",
    "bangladeshi",
    "black",
    "african",
    "caribbean",
    "white",
    "roma",
    "irish",
    "english",
    "british",
    "scottish",
    "welsh",
    "northern irish",
    "arab",
)
TOTAL_VALUES = ("Total", "total", "All", "all")
FILTER_ITEM_LIMIT = 25000
LOCATION_CODE_LIMIT = 30
# A number as EES's importer reads one: optional minus, digits, optional
# decimals (no thousands separators, no apostrophe, no "+").
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class Result:
    check: str
    result: str
    message: str = ""


@dataclass
class Screening:
    results: list[Result] = field(default_factory=list)

    @property
    def failures(self) -> dict[str, str]:
        return {r.check: r.message for r in self.results if r.result == FAIL}

    @property
    def warnings(self) -> dict[str, str]:
        return {r.check: r.message for r in self.results if r.result == WARNING}

    @property
    def passed(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        return "\n".join(
            f"{r.result} {r.check}: {r.message}" for r in self.results if r.result != PASS
        )


class Table:
    """A CSV read as eesyscreener reads it: every cell a string."""

    def __init__(self, text: str):
        text = text.removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        self.columns = rows[0] if rows else []
        width = len(self.columns)
        self.rows = [
            dict(zip(self.columns, row + [""] * (width - len(row)), strict=False))
            for row in rows[1:]
            if row
        ]

    def values(self, column, rows=None):
        return [row.get(column, "") for row in (self.rows if rows is None else rows)]

    def distinct(self, column, rows=None):
        return list(dict.fromkeys(self.values(column, rows)))


def _blank(value) -> bool:
    return value is None or value.strip() == "" or value == "NA"


def _text(content: bytes | str | None, name: str, results: list) -> str | None:
    if content is None or isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        results.append(Result("file_read", FAIL, f"{name} is not UTF-8: {error}"))
        return None


def screen(
    data: bytes | str,
    meta: bytes | str | None,
    *,
    data_name: str = "data.csv",
    meta_name: str | None = None,
    strict: bool = True,
) -> Screening:
    """Screen a data file and its metadata file.

    ``strict`` adds the rules this service holds its own files to beyond
    eesyscreener (ADR 0010): every filter has a Total (or a declared default),
    every indicator cell is a number or a symbol, location codes are at most
    30 characters, School rows carry their LA (the analysts' guide's School
    columns); eesyscreener makes the first and third warnings and does not
    look at the second or the fourth.
    """
    if meta_name is None:
        meta_name = data_name.removesuffix(".csv") + ".meta.csv"
    screening = Screening()
    results = screening.results
    meta_missing = meta is None
    data_text, meta_text = _text(data, data_name, results), _text(meta, meta_name, results)
    if results:
        return screening
    stages = [lambda: _filenames(data_name, meta_name, meta_missing)]
    if not meta_missing:
        data, meta = Table(data_text), Table(meta_text)
        stages += [
            lambda: _precheck_columns(data, meta),
            lambda: _precheck_cross(data, meta),
            lambda: _check_columns(data, meta),
            lambda: _precheck_meta(meta),
            lambda: _check_meta(data, meta),
            lambda: _precheck_time(data),
            lambda: _precheck_filters(data, meta),
            lambda: _precheck_geography(data),
            lambda: _check_time(data),
            lambda: _check_filters(data, meta, strict),
            lambda: _check_geography(data, meta, strict),
            lambda: _check_general(data, meta),
            lambda: _check_indicators(data, meta, strict),
        ]
    for stage in stages:
        stage_results = stage()
        results.extend(stage_results)
        if any(r.result == FAIL for r in stage_results):
            break
    return screening


def _result(check, problems, message, result=FAIL):
    if problems:
        shown = ", ".join(f"'{p}'" for p in problems)
        return Result(check, result, f"{message}: {shown}")
    return Result(check, PASS)


# --- file names -----------------------------------------------------------------------


def _filenames(data_name, meta_name, meta_missing):
    results = []
    for name in (data_name, meta_name):
        results.append(_result("filename_spaces", [name] if " " in name else [], "spaces in"))
        stem = re.sub(r"\.meta$", "", name.rsplit(".", 1)[0])
        special = sorted(set(re.sub(r"[A-Za-z0-9]|-|_|\s", "", stem)))
        results.append(_result("filename_special", special, f"special characters in {name}"))
    if meta_missing:
        results.append(Result("meta_file_present", FAIL, f"{data_name} has no metadata file"))
    expected = data_name.replace(".csv", ".meta.csv", 1)
    results.append(
        _result("filenames_match", [] if meta_name == expected else [expected], "expected")
    )
    return results


# --- prechecks ------------------------------------------------------------------------


def _precheck_columns(data, meta):
    missing_meta = [c for c in REQ_META_COLS if c not in meta.columns]
    invalid_meta = [c for c in meta.columns if c not in REQ_META_COLS + OPTIONAL_META_COLS]
    missing_data = [c for c in REQ_DATA_COLS if c not in data.columns]
    results = [
        _result("col_req_meta", missing_meta, "required metadata columns missing"),
        _result("col_invalid_meta", invalid_meta, "invalid metadata columns"),
        _result("col_req_data", missing_data, "required data columns missing"),
    ]
    non_mandatory = len(data.columns) - 5
    results.append(
        Result(
            "col_to_rows",
            FAIL if non_mandatory < len(meta.rows) else PASS,
            f"{len(meta.rows)} metadata rows, {non_mandatory} non-mandatory data columns",
        )
    )
    return results


def _filters(meta, groups=False):
    names = [r["col_name"] for r in meta.rows if r.get("col_type") == "Filter"]
    if groups:
        names += _filter_groups(meta)
    return names


def _filter_groups(meta):
    return [
        r["filter_grouping_column"]
        for r in meta.rows
        if not _blank(r.get("filter_grouping_column"))
    ]


def _indicators(meta):
    return [r["col_name"] for r in meta.rows if r.get("col_type") == "Indicator"]


def _meta_cols(meta, grouping=False, exclude_indicators=False):
    rows = [r for r in meta.rows if not (exclude_indicators and r.get("col_type") == "Indicator")]
    cols = [r["col_name"] for r in rows]
    if grouping:
        cols += [r.get("filter_grouping_column", "") for r in rows]
    return list(dict.fromkeys(c for c in cols if not _blank(c)))


def _precheck_cross(data, meta):
    missing = [c for c in _filters(meta, groups=True) if c not in data.columns]
    single = {c for c in data.columns if len(data.distinct(c)) == 1}
    in_meta = set(_meta_cols(meta, grouping=True))
    not_in_meta = [
        c for c in data.columns if c not in OB_UNITS and c not in single and c not in in_meta
    ]
    return [
        _result("cross_meta_to_data", missing, "metadata variables not in the data file"),
        _result("cross_data_to_meta", not_in_meta, "data variables not in the metadata", WARNING),
    ]


def _check_columns(data, meta):
    with_spaces = [c for c in data.columns if re.search(r"\s", c)]
    invalid_chars = sorted(set(re.sub(r"[a-z0-9]|_", "", "".join(data.columns))))
    bad_start = [c for c in data.columns if not re.match(r"^[a-z]", c)]
    smushed = [c for c in _indicators(meta) if re.search("|".join(SMUSHED), c, re.IGNORECASE)]
    characteristic = {"characteristic", "characteristic_group"} & (
        set(_meta_cols(meta)) | set(_filter_groups(meta))
    )
    return [
        _result("col_names_spaces", with_spaces, "variable names with spaces"),
        _result("col_snake_case", invalid_chars, "not snake_case", WARNING),
        _result("col_var_start", bad_start, "not starting with a lowercase letter", WARNING),
        _result("col_ind_smushed", smushed, "indicators holding filter values"),
        _result(
            "col_var_characteristic", sorted(characteristic), "not for the table tool", WARNING
        ),
    ]


def _precheck_meta(meta):
    types = [t for t in dict.fromkeys(meta.values("col_type")) if t not in ("Filter", "Indicator")]
    ob_units = [
        c
        for c in OB_UNITS
        if c not in ("school_name", "provider_name") and c in _meta_cols(meta, grouping=True)
    ]
    blank_names = [str(i + 1) for i, r in enumerate(meta.rows) if _blank(r.get("col_name"))]
    return [
        _result("meta_col_type", types, "invalid col_type values"),
        _result("meta_ob_unit", ob_units, "observational units in the metadata"),
        _result("meta_col_name", blank_names, "metadata rows without a col_name"),
    ]


def _dp_problem(value):
    if _blank(value):
        return False
    try:
        number = float(value)
    except ValueError:
        return True
    return number < 0 or number != int(number)


def _check_meta(data, meta):
    labels = meta.values("label")
    groups = _filter_groups(meta)
    filter_rows = [r for r in meta.rows if r.get("col_type") == "Filter"]
    indicator_rows = [r for r in meta.rows if r.get("col_type") == "Indicator"]
    stripped = [
        g
        for g in groups
        if g in data.columns
        and len(data.distinct(g)) != len({re.sub(r"[^0-9A-Za-z]", "", v) for v in data.distinct(g)})
    ]
    filters_and_groups = _filters(meta) + groups
    if len(_filters(meta)) == 1 and (
        _filters(meta)[0] in ("school_name", "provider_name")
        or (groups and groups[0] in ("school_name", "provider_name"))
    ):
        filters_and_groups = [
            f for f in filters_and_groups if f not in ("school_name", "provider_name")
        ]
    units = [
        r["indicator_unit"]
        for r in indicator_rows
        if not _blank(r.get("indicator_unit")) and r["indicator_unit"] not in INDICATOR_UNITS
    ]
    return [
        _result(
            "meta_dupe_label", [k for k, n in Counter(labels).items() if n > 1], "duplicate labels"
        ),
        _result(
            "meta_fil_grp",
            [r["col_name"] for r in indicator_rows if not _blank(r.get("filter_grouping_column"))],
            "indicators with a filter_grouping_column",
        ),
        _result(
            "meta_fil_grp_dupe",
            [k for k, n in Counter(groups).items() if n > 1],
            "duplicate filter groups",
        ),
        _result(
            "meta_fil_grp_is_fil",
            [g for g in groups if g not in meta.values("col_name")],
            "filter groups not in col_name",
            WARNING,
        ),
        _result(
            "meta_fil_grp_match",
            [g for g in groups if g not in data.columns],
            "filter groups not in the data",
        ),
        _result("meta_fil_grp_stripped", stripped, "filter groups that merge when stripped"),
        _result(
            "meta_label",
            [str(i + 1) for i, r in enumerate(meta.rows) if _blank(r.get("label"))],
            "rows without a label",
        ),
        _result(
            "meta_filter_hint",
            [r["col_name"] for r in indicator_rows if not _blank(r.get("filter_hint"))],
            "indicators with a filter_hint",
        ),
        _result(
            "meta_geog_catch",
            [f for f in filters_and_groups if POTENTIAL_OB_UNITS.search(f)],
            "filters that look like geography columns",
        ),
        _result(
            "meta_indicator_dp",
            [r["col_name"] for r in filter_rows if not _blank(r.get("indicator_dp"))],
            "filters with an indicator_dp",
        ),
        _result(
            "meta_col_name_spaces",
            [c for c in meta.values("col_name") if re.search(r"\s", c)],
            "col_name values with spaces",
        ),
        _result(
            "meta_col_name_dupe",
            [k for k, n in Counter(meta.values("col_name")).items() if n > 1],
            "duplicate col_name values",
        ),
        _result(
            "meta_ind_dp_set",
            [r["col_name"] for r in indicator_rows if _blank(r.get("indicator_dp"))],
            "indicators without indicator_dp",
            WARNING,
        ),
        _result(
            "meta_ind_dp_values",
            [r["col_name"] for r in meta.rows if _dp_problem(r.get("indicator_dp"))],
            "indicator_dp must be blank, zero or a positive integer",
        ),
        _result(
            "meta_ind_unit",
            [r["label"] for r in filter_rows if not _blank(r.get("indicator_unit"))],
            "filters with an indicator_unit",
        ),
        _result("meta_ind_unit_validation", sorted(set(units)), "invalid indicator units"),
        _result(
            "meta_indicator_grouping",
            [r["col_name"] for r in filter_rows if not _blank(r.get("indicator_grouping"))],
            "filters with an indicator_grouping",
        ),
    ]


def _precheck_time(data):
    periods = data.distinct("time_period")
    identifiers = data.distinct("time_identifier")
    valid = {i for group in TIME_ID_GROUPS for i in group}
    base = next((g for g in TIME_ID_GROUPS if identifiers and identifiers[0] in g), ())
    return [
        _result(
            "time_period_num",
            [p for p in periods if not re.fullmatch(r"\d{4}(\d{2})?", p)],
            "time_period must be a 4 or 6 digit number",
        ),
        _result(
            "time_id_valid",
            [i for i in identifiers if i not in valid],
            "invalid time_identifier values",
        ),
        _result(
            "time_id_mix",
            [i for i in identifiers if i not in base],
            f"time identifiers that cannot be mixed with '{identifiers[0] if identifiers else ''}'",
        ),
    ]


def _precheck_filters(data, meta):
    singular = [f for f in _filters(meta) if len(data.distinct(f)) < 2]
    return [_result("filter_not_singular", singular, "filters with fewer than two levels")]


def _precheck_geography(data):
    levels = data.distinct("geographic_level")
    invalid = [level for level in levels if level not in LEVELS]
    missing = []
    if not all(level == "National" for level in levels):
        for level in levels:
            if level in LEVELS and level != "Planning area":
                missing += [c for c in LEVELS[level] if c and c not in data.columns]
    return [
        _result("geog_level", invalid, "invalid geographic levels"),
        _result("geog_level_present", list(dict.fromkeys(missing)), "geography columns missing"),
    ]


def _check_time(data):
    identifiers = data.distinct("time_identifier")
    periods = data.distinct("time_period")
    base = identifiers[0] if identifiers else ""
    problems = []
    if base in FOUR_DIGIT_IDS and any(len(p) != 4 for p in periods):
        problems.append(f"{base} needs four digits")
    if base in SIX_DIGIT_IDS and any(len(p) != 6 for p in periods):
        problems.append(f"{base} needs six digits")

    def consecutive(period):
        this, following = int(period[2:4]), int(period[4:6])
        return (this == 99 and following == 0) or this + 1 == following

    not_consecutive = [p for p in periods if len(p) == 6 and p.isdigit() and not consecutive(p)]
    return [
        _result("time_period", problems, "time_period length does not match"),
        _result("time_period_six", not_consecutive, "six digit periods must be consecutive years"),
    ]


def _check_filters(data, meta, strict):
    filters = _filters(meta)
    groups = _filter_groups(meta)
    defaults = {}
    for row in meta.rows:
        if row.get("col_type") == "Filter":
            default = row.get("filter_default", "")
            defaults[row["col_name"]] = default if not _blank(default) else "Total"
    for group in groups:
        defaults.setdefault(group, "Total")
    no_default = [c for c, d in defaults.items() if c in data.columns and d not in data.distinct(c)]
    group_pairs = [
        (r["col_name"], r["filter_grouping_column"])
        for r in meta.rows
        if r.get("col_type") == "Filter" and not _blank(r.get("filter_grouping_column"))
    ]
    group_level = [g for f, g in group_pairs if len(data.distinct(f)) < len(data.distinct(g))]
    too_many = [
        c
        for c in _meta_cols(meta, grouping=True, exclude_indicators=True)
        if len(data.distinct(c)) > FILTER_ITEM_LIMIT
    ]
    geography = [c for c in GEOGRAPHY_COLUMNS if c in data.columns]
    whitespace = [
        v
        for c in list(dict.fromkeys(filters + geography))
        for v in data.distinct(c)
        if v != v.strip()
    ]
    ob_cols = [
        c
        for c in data.columns
        if (c in OB_UNITS and c not in ("school_name", "provider_name"))
        or POTENTIAL_OB_UNITS.search(c)
    ]
    if len(filters) == 1 and (
        filters[0] in ("school_name", "provider_name")
        or (groups and groups[0] in ("school_name", "provider_name"))
    ):
        ob_cols = [c for c in ob_cols if c not in ("school_name", "provider_name")]
    ob_total = [c for c in dict.fromkeys(ob_cols) if set(TOTAL_VALUES) & set(data.distinct(c))]
    blanks = [c for c in dict.fromkeys(filters + groups) if any(_blank(v) for v in data.values(c))]
    return [
        _result(
            "filter_defaults",
            no_default,
            "filters without a Total or default",
            FAIL if strict else WARNING,
        ),
        _result(
            "filter_group_level", group_level, "filter groups with more levels than their filter"
        ),
        _result("filter_item_limit", too_many, "filters with too many items"),
        _result("filter_whitespace", whitespace, "leading or trailing whitespace"),
        _result("filter_ob_total", ob_total, "Total or All in observational unit columns"),
        _result("filter_blanks", blanks, "blank filter cells"),
    ]


def _rows_at(data, level):
    return [row for row in data.rows if row["geographic_level"] == level]


def _check_geography(data, meta, strict):
    levels = data.distinct("geographic_level")
    results = []
    if {"country_code", "country_name"} <= set(data.columns):
        invalid = sorted(
            {
                f"{row['country_code']} {row['country_name']}"
                for row in data.rows
                if row["country_code"] != "x"
                and (row["country_code"], row["country_name"]) not in COUNTRIES
            }
        )
        results.append(_result("geog_country_combos", invalid, "invalid country combinations"))

    incomplete = []
    for level in levels:
        if level not in LEVELS or level == "Planning area":
            continue
        code, name, secondary = LEVELS[level]
        if code == "new_la_code":
            code = None
        rows = _rows_at(data, level)
        for column in (code, name, secondary):
            if (
                column
                and column in data.columns
                and any(_blank(v) for v in data.values(column, rows))
            ):
                incomplete.append(column)
    results.append(_result("geog_level_completed", incomplete, "incomplete geography columns"))

    table_tool = [
        r for r in data.rows if r["geographic_level"] not in ("Institution", "Planning area")
    ]
    if data.rows and not table_tool:
        results.append(Result("geog_ignored_rows", FAIL, "only Institution or Planning area rows"))
    elif {"School", "Provider"} <= set(levels):
        results.append(Result("geog_ignored_rows", FAIL, "School and Provider data mixed"))

    for check, by_name in (("geog_other_dupes", True), ("geog_other_code_dupes", False)):
        problems = []
        for level in ("Opportunity area", "MAT", "Sponsor"):
            code, name, _ = LEVELS[level]
            if level not in levels or not {code, name} <= set(data.columns):
                continue
            pairs = {
                (row[code], row[name]) for row in _rows_at(data, level) if not _blank(row[code])
            }
            key = Counter(n if by_name else c for c, n in pairs)
            problems += [f"{k} - {n}" for k, n in key.items() if n > 1]
        results.append(_result(check, problems, "locations with several codes or names"))

    for check, level in (
        ("geog_la_col_present", "Local authority"),
        ("geog_region_col_present", "Regional"),
    ):
        columns = [c for c in LEVELS[level] if c]
        present = [c for c in columns if c in data.columns]
        missing = [c for c in columns if c not in data.columns] if present else []
        results.append(_result(check, missing, f"{level.lower()} columns missing"))

    na_levels, na_code_levels = [], []
    for level in levels:
        if level not in (
            "MAT",
            "Sponsor",
            "School",
            "Provider",
            "Opportunity area",
            "Police force area",
        ):
            continue
        code, name, _ = LEVELS[level]
        if not {code, name} <= set(data.columns):
            continue
        rows = _rows_at(data, level)
        if any(r[code] == "x" and r[name] != "Not available" for r in rows):
            na_levels.append(level)
        if any(r[name] == "Not available" and r[code] != "x" for r in rows):
            na_code_levels.append(level)
    results.append(_result("geog_na", na_levels, "code 'x' without the name 'Not available'"))
    results.append(_result("geog_na_code", na_code_levels, "'Not available' without the code 'x'"))

    filters = _filters(meta)
    groups = _filter_groups(meta)
    overcomplete = []
    for level, code, name, secondary in GEOGRAPHY:
        if level == "National" or level not in COMPATIBLE_LEVELS:
            continue
        columns = [c for c in (code, name, secondary) if c and c in data.columns]
        if (
            level in ("School", "Provider")
            and len(filters) == 1
            and (name in filters or name in groups)
        ):
            columns = [c for c in columns if c != name]
        incompatible = [lv for lv in levels if lv not in COMPATIBLE_LEVELS[level]]
        rows = [r for r in data.rows if r["geographic_level"] in incompatible]
        overcomplete += [c for c in columns if any(not _blank(r[c]) for r in rows)]
    results.append(
        _result(
            "geog_overcompleted_cols",
            list(dict.fromkeys(overcomplete)),
            "geography columns filled for other levels",
        )
    )

    if strict and "School" in levels:
        # Not in eesyscreener: the analysts' guide's columns for School rows
        # are school_name, school_urn, school_laestab, old_la_code,
        # new_la_code and la_name, "so that users can see [the LA] when
        # searching"; a GSS code GIAS did not give is "x".
        la_columns = [c for c in LEVELS["Local authority"] if c]
        school_rows = _rows_at(data, "School")
        missing = [
            c
            for c in la_columns
            if c not in data.columns or any(_blank(v) for v in data.values(c, school_rows))
        ]
        results.append(_result("geog_school_la_cols", missing, "School rows without their LA"))

    code_columns = [c for _, c, _, s in GEOGRAPHY for c in (c, s) if c and c in data.columns]
    long_codes = sorted(
        {v for c in code_columns for v in data.values(c) if len(v) > LOCATION_CODE_LIMIT}
    )
    results.append(
        _result(
            "api_char_loc_code",
            long_codes,
            "location codes over 30 characters",
            FAIL if strict else WARNING,
        )
    )
    return results


def _check_general(data, meta):
    check_cols = [
        c for c in dict.fromkeys(list(OB_UNITS) + _filters(meta, groups=True)) if c in data.columns
    ]
    levels = data.distinct("geographic_level")
    if len(levels) == 1 and levels[0] in ("School", "Provider"):
        excluded = ("Institution", "Planning area")
    else:
        excluded = ("School", "Provider", "Institution", "Planning area")
    keys = [
        tuple(r[c] for c in check_cols) for r in data.rows if r["geographic_level"] not in excluded
    ]
    dupes = len(keys) - len(set(keys))
    results = [
        Result("general_dupes", FAIL if dupes else PASS, f"{dupes} duplicate rows" if dupes else "")
    ]
    cells = {v for r in data.rows for v in r.values()}
    meta_cells = {v for r in meta.rows for v in r.values()}
    nulls = sorted((cells | meta_cells) & set(NULL_SYMBOLS))
    legacy = sorted(cells & set(LEGACY_NO_DATA))
    if nulls:
        results.append(_result("general_null", nulls, "null or NA symbols"))
    elif legacy:
        results.append(_result("general_null", legacy, "legacy no-data symbols", WARNING))
    else:
        results.append(Result("general_null", PASS))
    return results


def _check_indicators(data, meta, strict):
    indicators = [c for c in _indicators(meta) if c in data.columns]
    invalid = [
        c for c in indicators if any(v.strip() == "" or v in LEGACY_SYMBOLS for v in data.values(c))
    ]
    results = [_result("ind_invalid_entry", invalid, "indicators with blanks or legacy symbols")]
    if strict:
        text = sorted(
            {
                f"{c}={v}"
                for c in indicators
                for v in data.values(c)
                if v.strip()
                and v not in GSS_SYMBOLS
                and v not in LEGACY_SYMBOLS
                and not NUMBER.fullmatch(v)
            }
        )
        results.append(
            _result("ind_numeric", text, "indicator cells that are neither a number nor a symbol")
        )
    return results
