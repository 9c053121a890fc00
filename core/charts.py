"""Geometry for server-rendered SVG charts.

Pure functions: ``line_chart``, ``sparkline`` and ``bar_chart`` take the data
and return frozen objects holding everything the templates in
``core/templates/charts/`` draw (coordinates, ticks and their labels, legend,
colours) and the same data as a table (``chart.table``) for the govuk-table
that always sits beside a chart. The templates add no logic and no ``style``
attributes, so the SVG passes the Content-Security-Policy and renders the same
in a browser and in WeasyPrint.

Values may be numbers (int, float, Decimal), ``None`` (not available, shown
``x``) or a ``core.disclosure.Cell``: a cell with a symbol draws nothing and
shows its symbol in the table (and, for bars, on the chart).

Charts follow the Analysis Function guidance: at most four colours from its
palette, in order; lines also differ by dash pattern; a bar chart's axis
always includes zero, a line chart's need not; text is horizontal.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, ClassVar

from core.disclosure import NOT_AVAILABLE, Cell

PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25")
FONT_FAMILY = '"GDS Transport", arial, sans-serif'
TEXT_COLOUR = "#0b0c0c"
SECONDARY_TEXT_COLOUR = "#505a5f"
GRID_COLOUR = "#cecece"
AXIS_COLOUR = "#0b0c0c"
BACKGROUND = "#ffffff"

DASH_PATTERNS = {"solid": "", "dashed": "8 6", "dotted": "1 6"}
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
DATE_FORMATS = ("day", "month", "year")

TICK_FONT_SIZE = 14
LABEL_FONT_SIZE = 16
# Width of a character as a share of the font size: a generous estimate for
# Arial and GDS Transport, used to leave room for labels.
CHAR_WIDTH = 0.6
LEGEND_ROW = 26

Value = int | float | Decimal | Cell | None


# --- Inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A line: ``points`` are (date, value) pairs, or objects with ``.date``
    and ``.value``. ``style`` is "solid", "dashed" or "dotted"; ``colour`` an
    index into PALETTE (default: the series' position)."""

    name: str
    points: Sequence[Any]
    style: str = "solid"
    colour: int | None = None

    def __post_init__(self):
        if self.style not in DASH_PATTERNS:
            raise ValueError(f"style must be one of {sorted(DASH_PATTERNS)}, not {self.style!r}")


@dataclass(frozen=True)
class BarSeries:
    """A set of bars, one value per category."""

    name: str
    values: Sequence[Value]
    colour: int | None = None


# --- Outputs ------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    label: str
    position: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Area:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return round(self.right - self.left, 2)

    @property
    def height(self) -> float:
        return round(self.bottom - self.top, 2)


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str
    dasharray: str
    swatch: Area
    label: Text
    marker: Point | None = None
    hollow_marker: bool = False


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    dasharray: str
    segments: tuple[str, ...]  # each a polyline's "x,y x,y ..." points
    markers: tuple[Point, ...]
    hollow_markers: bool


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str  # "Year 7, Disadvantaged: 45.0"


@dataclass(frozen=True)
class TableRow:
    label: str
    values: tuple[str, ...]  # "" where the series has no value for this row


@dataclass(frozen=True)
class DataTable:
    caption: str
    unit: str
    first_header: str
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    key: tuple[str, ...] = ()  # what the symbols used in the table mean


class _Look:
    font_family: ClassVar[str] = FONT_FAMILY
    text_colour: ClassVar[str] = TEXT_COLOUR
    secondary_text_colour: ClassVar[str] = SECONDARY_TEXT_COLOUR
    grid_colour: ClassVar[str] = GRID_COLOUR
    axis_colour: ClassVar[str] = AXIS_COLOUR
    background: ClassVar[str] = BACKGROUND
    tick_font_size: ClassVar[int] = TICK_FONT_SIZE
    label_font_size: ClassVar[int] = LABEL_FONT_SIZE

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def y_tick_label_x(self) -> float:
        return _round(self.plot.left - 8)

    @property
    def x_tick_end(self) -> float:
        return _round(self.plot.bottom + 6)


@dataclass(frozen=True)
class LineChart(_Look):
    id: str
    title: str
    desc: str
    width: int
    height: int
    plot: Area
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    y_label: Text
    lines: tuple[Line, ...]
    legend: tuple[LegendItem, ...]
    table: DataTable
    empty_message: Text | None = None


@dataclass(frozen=True)
class Sparkline(_Look):
    id: str
    title: str
    desc: str
    width: int
    height: int
    colour: str
    segments: tuple[str, ...]
    last_point: Point | None
    table: DataTable


@dataclass(frozen=True)
class BarChart(_Look):
    id: str
    title: str
    desc: str
    width: int
    height: int
    plot: Area
    y_ticks: tuple[Tick, ...]
    zero_y: float
    y_label: Text
    bars: tuple[Bar, ...]
    marks: tuple[Text, ...]  # symbols where a bar is missing
    category_labels: tuple[tuple[Text, ...], ...]  # each category's label, line by line
    legend: tuple[LegendItem, ...]
    stacked: bool
    table: DataTable


# --- Scales -------------------------------------------------------------------


def nice_ticks(low: float | Decimal, high: float | Decimal, max_ticks: int = 6) -> list[Decimal]:
    """Evenly spaced round numbers from at or below ``low`` to at or above
    ``high``: the step is 1, 2, 2.5 or 5 times a power of ten, the smallest
    giving at most ``max_ticks`` ticks. Three ticks always suffice (-step, 0,
    step), so ``max_ticks`` must be at least 3."""
    if max_ticks < 3:
        raise ValueError("max_ticks must be at least 3")
    low, high = Decimal(str(low)), Decimal(str(high))
    if low > high:
        low, high = high, low
    if low == high == 0:
        high = Decimal(1)
    elif low == high:
        pad = abs(low) / 10
        low, high = low - pad, high + pad
    exponent = math.floor(math.log10(float(high - low) / max_ticks)) - 1
    while True:
        for mantissa in ("1", "2", "2.5", "5"):
            step = Decimal(mantissa).scaleb(exponent)
            first = (low / step).to_integral_value(ROUND_FLOOR)
            last = (high / step).to_integral_value(ROUND_CEILING)
            if last - first + 1 <= max_ticks:
                return [(first + k) * step for k in range(int(last - first) + 1)]
        exponent += 1


def format_number(value: Decimal | float | int, places: int | None = None) -> str:
    """Thousands separators; ``places`` decimal places, or as given."""
    value = Decimal(str(value))
    if places is None:
        return format(value, ",f")
    return format(value, f",.{places}f")


def tick_places(ticks: Sequence[Decimal]) -> int:
    """Decimal places needed to tell the ticks apart (their step's)."""
    if len(ticks) < 2:
        return 0
    step = (ticks[1] - ticks[0]).normalize()
    return max(0, -step.as_tuple().exponent)


def date_ticks(start: date, end: date, max_ticks: int = 8) -> list[tuple[date, str]]:
    """Tick dates inside [start, end] on the first of a month: every 1, 3 or 6
    months ("Sep 2018") or every 1, 2, 5, 10 or 20 years ("2018"), the
    shortest interval giving at most ``max_ticks``. Year starts read best, so
    months are used only when fewer than three year starts fall in the range.
    A range holding no first of a month gets its two ends ("3 Sep 2018")."""
    intervals = (1, 3, 6, 12, 24, 60, 120, 240)
    if len(_dates_every(start, end, 12)) >= 3:
        intervals = intervals[3:]
    for months in intervals:
        ticks = _dates_every(start, end, months)
        if len(ticks) <= max_ticks:
            break
    if not ticks:
        return [(d, f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}") for d in sorted({start, end})]
    if months >= 12:
        return [(d, str(d.year)) for d in ticks]
    return [(d, f"{MONTHS[d.month - 1][:3]} {d.year}") for d in ticks]


def _dates_every(start, end, months):
    if months >= 12:
        years = months // 12
        year = start.year if start == date(start.year, 1, 1) else start.year + 1
        year += -year % years
        return [date(y, 1, 1) for y in range(year, end.year + 1, years)]
    index = start.year * 12 + start.month - 1
    if start.day != 1:
        index += 1
    index += -index % months
    ticks = []
    while (tick := date(index // 12, index % 12 + 1, 1)) <= end:
        ticks.append(tick)
        index += months
    return ticks


def format_date(value: date, date_format: str = "day") -> str:
    """GOV.UK style: "1 July 2018", "July 2018" or "2018"."""
    if date_format == "year":
        return str(value.year)
    if date_format == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


# --- Charts -------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    desc: str,
    series: Sequence[Series],
    y_label: str,
    y_min: float | Decimal | None = None,
    y_max: float | Decimal | None = None,
    width: int = 640,
    height: int = 320,
    markers: bool = True,
    id: str | None = None,  # noqa: A002 - the SVG attribute it becomes
    x_label: str = "Date",
    date_format: str = "day",
    y_suffix: str = "",
) -> LineChart:
    """A line chart over dates.

    The y axis covers the data and ``y_min``/``y_max`` (when given), rounded
    out to nice ticks; ``y_suffix`` ("%") follows each tick label. A value
    that is None or a symbol breaks its line. Markers are filled on solid
    lines and hollow on dashed or dotted ones (plans and forecasts).
    ``date_format`` is for the table ("day", "month" or "year").
    """
    if date_format not in DATE_FORMATS:
        raise ValueError(f"date_format must be one of {DATE_FORMATS}")
    colours = _colours(series)
    plotted = [[(d, _number(v)) for d, v in _points(s)] for s in series]
    dates = sorted({d for points in plotted for d, _ in points})
    numbers = [v for points in plotted for _, v in points if v is not None]

    y_values = numbers + [v for v in (y_min, y_max) if v is not None]
    y_ticks = nice_ticks(min(y_values), max(y_values)) if y_values else nice_ticks(0, 1)
    places = tick_places(y_ticks)
    y_labels = [format_number(t, places) + y_suffix for t in y_ticks]

    legend, legend_height = (
        _legend(
            [
                (s.name, colour, DASH_PATTERNS[s.style], s.style != "solid")
                for s, colour in zip(series, colours, strict=True)
            ],
            width=width,
            kind="line",
            markers=markers,
        )
        if len(series) > 1
        else ((), 0)
    )
    label_y = legend_height + LABEL_FONT_SIZE
    start, end = _date_domain(dates)
    left = max(_text_width(label, TICK_FONT_SIZE) for label in y_labels) + 12
    x_tick_dates = (
        date_ticks(start, end, max_ticks=max(3, int((width - left) // 90))) if dates else []
    )
    right_room = max(
        [16] + [_text_width(label, TICK_FONT_SIZE) / 2 + 2 for _, label in x_tick_dates[-1:]]
    )
    plot = Area(
        left=left,
        top=label_y + 18,
        right=width - right_room,
        bottom=height - TICK_FONT_SIZE - 16,
    )
    if plot.width <= 0 or plot.height <= 0:
        raise ValueError("the chart is too small for its labels")

    span = (end - start).days
    # Keep the first and last points off the y axis and its labels.
    inset = 10

    def x_of(d: date) -> float:
        return _round(plot.left + inset + (d - start).days / span * (plot.width - 2 * inset))

    y_of = _linear(y_ticks[0], y_ticks[-1], plot.bottom, plot.top)

    lines = []
    for s, colour, points in zip(series, colours, plotted, strict=True):
        coordinates = [(Point(x_of(d), y_of(v)) if v is not None else None) for d, v in points]
        lines.append(
            Line(
                name=s.name,
                colour=colour,
                dasharray=DASH_PATTERNS[s.style],
                segments=_segments(coordinates),
                markers=tuple(p for p in coordinates if p) if markers else (),
                hollow_markers=s.style != "solid",
            )
        )

    table = DataTable(
        caption=title,
        unit=y_label,
        first_header=x_label,
        headers=tuple(s.name for s in series),
        rows=tuple(TableRow(format_date(d, date_format), _row_values(series, d)) for d in dates),
        key=_key([v for s in series for _, v in _points(s)]),
    )
    return LineChart(
        id=_chart_id(id, title, desc, table),
        title=title,
        desc=desc,
        width=width,
        height=height,
        plot=plot,
        x_ticks=tuple(Tick(label, x_of(d)) for d, label in x_tick_dates),
        y_ticks=tuple(Tick(label, y_of(t)) for t, label in zip(y_ticks, y_labels, strict=True)),
        y_label=Text(0, label_y, y_label),
        lines=tuple(lines),
        legend=legend,
        table=table,
        empty_message=None
        if numbers
        else Text(
            _round(plot.left + plot.width / 2), _round(plot.top + plot.height / 2), "No data"
        ),
    )


def sparkline(
    *,
    title: str,
    desc: str,
    points: Sequence[Any],
    width: int = 120,
    height: int = 32,
    colour: int = 0,
    y_min: float | Decimal | None = None,
    y_max: float | Decimal | None = None,
    id: str | None = None,  # noqa: A002
    value_header: str = "Value",
    date_format: str = "day",
) -> Sparkline:
    """A small trend line for a table cell: no axes, a dot on the latest value.

    The vertical range is the data's (or ``y_min``/``y_max`` when given) with
    room for the line's width; a single value sits in the middle.
    """
    if date_format not in DATE_FORMATS:
        raise ValueError(f"date_format must be one of {DATE_FORMATS}")
    series = Series(title, points, colour=colour)
    plotted = [(d, _number(v)) for d, v in _points(series)]
    numbers = [v for _, v in plotted if v is not None]
    inset = 3
    start, end = _date_domain([d for d, _ in plotted])
    low = min([*numbers, *([y_min] if y_min is not None else [])], default=0)
    high = max([*numbers, *([y_max] if y_max is not None else [])], default=0)
    span = (end - start).days

    def x_of(d):
        return _round(inset + (d - start).days / span * (width - 2 * inset))

    if low == high:
        y_of = _linear(float(low) - 1, float(high) + 1, height - inset, inset)
    else:
        y_of = _linear(low, high, height - inset, inset)
    coordinates = [(Point(x_of(d), y_of(v)) if v is not None else None) for d, v in plotted]
    shown = [p for p in coordinates if p]
    table = DataTable(
        caption=title,
        unit="",
        first_header="Date",
        headers=(value_header,),
        rows=tuple(
            TableRow(format_date(d, date_format), (_display(v),)) for d, v in _points(series)
        ),
        key=_key([v for _, v in _points(series)]),
    )
    return Sparkline(
        id=_chart_id(id, title, desc, table),
        title=title,
        desc=desc,
        width=width,
        height=height,
        colour=_colours([series])[0],
        segments=_segments(coordinates),
        last_point=shown[-1] if shown else None,
        table=table,
    )


def bar_chart(
    *,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[BarSeries | tuple[str, Sequence[Value]]],
    y_label: str,
    stacked: bool = False,
    width: int = 640,
    height: int = 320,
    y_min: float | Decimal | None = None,
    y_max: float | Decimal | None = None,
    id: str | None = None,  # noqa: A002
    category_header: str = "Category",
    y_suffix: str = "",
) -> BarChart:
    """A vertical bar chart, grouped (side by side) or stacked.

    ``series`` are BarSeries or (name, values) pairs, one value per category.
    The y axis always includes zero. A value that is None or a symbol draws no
    bar: grouped, its symbol is written where the bar would be; stacked, the
    whole stack is left out (the rest would pass for the total) and the
    category's label is followed by the symbols, "Year 9 (c)".
    """
    series = [s if isinstance(s, BarSeries) else BarSeries(*s) for s in series]
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories"
            )
    colours = _colours(series)
    numbers = [[_number(v) for v in s.values] for s in series]

    if stacked:
        extents = []
        for j in range(len(categories)):
            column = [values[j] for values in numbers]
            if None not in column:
                extents += [sum(v for v in column if v > 0), sum(v for v in column if v < 0)]
    else:
        extents = [v for values in numbers for v in values if v is not None]
    y_values = [0, *extents, *(v for v in (y_min, y_max) if v is not None)]
    y_ticks = nice_ticks(min(y_values), max(y_values))
    places = tick_places(y_ticks)
    y_labels = [format_number(t, places) + y_suffix for t in y_ticks]

    legend, legend_height = (
        _legend(
            [(s.name, c, "", False) for s, c in zip(series, colours, strict=True)],
            width=width,
            kind="box",
        )
        if len(series) > 1
        else ((), 0)
    )
    label_y = legend_height + LABEL_FONT_SIZE
    left = max(_text_width(label, TICK_FONT_SIZE) for label in y_labels) + 12
    band = (width - 8 - left) / max(1, len(categories))

    labels = []
    for j, category in enumerate(categories):
        text = category
        if stacked:
            symbols = _symbols([s.values[j] for s in series])
            if symbols:
                text = f"{category} ({', '.join(symbols)})"
        labels.append(_wrap(text, band - 4, TICK_FONT_SIZE))
    label_lines = max((len(lines) for lines in labels), default=1)
    plot = Area(
        left=left,
        top=label_y + 18,
        right=width - 8,
        bottom=height - label_lines * (TICK_FONT_SIZE + 4) - 12,
    )
    if plot.width <= 0 or plot.height <= 0:
        raise ValueError("the chart is too small for its labels")
    y_of = _linear(y_ticks[0], y_ticks[-1], plot.bottom, plot.top)
    zero_y = y_of(0)

    bars, marks = [], []
    for j, category in enumerate(categories):
        band_left = plot.left + j * band
        column = [values[j] for values in numbers]
        if stacked:
            if None in column:
                continue
            bar_width = band * 0.6
            x = band_left + (band - bar_width) / 2
            above = below = 0
            for s, colour, value in zip(series, colours, column, strict=True):
                if value >= 0:
                    bottom, above = above, above + value
                    top = above
                else:
                    top, below = below, below + value
                    bottom = below
                bars.append(_bar(x, bar_width, y_of(top), y_of(bottom), colour, category, s, j))
            continue
        group = band * 0.8
        slot = group / max(1, len(series))
        for k, (s, colour, value) in enumerate(zip(series, colours, column, strict=True)):
            x = band_left + (band - group) / 2 + k * slot
            bar_width = slot - 2 if len(series) > 1 else slot
            if value is None:
                marks.append(
                    Text(_round(x + bar_width / 2), _round(zero_y - 6), _symbols([s.values[j]])[0])
                )
                continue
            top, bottom = (value, 0) if value >= 0 else (0, value)
            bars.append(_bar(x, bar_width, y_of(top), y_of(bottom), colour, category, s, j))

    line_height = TICK_FONT_SIZE + 4
    category_labels = tuple(
        tuple(
            Text(
                _round(plot.left + (j + 0.5) * band),
                _round(plot.bottom + 20 + n * line_height),
                line,
            )
            for n, line in enumerate(lines)
        )
        for j, lines in enumerate(labels)
    )
    table = DataTable(
        caption=title,
        unit=y_label,
        first_header=category_header,
        headers=tuple(s.name for s in series),
        rows=tuple(
            TableRow(category, tuple(_display(s.values[j]) for s in series))
            for j, category in enumerate(categories)
        ),
        key=_key([v for s in series for v in s.values]),
    )
    return BarChart(
        id=_chart_id(id, title, desc, table),
        title=title,
        desc=desc,
        width=width,
        height=height,
        plot=plot,
        y_ticks=tuple(Tick(label, y_of(t)) for t, label in zip(y_ticks, y_labels, strict=True)),
        zero_y=zero_y,
        y_label=Text(0, label_y, y_label),
        bars=tuple(bars),
        marks=tuple(marks),
        category_labels=category_labels,
        legend=legend,
        stacked=stacked,
        table=table,
    )


# --- Helpers ------------------------------------------------------------------


def _round(value) -> float:
    return round(float(value), 2)


def _linear(domain_low, domain_high, range_low, range_high):
    domain_low, domain_high = float(domain_low), float(domain_high)
    scale = (range_high - range_low) / (domain_high - domain_low)

    def position(value):
        return _round(range_low + (float(value) - domain_low) * scale)

    return position


def _number(value: Value) -> float | None:
    """The value to plot, or None where nothing is drawn."""
    if isinstance(value, Cell):
        return None if value.symbol else float(value.value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"a chart value is a number, a Cell or None, not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"a chart value must be finite, not {value}")
    return float(value)


def _display(value: Value) -> str:
    """The value as the table shows it."""
    if isinstance(value, Cell):
        return str(value)
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, float):
        value = Decimal(str(value))
    return format_number(value)


def _symbols(values) -> list[str]:
    symbols = []
    for value in values:
        if isinstance(value, Cell):
            symbol = value.symbol
        else:
            symbol = NOT_AVAILABLE if value is None else None
        if symbol and symbol not in symbols:
            symbols.append(symbol)
    return symbols


KEY = {
    "c": "c: suppressed to protect confidentiality",
    "x": "x: not available",
    "z": "z: not applicable",
    "low": "low: rounds to zero, but is not zero",
    "p": "p: provisional",
    "r": "r: revised",
}


def _key(values) -> tuple[str, ...]:
    used = set(_symbols(values))
    for value in values:
        if isinstance(value, Cell):
            used |= {"p"} if value.provisional else set()
            used |= {"r"} if value.revised else set()
    return tuple(text for symbol, text in KEY.items() if symbol in used)


def _points(series: Series) -> list[tuple[date, Value]]:
    points = []
    for point in series.points:
        if isinstance(point, tuple):
            when, value = point
        else:
            when, value = point.date, point.value
        if not isinstance(when, date):
            raise TypeError(f"a point's date must be a date, not {when!r}")
        points.append((when, value))
    return sorted(points, key=lambda p: p[0])


def _row_values(series, when) -> tuple[str, ...]:
    values = []
    for s in series:
        matching = [v for d, v in _points(s) if d == when]
        values.append(_display(matching[-1]) if matching else "")
    return tuple(values)


def _colours(series) -> list[str]:
    colours = []
    for position, s in enumerate(series):
        index = position if s.colour is None else s.colour
        if not 0 <= index < len(PALETTE):
            raise ValueError(
                f"series {s.name!r} has no colour: the palette has {len(PALETTE)} "
                "(give colour= explicitly, or split the chart)"
            )
        colours.append(PALETTE[index])
    return colours


def _date_domain(dates: Sequence[date]) -> tuple[date, date]:
    if not dates:  # nothing to place: any year will do
        return date(2000, 1, 1), date(2001, 1, 1)
    start, end = min(dates), max(dates)
    if start == end:
        return _add_months(start, -6), _add_months(start, 6)
    return start, end


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, min(value.day, 28))


def _segments(coordinates: Sequence[Point | None]) -> tuple[str, ...]:
    """Runs of consecutive points, as polyline ``points`` attributes; a single
    point is a zero-length segment, drawn as a dot by its round line cap."""
    segments, run = [], []
    for point in [*coordinates, None]:
        if point is None:
            if run:
                if len(run) == 1:
                    run = run * 2
                segments.append(" ".join(f"{p.x},{p.y}" for p in run))
            run = []
        else:
            run.append(point)
    return tuple(segments)


def _bar(x, width, y_top, y_bottom, colour, category, series, j) -> Bar:
    return Bar(
        x=_round(x),
        y=min(y_top, y_bottom),
        width=_round(width),
        height=_round(abs(y_bottom - y_top)),
        colour=colour,
        title=f"{category}, {series.name}: {_display(series.values[j])}",
    )


def _text_width(text: str, font_size: int) -> float:
    return len(text) * font_size * CHAR_WIDTH


def _wrap(text: str, width: float, font_size: int) -> tuple[str, ...]:
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", font_size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def _legend(items, *, width, kind, markers=False):
    """Legend entries (name, colour, dasharray, hollow marker) laid out in
    rows across the top of the chart; returns them and the height they take."""
    entries = []
    x, row = 0.0, 0
    swatch_width = 32 if kind == "line" else 16
    for name, colour, dasharray, hollow in items:
        entry_width = swatch_width + 8 + _text_width(name, LABEL_FONT_SIZE) + 24
        if x and x + entry_width > width:
            x, row = 0.0, row + 1
        middle = 4 + row * LEGEND_ROW + LEGEND_ROW / 2
        if kind == "line":
            swatch = Area(x + 2, middle, x + swatch_width - 2, middle)
        else:
            swatch = Area(x, middle - 8, x + 16, middle + 8)
        entries.append(
            LegendItem(
                name=name,
                colour=colour,
                dasharray=dasharray,
                swatch=swatch,
                label=Text(
                    _round(x + swatch_width + 8), _round(middle + LABEL_FONT_SIZE * 0.35), name
                ),
                marker=Point(_round(x + swatch_width / 2), middle) if markers else None,
                hollow_marker=hollow,
            )
        )
        x += entry_width
    if not entries:
        return (), 0
    return tuple(entries), (row + 1) * LEGEND_ROW + 8


def _chart_id(given: str | None, title: str, desc: str, table: DataTable) -> str:
    """The given id, or "chart-<title slug>-<hash of the content>": stable for
    the same chart, different for charts that differ in any way."""
    if given is not None:
        if not re.fullmatch(r"[A-Za-z][\w-]*", given):
            raise ValueError(f"{given!r} is not a usable id")
        return given
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-") or "chart"
    digest = hashlib.sha256(repr((title, desc, table)).encode()).hexdigest()[:8]
    return f"chart-{slug}-{digest}"
