"""Comparator series from Explore Education Statistics (EES) tidy CSV files
(issue 15 item 2, ADR 0018).

Three steps over the same text, read through core.imports:

1. `ees_file_read` reads a data file (and its `.meta.csv`, if given) and
   checks it as EES defines one: time and geography columns, every filter
   cell filled, every indicator cell a number or a symbol, every
   `time_period` readable for its `time_identifier`. Every bad line is named
   with its column; nothing is written.
2. `comparator_import_preview` applies a `Selection` (indicator column,
   one value of each filter, geographic level, locations, time periods) and
   says which series it would create or update and with which figures.
3. `comparator_import_apply` writes it all or nothing, records every changed
   figure as a `ComparatorRevision` and every indicator status the
   revisions change as a `ComparatorStatusChange`.

Who may import what is `allowed_locations`: DfE staff and administrators any
level; an area lead local authorities of their own area only.
"""

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from core.imports import (
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    UploadFormat,
    csv_records,
    header_key,
    number_cell,
    upload_text,
)
from core.roles import Role

from . import selectors
from .imports import ChangeCounts, CsvImportError, RowChange
from .models import (
    COMPARATOR_SYMBOLS,
    ComparatorImport,
    ComparatorRevision,
    ComparatorSeries,
    ComparatorStatusChange,
    ComparatorValue,
    Unit,
)

EES_IMPORT_MAX_BYTES = 20 * 1024 * 1024
EES_UPLOAD_FORMAT = UploadFormat(max_bytes=EES_IMPORT_MAX_BYTES, subject="The data file")
META_UPLOAD_FORMAT = UploadFormat(max_bytes=1024 * 1024, subject="The metadata file")

EES_SYMBOLS = COMPARATOR_SYMBOLS

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
# The levels the import reads, with the columns giving a location's code
# (first one present) and name.
LEVELS = {
    NATIONAL: (("country_code",), "country_name"),
    REGIONAL: (("region_code",), "region_name"),
    LOCAL_AUTHORITY: (("new_la_code", "old_la_code"), "la_name"),
}
# Geography columns of any EES level: never a filter or an indicator.
GEOGRAPHY_COLUMNS = frozenset(
    {
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "old_la_code",
        "new_la_code",
        "la_name",
        "lad_code",
        "lad_name",
        "pcon_code",
        "pcon_name",
        "ward_code",
        "ward_name",
        "lsip_code",
        "lsip_name",
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        "english_devolved_area_code",
        "english_devolved_area_name",
        "opportunity_area_code",
        "opportunity_area_name",
        "mat_id",
        "mat_name",
        "trust_id",
        "trust_name",
        "sponsor_id",
        "sponsor_name",
        "school_urn",
        "school_laestab",
        "school_name",
        "provider_ukprn",
        "provider_name",
        "institution_id",
        "institution_name",
        "planning_area_code",
        "planning_area_name",
        "rsc_region_lead_name",
        "pfa_code",
        "pfa_name",
    }
)
TIME_AND_LEVEL = ("time_period", "time_identifier", "geographic_level")


# --- Time periods ----------------------------------------------------------

_SIX_DIGITS = re.compile(r"(\d{4})(\d{2})", re.ASCII)
_FOUR_DIGITS = re.compile(r"\d{4}", re.ASCII)


def _two_years(period: str) -> int:
    """The first year of a six-digit span like 201819; ValueError if not one."""
    match = _SIX_DIGITS.fullmatch(period)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError("must be six digits naming two years in a row, like 201819")
    return int(match[1])


def _one_year(period: str) -> int:
    if not _FOUR_DIGITS.fullmatch(period):
        raise ValueError("must be four digits, like 2019")
    return int(period)


# time_identifier -> (how time_period is read, the date a period maps to).
# The rule (ADR 0018): a period is dated on its last day, as measurements
# are ("the date or end of the period the value is for"), so a comparator
# figure and the area's figure for the same year fall on the same date.
TIME_IDENTIFIERS = {
    "Academic year": (_two_years, lambda y: date(y + 1, 8, 31)),
    "Financial year": (_two_years, lambda y: date(y + 1, 3, 31)),
    "Tax year": (_two_years, lambda y: date(y + 1, 4, 5)),
    "Calendar year": (_one_year, lambda y: date(y, 12, 31)),
    "Autumn term": (_two_years, lambda y: date(y, 12, 31)),
    "Autumn and spring term": (_two_years, lambda y: date(y + 1, 3, 31)),
    "Spring term": (_two_years, lambda y: date(y + 1, 3, 31)),
    "Summer term": (_two_years, lambda y: date(y + 1, 7, 31)),
}
_TIME_IDENTIFIER_KEYS = {header_key(name): name for name in TIME_IDENTIFIERS}


def period_date(period: str, identifier: str) -> date:
    """The date an EES time period is mapped to (ADR 0018): 201819 Academic
    year is 31 August 2019; 201819 Financial year 31 March 2019; 2019
    Calendar year 31 December 2019. ValueError says why it cannot be."""
    name = _TIME_IDENTIFIER_KEYS.get(header_key(identifier))
    if name is None:
        raise ValueError(
            f"time_identifier '{identifier}' is not one this import dates. It can be: "
            + ", ".join(TIME_IDENTIFIERS)
        )
    read, last_day = TIME_IDENTIFIERS[name]
    try:
        return last_day(read(period.strip()))
    except ValueError as error:
        raise ValueError(f"time_period '{period}' for {name} {error}") from None


def time_identifier_name(identifier: str) -> str:
    return _TIME_IDENTIFIER_KEYS[header_key(identifier)]


# --- Reading the files -------------------------------------------------------

META_IMPORT = ImportSpec(
    name="ees-meta",
    upload_format=META_UPLOAD_FORMAT,
    columns=(
        Column("col_name", "col_name", required=True),
        Column("col_type", "col_type", required=True),
        Column("label", "label", required=True),
        Column("indicator_unit", "indicator_unit"),
        Column("indicator_dp", "indicator_dp"),
    ),
)


@dataclass
class EesColumn:
    name: str
    label: str
    unit: str = ""
    values: list[str] = field(default_factory=list)  # a filter's, in file order


@dataclass
class EesRow:
    line: int
    period: str
    identifier: str
    date: date
    level: str
    location_code: str
    location_name: str
    cells: dict[str, str]


@dataclass
class EesFile:
    """A checked EES data file: its filters and indicators, the levels,
    locations and periods it has, and its rows at the levels read."""

    filters: list[EesColumn]
    indicators: list[EesColumn]
    rows: list[EesRow]
    levels: dict[str, dict[str, str]]  # level -> {location code: name}
    periods: list[tuple[str, str]]  # (time_period, time_identifier), in order

    def indicator(self, name) -> EesColumn | None:
        return next((c for c in self.indicators if c.name == name), None)


def _meta_columns(meta_text: str) -> tuple[dict[str, EesColumn], dict[str, EesColumn]]:
    filters, indicators, errors = {}, {}, []

    def rule(cells):
        kind = cells["col_type"].casefold()
        name = cells["col_name"]
        if kind not in ("filter", "indicator"):
            return None, [
                LineError(
                    cells.line,
                    f"column 'col_type': '{cells['col_type']}' must be Filter or Indicator",
                )
            ]
        if not name:
            return None, [LineError(cells.line, "column 'col_name' is blank")]
        column = EesColumn(name, cells["label"] or name, cells["indicator_unit"])
        (filters if kind == "filter" else indicators)[name] = column
        return column, []

    read = META_IMPORT.read(meta_text, rule)
    META_IMPORT.check_header(read.positions)
    errors = read.errors
    if errors:
        raise CsvImportError([LineError(e.line, f"metadata file, {e.message}") for e in errors])
    return filters, indicators


def _is_indicator_cell(text: str) -> bool:
    if text.casefold() in EES_SYMBOLS:
        return True
    try:
        number_cell(text)
    except CellError:
        return False
    return True


def ees_file_read(data: bytes, meta: bytes | None = None) -> EesFile:
    """Read and check an EES data file. Raises CsvFileError for the file as
    a whole and CsvImportError listing every bad line (naming its column)."""
    text = upload_text(data, EES_UPLOAD_FORMAT)
    meta_text = upload_text(meta, META_UPLOAD_FORMAT) if meta else None
    return ees_text_read(text, meta_text)


def ees_text_read(text: str, meta_text: str | None = None) -> EesFile:
    header = next((r for r in csv_records(text) if not r.is_blank), None)
    if header is None:
        raise CsvFileError("The data file is empty")
    names = [cell.strip() for cell in header.cells]
    keys = [header_key(name).replace(" ", "_") for name in names]
    missing = [f"'{name}'" for name in TIME_AND_LEVEL if name not in keys]
    if missing:
        raise CsvFileError(
            f"The header is missing required {'column' if len(missing) == 1 else 'columns'}: "
            f"{', '.join(missing)}. Is this an EES data file (not its .meta.csv)?",
            line=1,
        )
    spec = ImportSpec(
        name="ees",
        upload_format=EES_UPLOAD_FORMAT,
        short_rows=False,
        columns=tuple(Column(key, name) for key, name in zip(keys, names, strict=True) if key),
    )
    others = [k for k in keys if k and k not in TIME_AND_LEVEL and k not in GEOGRAPHY_COLUMNS]
    if meta_text is not None:
        filters, indicators = _meta_columns(meta_text)
        unknown = [k for k in others if k not in filters and k not in indicators]
        if unknown:
            raise CsvFileError(
                f"Column '{unknown[0]}' of the data file is not in the metadata file, so "
                "it is unclear whether it is a filter or an indicator",
                line=1,
            )
        absent = [k for k in [*filters, *indicators] if k not in keys]
        if absent:
            raise CsvFileError(
                f"The metadata file names column '{absent[0]}', which the data file does not have"
            )
    read = spec.read(text, lambda cells: ((cells.line, cells.as_dict()), []))
    if not read.rows and not read.errors:
        raise CsvFileError("The data file has a header but no rows")
    records = read.rows
    if meta_text is None:
        # Without the metadata file: a column most of whose cells are
        # numbers or symbols is an indicator (its other cells are errors),
        # any other a filter (ADR 0018).
        indicators, filters = {}, {}
        for key in others:
            cells = [record[key] for _, record in records if record[key]]
            numeric = sum(1 for cell in cells if _is_indicator_cell(cell))
            target = indicators if cells and numeric * 2 > len(cells) else filters
            target[key] = EesColumn(key, names[keys.index(key)])
    if not indicators:
        raise CsvFileError("The data file has no indicator column (a column of numbers)")
    errors = list(read.errors)
    rows, levels, periods = [], {}, {}
    for line, cells in records:
        row_errors = []
        try:
            day = period_date(cells["time_period"], cells["time_identifier"])
        except ValueError as error:
            column = "time_identifier" if "time_identifier '" in str(error) else "time_period"
            row_errors.append(LineError(line, f"column '{column}': {error}"))
        for name in filters:
            if not cells.get(name):
                row_errors.append(
                    LineError(line, f"column '{name}' is blank (EES files have no blank cells)")
                )
        for name in indicators:
            cell = cells.get(name, "")
            if not cell:
                row_errors.append(
                    LineError(
                        line, f"column '{name}' is blank: write a number or a symbol such as x"
                    )
                )
            elif not _is_indicator_cell(cell):
                row_errors.append(
                    LineError(
                        line,
                        f"column '{name}': '{cell}' is not a number or an EES symbol "
                        f"({', '.join(sorted(EES_SYMBOLS))})",
                    )
                )
        level = header_key(cells["geographic_level"])
        level = next((name for name in LEVELS if header_key(name) == level), None)
        code = name = ""
        if level is not None:
            code_columns, name_column = LEVELS[level]
            code = next((cells[c] for c in code_columns if cells.get(c)), "")
            name = cells.get(name_column, "")
            if not code:
                row_errors.append(
                    LineError(line, f"column '{code_columns[0]}' is blank on a {level} row")
                )
        if row_errors:
            errors.extend(row_errors)
            continue
        for name_ in filters:
            if cells[name_] not in filters[name_].values:
                filters[name_].values.append(cells[name_])
        periods.setdefault(
            (cells["time_period"], time_identifier_name(cells["time_identifier"])), day
        )
        if level is None:
            continue
        levels.setdefault(level, {}).setdefault(code, name or code)
        rows.append(
            EesRow(
                line,
                cells["time_period"],
                time_identifier_name(cells["time_identifier"]),
                day,
                level,
                code,
                name or code,
                cells,
            )
        )
    if errors:
        raise CsvImportError(sorted(errors, key=lambda e: e.line))
    if not levels:
        raise CsvFileError(
            "The data file has no National, Regional or Local authority rows, the levels "
            "a comparator series can be made of"
        )
    return EesFile(
        filters=list(filters.values()),
        indicators=list(indicators.values()),
        rows=rows,
        levels={level: levels[level] for level in LEVELS if level in levels},
        periods=sorted(periods, key=lambda p: (periods[p], p[1])),
    )


# --- Who may import what ---------------------------------------------------------


def allowed_locations(*, user, area, ees_file: EesFile) -> dict[str, dict[str, str]]:
    """{level: {code: name}} of the file's locations the user may import:
    DfE staff and administrators any; an area lead the local authorities of
    their own area, matched by their old (3-digit) LA code (ADR 0018)."""
    if user.role in (Role.DFE_STAFF, Role.ADMINISTRATOR):
        return ees_file.levels
    if user.role != Role.AREA_LEAD or user.area_id != area.pk:
        return {}
    own = {str(code) for code in area.local_authorities.values_list("la_code", flat=True)}
    codes = {
        row.location_code
        for row in ees_file.rows
        if row.level == LOCAL_AUTHORITY and row.cells.get("old_la_code") in own
    }
    las = ees_file.levels.get(LOCAL_AUTHORITY, {})
    mine = {code: name for code, name in las.items() if code in codes}
    return {LOCAL_AUTHORITY: mine} if mine else {}


# --- The selection and its preview -------------------------------------------------


@dataclass(frozen=True)
class Selection:
    indicator: str
    filters: dict[str, str]
    level: str
    locations: tuple[str, ...]
    periods: tuple[tuple[str, str], ...]
    unit: str

    def as_json(self) -> dict:
        return {
            "indicator": self.indicator,
            "filters": dict(self.filters),
            "level": self.level,
            "locations": list(self.locations),
            "periods": [list(p) for p in self.periods],
            "unit": self.unit,
        }

    @classmethod
    def from_json(cls, data) -> "Selection":
        return cls(
            indicator=data["indicator"],
            filters=dict(data["filters"]),
            level=data["level"],
            locations=tuple(data["locations"]),
            periods=tuple(tuple(p) for p in data["periods"]),
            unit=data["unit"],
        )


def unit_for(column: EesColumn) -> str:
    """The series unit an indicator's metadata suggests: % is a percentage."""
    return Unit.PERCENTAGE if column.unit.strip() in ("%", "pp") else Unit.SCORE


@dataclass
class SeriesValue:
    line: int
    date: date
    period: str
    value: Decimal | None
    symbol: str
    change: RowChange
    old: ComparatorValue | None = None

    @property
    def shown(self) -> str:
        return self.symbol if self.value is None else str(self.value)


@dataclass
class SeriesPreview:
    key: str
    name: str
    geography: str
    selection: dict
    existing: ComparatorSeries | None
    values: list[SeriesValue] = field(default_factory=list)
    la_code: int | None = None

    @property
    def change(self) -> RowChange:
        if self.existing is None:
            return RowChange.CREATED
        if any(v.change != RowChange.UNCHANGED for v in self.values):
            return RowChange.CHANGED
        return RowChange.UNCHANGED


@dataclass
class ComparatorPreview(ChangeCounts):
    series: list[SeriesPreview]

    @property
    def rows(self) -> list[SeriesValue]:
        """Every figure of every series."""
        return [value for series in self.series for value in series.values]


def series_key(selection: Selection, location: str, identifier: str) -> tuple[str, dict]:
    identity = {
        "indicator": selection.indicator,
        "filters": dict(sorted(selection.filters.items())),
        "level": selection.level,
        "location": location,
        "time_identifier": identifier,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return digest, identity


def series_measure(selection: Selection, identifier: str) -> str:
    """What a series measures, the same for the national, regional and LA
    series one selection makes: its indicator, filters and time identifier,
    so a comparator group's members' series are found beside the national
    one (ADR 0019)."""
    filters = ", ".join(f"{k}={v}" for k, v in sorted(selection.filters.items()))
    measure = f"{selection.indicator} [{filters}] {identifier}"
    if len(measure) > 100:
        measure = f"{measure[:83]} {hashlib.sha256(measure.encode()).hexdigest()[:16]}"
    return measure


def _la_code(row: EesRow) -> int | None:
    code = row.cells.get("old_la_code", "") if row.level == LOCAL_AUTHORITY else ""
    return int(code) if code.isdigit() and len(code) == 3 else None


def _series_name(ees_file, selection, location_name, identifier) -> str:
    label = ees_file.indicator(selection.indicator).label
    chosen = [v for v in selection.filters.values() if v.casefold() != "total"]
    filters = f" ({', '.join(chosen)})" if chosen else ""
    return f"{label}{filters}: {location_name}, {identifier.lower()}"[:200]


def selection_problems(*, ees_file, selection, allowed) -> dict[str, str]:
    """{field: message} for a selection the file or the user's role cannot
    have; empty when it is good."""
    problems = {}
    if ees_file.indicator(selection.indicator) is None:
        problems["indicator"] = "Choose an indicator column of the file"
    for column in ees_file.filters:
        if selection.filters.get(column.name) not in column.values:
            problems[f"filter_{column.name}"] = f"Choose a value of {column.label}"
    if selection.level not in allowed:
        problems["level"] = "Choose a geographic level you may import"
    elif not selection.locations:
        problems["locations"] = "Choose at least one location"
    elif set(selection.locations) - set(allowed[selection.level]):
        problems["locations"] = "You may import only the locations listed"
    if not selection.periods:
        problems["periods"] = "Choose at least one time period"
    elif set(selection.periods) - set(ees_file.periods):
        problems["periods"] = "Choose time periods from the file"
    if selection.unit not in Unit.values:
        problems["unit"] = "Choose a unit"
    return problems


def comparator_import_preview(*, ees_file: EesFile, selection: Selection) -> ComparatorPreview:
    """The series the selection would create or update, with each figure's
    change. Two rows giving one series the same date are a CsvImportError
    naming both lines."""
    chosen_periods = set(selection.periods)
    chosen_locations = set(selection.locations)
    by_key: dict[str, SeriesPreview] = {}
    first_line: dict[tuple[str, date], int] = {}
    errors = []
    for row in ees_file.rows:
        if (
            row.level != selection.level
            or row.location_code not in chosen_locations
            or (row.period, row.identifier) not in chosen_periods
            or any(row.cells.get(k) != v for k, v in selection.filters.items())
        ):
            continue
        key, identity = series_key(selection, row.location_code, row.identifier)
        if key not in by_key:
            by_key[key] = SeriesPreview(
                key=key,
                name=_series_name(ees_file, selection, row.location_name, row.identifier),
                geography=row.location_name[:100],
                selection=identity,
                existing=None,
                la_code=_la_code(row),
            )
        if (key, row.date) in first_line:
            errors.append(
                LineError(
                    row.line,
                    f"the same series and period as line {first_line[key, row.date]}: choose a "
                    "value for every filter so each row is one figure",
                )
            )
            continue
        first_line[key, row.date] = row.line
        cell = row.cells[selection.indicator]
        value, symbol = _figure(cell)
        by_key[key].values.append(
            SeriesValue(row.line, row.date, row.period, value, symbol, RowChange.CREATED)
        )
    if errors:
        raise CsvImportError(errors)
    existing = {
        s.ees_key: s
        for s in ComparatorSeries.objects.filter(ees_key__in=list(by_key)).prefetch_related(
            "values"
        )
    }
    for key, preview in by_key.items():
        series = existing.get(key)
        preview.existing = series
        if series is None:
            continue
        preview.name = series.name
        old_values = {v.date: v for v in series.values.all()}
        for value in preview.values:
            old = old_values.get(value.date)
            if old is None:
                continue
            value.old = old
            same = (old.value, old.symbol) == (value.value, value.symbol)
            value.change = RowChange.UNCHANGED if same else RowChange.CHANGED
    for preview in by_key.values():
        preview.values.sort(key=lambda v: v.date)
    return ComparatorPreview(sorted(by_key.values(), key=lambda s: s.name))


_THREE_PLACES = Decimal("0.001")


def _figure(cell: str) -> tuple[Decimal | None, str]:
    """A cell as (value, symbol): a number rounded half up to the three
    places a comparator value keeps, or a symbol with no value."""
    if cell.casefold() in EES_SYMBOLS:
        return None, cell.casefold()
    return number_cell(cell).quantize(_THREE_PLACES, rounding=ROUND_HALF_UP), ""


# --- Applying it ---------------------------------------------------------------


def _unique_name(name: str, key: str) -> str:
    if not ComparatorSeries.objects.filter(name=name).exclude(ees_key=key).exists():
        return name
    return f"{name[:190]} [{key[:6]}]"


@transaction.atomic
def comparator_import_apply(
    *, ees_file: EesFile, selection: Selection, file_name: str, user, today=None
) -> ComparatorImport:
    """Create or update every series the selection makes, or nothing: a
    changed figure is a revision (old, new, file, date); an indicator whose
    status the revisions change is recorded with its old and new status."""
    today = today or timezone.localdate()
    preview = comparator_import_preview(ees_file=ees_file, selection=selection)
    if not preview.series:
        raise CsvImportError([LineError(1, "no row of the file matches the choices made")])
    revised_series = [s.existing.pk for s in preview.series if s.change == RowChange.CHANGED]
    before = selectors.statuses_against_series(series_ids=revised_series, today=today)
    record = ComparatorImport.objects.create(
        file_name=file_name[:200],
        imported_by=user if user is not None and user.is_authenticated else None,
        selection=selection.as_json(),
        series_created=sum(1 for s in preview.series if s.existing is None),
        values_created=preview.created,
        values_revised=preview.changed,
        values_unchanged=preview.unchanged,
    )
    for item in preview.series:
        series = item.existing or ComparatorSeries.objects.create(
            name=_unique_name(item.name, item.key),
            geography=item.geography,
            unit=selection.unit,
            ees_key=item.key,
            ees_selection=item.selection,
            **_measure_fields(selection, item),
        )
        _write_values(series, item.values, record)
    after = selectors.statuses_against_series(series_ids=revised_series, today=today)
    ComparatorStatusChange.objects.bulk_create(
        ComparatorStatusChange(
            comparator_import=record,
            lineage_id=lineage_id,
            series_id=series_id,
            old_status=before[lineage_id][0],
            new_status=status,
        )
        for lineage_id, (status, series_id) in after.items()
        if lineage_id in before and before[lineage_id][0] != status
    )
    return record


def _measure_fields(selection: Selection, item: SeriesPreview) -> dict:
    """The new series' measure and LA code, unless another series already
    holds that pair (one typed into the admin, say): one series per LA and
    measure."""
    measure = series_measure(selection, item.selection["time_identifier"])
    if (
        item.la_code is not None
        and ComparatorSeries.objects.filter(measure=measure, la_code=item.la_code).exists()
    ):
        return {}
    return {"measure": measure, "la_code": item.la_code}


def _write_values(series, values: Iterable[SeriesValue], record):
    for value in values:
        if value.change == RowChange.UNCHANGED:
            continue
        if value.old is None:
            ComparatorValue.objects.create(
                series=series, date=value.date, value=value.value, symbol=value.symbol
            )
            continue
        ComparatorRevision.objects.create(
            comparator_import=record,
            series=series,
            date=value.date,
            old_value=value.old.value,
            old_symbol=value.old.symbol,
            new_value=value.value,
            new_symbol=value.symbol,
        )
        ComparatorValue.objects.filter(pk=value.old.pk).update(
            value=value.value, symbol=value.symbol
        )
