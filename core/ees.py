"""Open data as Explore Education Statistics (EES) data sets.

A data set is a data file and its metadata file, ``<name>.csv`` and
``<name>.meta.csv``, in the shape DfE's analysts' guide and its screener
(eesyscreener) define (DOMAIN.md, "EES data files, in more detail"; ADR 0010):

- time: ``time_period`` and ``time_identifier``, one kind of identifier per
  data set;
- geography: ``geographic_level``, ``country_code`` and ``country_name`` on
  every row, then the columns of each level the data set has, filled on the
  rows of that level (and of the levels below it), blank elsewhere, as the
  screener expects;
- filters, then indicators, each described by a row of the metadata file.

Every export builds a ``DataSet`` and offers it through ``DataSetDownloadMixin``
as the data file, the metadata file or a zip of both, so no export can leave
its metadata behind. The writer refuses a blank filter or indicator cell and an
indicator that is neither a number nor a symbol (``c``, ``x``, ``z``, ``low``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, HttpResponse

from .charts import MONTHS
from .csv_export import PLAIN_NUMBER, csv_text
from .disclosure import SYMBOLS

COUNTRY_CODE = "E92000001"
COUNTRY_NAME = "England"
TOTAL = "Total"
MAX_LOCATION_CODE_LENGTH = 30

ACADEMIC_YEAR = "Academic year"
FINANCIAL_YEAR = "Financial year"
CALENDAR_YEAR = "Calendar year"

NATIONAL = "National"
OPPORTUNITY_AREA = "Opportunity area"
SCHOOL = "School"

# The columns each geographic level carries, as eesyscreener's geography_df
# names them (code, name, then the secondary code).
LEVEL_COLUMNS = {
    NATIONAL: ("country_code", "country_name"),
    OPPORTUNITY_AREA: ("opportunity_area_code", "opportunity_area_name"),
    # The analysts' guide asks School rows for their LA too ("so that users
    # can see this when searching"); eesyscreener wants all three LA columns
    # or none (geog_la_col_present).
    SCHOOL: (
        "school_urn",
        "school_laestab",
        "school_name",
        "old_la_code",
        "new_la_code",
        "la_name",
    ),
}
# A location code GIAS did not give (the guide's "x": not available).
CODE_NOT_AVAILABLE = "x"
# A school row also names the area it belongs to: the screener allows
# opportunity area columns on rows of a lower level.
LEVELS_BELOW = {OPPORTUNITY_AREA: (SCHOOL,)}

TIME_AND_GEOGRAPHY = ("time_period", "time_identifier", "geographic_level")
META_COLUMNS = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)
# The units EES accepts in indicator_unit; blank is a plain number.
INDICATOR_UNITS = frozenset({"", "%", "pp", "£", "£m"})


class DataSetError(ValueError):
    """A data set that would not be a valid EES data file: a bug in the export."""


@dataclass(frozen=True)
class Filter:
    """``default`` names the item EES shows first, for a filter whose items
    have no Total (an indicator, a priority); it is written in the optional
    ``filter_default`` metadata column."""

    col_name: str
    label: str
    hint: str = ""
    grouping_column: str = ""
    default: str = ""


@dataclass(frozen=True)
class Indicator:
    col_name: str
    label: str
    unit: str = ""
    dp: int = 0
    grouping: str = ""

    def __post_init__(self):
        if self.unit not in INDICATOR_UNITS:
            raise DataSetError(f"{self.col_name}: {self.unit!r} is not an EES indicator unit")


def national() -> dict:
    return {"geographic_level": NATIONAL}


def opportunity_area(area) -> dict:
    """The area's row: ``area.code`` is its stable location code (ADR 0010)."""
    return {
        "geographic_level": OPPORTUNITY_AREA,
        "opportunity_area_code": area.code,
        "opportunity_area_name": area.name,
    }


def school(school, area=None) -> dict:
    """A school's row, naming its area too when it is in one, and its LA:
    DfE's three-digit code, the GSS code (``x`` when GIAS gave none) and
    name."""
    return {
        **(opportunity_area(area) if area else {}),
        "geographic_level": SCHOOL,
        "school_urn": school.urn,
        "school_laestab": school.laestab,
        "school_name": school.name,
        "old_la_code": school.la_code,
        "new_la_code": school.new_la_code or CODE_NOT_AVAILABLE,
        "la_name": school.la_name,
    }


def academic_year(year) -> dict:
    return {"time_period": year.time_period, "time_identifier": ACADEMIC_YEAR}


def financial_year(start_year: int) -> dict:
    return {
        "time_period": f"{start_year}{(start_year + 1) % 100:02d}",
        "time_identifier": FINANCIAL_YEAR,
    }


def month(day) -> dict:
    return {"time_period": str(day.year), "time_identifier": MONTHS[day.month - 1]}


@dataclass
class DataSet:
    """One EES data file and its metadata.

    ``levels`` are the geographic levels below National the file may hold
    (their columns are written even when no row of that level is present, so
    the file keeps one shape whatever the data). Each row is a dict: its time
    (``academic_year()`` and friends), its location (``national()``,
    ``opportunity_area()``, ``school()``), and a value for every filter and
    indicator. ``footnotes`` go with the data set (EES keeps footnotes beside
    the file, not in it): provisional figures are marked there.
    """

    name: str
    title: str
    filters: tuple[Filter, ...]
    indicators: tuple[Indicator, ...]
    levels: tuple[str, ...] = ()
    rows: list[dict] = field(default_factory=list)
    footnotes: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = set(self.levels) - set(LEVEL_COLUMNS) - {NATIONAL}
        if unknown:
            raise DataSetError(f"{self.name}: unknown geographic levels {sorted(unknown)}")

    @property
    def geography_columns(self) -> tuple[str, ...]:
        columns = list(LEVEL_COLUMNS[NATIONAL])
        for level in LEVEL_COLUMNS:
            if level in self.levels:
                columns += LEVEL_COLUMNS[level]
        return tuple(columns)

    @property
    def header(self) -> list[str]:
        return [
            *TIME_AND_GEOGRAPHY,
            *self.geography_columns,
            *(f.col_name for f in self.filters),
            *(i.col_name for i in self.indicators),
        ]

    def add(self, *, time: dict, location: dict, **values):
        self.rows.append({**time, **location, **values})

    def _cells(self, row: dict) -> list:
        level = row.get("geographic_level")
        if level != NATIONAL and level not in self.levels:
            raise DataSetError(f"{self.name}: a {level!r} row in a file without that level")
        completed = {NATIONAL, level, *(up for up, below in LEVELS_BELOW.items() if level in below)}
        cells = [row["time_period"], row["time_identifier"], level, COUNTRY_CODE, COUNTRY_NAME]
        for column_level, columns in LEVEL_COLUMNS.items():
            if column_level == NATIONAL or column_level not in self.levels:
                continue
            for column in columns:
                if column_level == level:
                    cells.append(row[column])
                else:
                    cells.append(row.get(column, "") if column_level in completed else "")
        code = row.get("opportunity_area_code", "")
        if len(str(code)) > MAX_LOCATION_CODE_LENGTH:
            raise DataSetError(f"{self.name}: location code {code!r} is over 30 characters")
        for column in self.filters:
            value = row[column.col_name]
            if value in (None, ""):
                raise DataSetError(f"{self.name}: blank filter {column.col_name}")
            cells.append(value)
        for column in self.indicators:
            cells.append(_indicator_value(self.name, column.col_name, row[column.col_name]))
        return cells

    def data_csv(self) -> str:
        time_identifiers = {row["time_identifier"] for row in self.rows}
        if len(time_identifiers) > 1 and not time_identifiers <= set(MONTHS):
            raise DataSetError(f"{self.name}: mixes time identifiers {sorted(time_identifiers)}")
        return csv_text(self.header, (self._cells(row) for row in self.rows))

    def meta_csv(self) -> str:
        defaults = any(f.default for f in self.filters)
        rows = [
            [f.col_name, "Filter", f.label, "", "", "", f.hint, f.grouping_column]
            + ([f.default] if defaults else [])
            for f in self.filters
        ]
        rows += [
            [i.col_name, "Indicator", i.label, i.grouping, i.unit, i.dp, "", ""]
            + ([""] if defaults else [])
            for i in self.indicators
        ]
        return csv_text([*META_COLUMNS, *(["filter_default"] if defaults else [])], rows)

    @property
    def file_names(self) -> tuple[str, str]:
        return f"{self.name}.csv", f"{self.name}.meta.csv"

    def files(self) -> dict[str, bytes]:
        """The two files by name, UTF-8 with a byte-order mark (Excel reads
        them as UTF-8; the EES upload accepts it)."""
        data_name, meta_name = self.file_names
        return {data_name: _encoded(self.data_csv()), meta_name: _encoded(self.meta_csv())}


def _encoded(text: str) -> bytes:
    return ("\ufeff" + text).encode()


def _indicator_value(data_set: str, column: str, value):
    if isinstance(value, bool) or value is None:
        raise DataSetError(f"{data_set}: {column} must be a number or a symbol, not {value!r}")
    if isinstance(value, int | Decimal):
        return value
    text = str(value)
    if text in SYMBOLS or PLAIN_NUMBER.fullmatch(text):
        return text
    raise DataSetError(f"{data_set}: {column} must be a number or a symbol, not {value!r}")


# Beside the data files, as EES's own downloads carry it: each file's title
# and its footnotes, the provisional and revised marks among them (ADR 0010).
DATA_GUIDANCE = "data-guidance.txt"


def data_guidance(data_sets) -> str:
    """The data guidance for ``data_sets``: for each, its title, its two
    files and its footnotes (EES keeps footnotes beside a data file, never
    in it)."""
    sections = []
    for data_set in data_sets:
        data_name, meta_name = data_set.file_names
        lines = [data_set.title, f"Data file: {data_name}", f"Metadata file: {meta_name}"]
        if data_set.footnotes:
            lines.append("Footnotes:")
            lines += [f"{n}. {note}" for n, note in enumerate(data_set.footnotes, start=1)]
        else:
            lines.append("Footnotes: none.")
        sections.append("\r\n".join(lines))
    return "\r\n\r\n".join(sections) + "\r\n"


def data_set_files(data_sets) -> dict[str, bytes]:
    """Each data set's data and metadata files, then the data guidance with
    their footnotes."""
    data_sets = list(data_sets)
    files = {}
    for data_set in data_sets:
        files.update(data_set.files())
    if data_sets:
        files[DATA_GUIDANCE] = _encoded(data_guidance(data_sets))
    return files


def data_file_names(files) -> list[str]:
    """The data files among ``files`` (not their metadata, nor the guidance)."""
    return [n for n in files if n.endswith(".csv") and not n.endswith(".meta.csv")]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The files (each data set's data and metadata) in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def unzipped(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def file_response(name: str, content: bytes) -> HttpResponse:
    content_type = "application/zip" if name.endswith(".zip") else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class DataSetDownloadMixin:
    """A view that offers EES data sets: ``part`` is "data" (a data file),
    "meta" (its metadata file) or "zip" (every data set's files together).

    Subclasses return their data sets from ``get_data_sets()``, or their
    stored files from ``get_files()``; a view with several data sets names the
    one asked for in the ``data_set`` URL argument. tests/ees walks every URL
    whose view uses this mixin and screens what it serves, and fails for a CSV
    URL that does not use it.
    """

    part = "data"

    def get_data_sets(self) -> list[DataSet]:
        raise NotImplementedError

    def get_files(self) -> dict[str, bytes]:
        return data_set_files(self.get_data_sets())

    def get_zip_name(self, files) -> str:
        return data_file_names(files)[0].removesuffix(".csv") + ".zip"

    def get(self, request, *args, **kwargs):
        files = self.get_files()
        if not files:
            raise Http404("There is no data to download")
        if self.part == "zip":
            return file_response(self.get_zip_name(files), zip_bytes(files))
        stem = kwargs.get("data_set") or data_file_names(files)[0].removesuffix(".csv")
        name = f"{stem}.csv" if self.part == "data" else f"{stem}.meta.csv"
        if name not in files:
            raise Http404("No such data set")
        return file_response(name, files[name])
