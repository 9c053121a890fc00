"""Statistical disclosure control for figures shown outside a school.

DOMAIN.md, "Disclosure control": counts from 1 to threshold - 1 are shown as
``c``; a rate whose numerator or denominator is under the threshold is ``c``;
in a table with totals, secondary suppression makes sure no suppressed count
can be worked out by subtraction. The threshold is ``settings.DISCLOSURE_THRESHOLD``
unless a caller passes one.

Decisions (each is tested in tests/core/test_disclosure.py):

- **Zero** counts are shown as 0: a true zero is not disclosive.
- **Rates** apply the domain rule literally: a numerator of 0 is under the
  threshold, so 0 out of 200 is ``c``, not 0%. A denominator of 0 gives ``z``
  (the rate does not exist), which is checked before ``c``.
- **Provisional and revised** are stages of one figure's life (provisional,
  then revised, then final), so a cell is at most one of them. ``str(cell)``
  appends " p" or " r" to a number or to ``low`` ("1,234 p", "12.5 r",
  "low p"); ``c``, ``x`` and ``z`` show no figure, so they carry no marker.
  ``csv_value`` never carries a marker: tidy data records the release stage in
  its own column.
- **Secondary suppression** works on the table with its shown totals as one
  grid in which every row and every column adds up (see ``suppress_table``).
  The complementary cell is the smallest non-zero shown part of the line; if
  the line has none, its total; a zero only as the last resort. A zero makes a
  poor complement: in a line whose total is 0 a hidden zero is recovered at
  once, and structural zeros (a year group a school does not teach) are known
  to everyone.
- **Totals** are counts like any other: 1 to threshold - 1 is ``c``, and a
  hidden total is an unknown in both of the lines it belongs to (its row's
  equation and the totals row or column), so it gets complements there too.
  A line containing a count that is not available (None, shown ``x``) has a
  total of ``x``: a sum of the available parts would understate it.
- **Across publications** (ADR 0011): figures published again for the same
  area and academic year (a later release, a correction, a live page) form a
  *series*. ``suppress_keyed_table`` takes the series' ``SeriesPattern``, the
  cells hidden in any earlier publication, and keeps them hidden; in a series
  a count still able to grow is protected while it is under the threshold,
  zero included, so no cell is ever first hidden in a later publication.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW = "low"
SYMBOLS = frozenset({SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE, LOW})

# Rates are percentages rounded half up to this many decimal places.
RATE_DECIMAL_PLACES = 1

PROVISIONAL_MARKER = "p"
REVISED_MARKER = "r"


@dataclass(frozen=True)
class Cell:
    """One published figure: a value, or a symbol standing in for it.

    A cell holding a symbol holds no value, so a suppressed figure cannot leak
    through a template, serializer or export that reads ``.value``.

    ``str(cell)``: the symbol; or an int with thousands separators ("1,234");
    or a Decimal with its own decimal places and thousands separators
    ("1,234.50", "12.0"); then " p" if provisional or " r" if revised, on
    figures and ``low`` only.
    """

    value: int | Decimal | None
    symbol: str | None = None
    provisional: bool = False
    revised: bool = False

    def __post_init__(self):
        if self.symbol is None:
            if isinstance(self.value, bool) or not isinstance(self.value, int | Decimal):
                raise TypeError(f"a Cell holds an int or a Decimal, not {self.value!r}")
            if isinstance(self.value, Decimal) and not self.value.is_finite():
                raise ValueError(f"a Cell value must be finite, not {self.value}")
        else:
            if self.symbol not in SYMBOLS:
                raise ValueError(f"unknown symbol {self.symbol!r}")
            if self.value is not None:
                raise ValueError("a Cell with a symbol holds no value")
        if self.provisional and self.revised:
            raise ValueError("a figure is provisional or revised, not both")

    @property
    def is_suppressed(self) -> bool:
        return self.symbol == SUPPRESSED

    @property
    def csv_value(self) -> str:
        """The symbol, or the number without separators or markers."""
        if self.symbol is not None:
            return self.symbol
        if isinstance(self.value, Decimal):
            return format(self.value, "f")
        return str(self.value)

    def __str__(self) -> str:
        if self.symbol is not None:
            shown = self.symbol
        elif isinstance(self.value, Decimal):
            shown = format(self.value, ",f")
        else:
            shown = format(self.value, ",")
        if self.symbol in (None, LOW):
            if self.provisional:
                return f"{shown} {PROVISIONAL_MARKER}"
            if self.revised:
                return f"{shown} {REVISED_MARKER}"
        return shown


def _threshold(threshold: int | None) -> int:
    if threshold is None:
        threshold = settings.DISCLOSURE_THRESHOLD
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the disclosure threshold must be a positive int, not {threshold!r}")
    return threshold


def _check_count(n: int | None, name: str = "count") -> None:
    if n is None:
        return
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int or None, not {n!r}")
    if n < 0:
        raise ValueError(f"{name} must not be negative, not {n}")


def count_cell(
    n: int | None, *, threshold: int | None = None, provisional: bool = False, revised: bool = False
) -> Cell:
    """A count for publication: 1 to threshold - 1 is ``c``, None is ``x``, 0 is 0."""
    threshold = _threshold(threshold)
    _check_count(n)
    marks = {"provisional": provisional, "revised": revised}
    if n is None:
        return Cell(None, NOT_AVAILABLE, **marks)
    if 0 < n < threshold:
        return Cell(None, SUPPRESSED, **marks)
    return Cell(n, **marks)


def rate_cell(
    numerator: int | None,
    denominator: int | None,
    *,
    threshold: int | None = None,
    places: int = RATE_DECIMAL_PLACES,
    provisional: bool = False,
    revised: bool = False,
) -> Cell:
    """numerator / denominator as a percentage, rounded half up to ``places``.

    In order: either count None is ``x``; a denominator of 0 is ``z``; a
    numerator or denominator under the threshold (0 included) is ``c``; a
    percentage that rounds to zero is ``low``.
    """
    threshold = _threshold(threshold)
    _check_count(numerator, "numerator")
    _check_count(denominator, "denominator")
    if places < 0:
        raise ValueError("places must not be negative")
    marks = {"provisional": provisional, "revised": revised}
    if numerator is None or denominator is None:
        return Cell(None, NOT_AVAILABLE, **marks)
    if denominator == 0:
        return Cell(None, NOT_APPLICABLE, **marks)
    if numerator < threshold or denominator < threshold:
        return Cell(None, SUPPRESSED, **marks)
    rate = percentage(numerator, denominator, places=places)
    if rate == 0:
        return Cell(None, LOW, **marks)
    return Cell(rate, **marks)


def percentage(numerator, denominator, *, places: int = RATE_DECIMAL_PLACES) -> Decimal | None:
    """numerator / denominator as a percentage rounded half up to ``places``,
    None when the denominator is 0 or None. No suppression: for a school's
    own figures, money, and inside ``rate_cell``."""
    if numerator is None or not denominator:
        return None
    return (Decimal(100) * numerator / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def percentage_gap(disadvantaged: Decimal | None, others: Decimal | None) -> Decimal | None:
    """Percentage points by which disadvantaged pupils trail the others."""
    if disadvantaged is None or others is None:
        return None
    return others - disadvantaged


def shown_rate(numerator: Cell, denominator: Cell) -> Cell:
    """The rate of two published counts: shown only when both counts are
    (a hidden count's symbol otherwise), so a rate never says more than its
    counts."""
    if numerator.symbol or denominator.symbol:
        return Cell(None, numerator.symbol or denominator.symbol)
    return rate_cell(numerator.value, denominator.value)


def total_of_published(cells: Iterable[Cell]) -> Cell:
    """The total of published counts that are also published apart (the
    areas' own pages): shown only when every count is, since a total beside
    a hidden count gives it away by subtraction from the shown ones."""
    cells = list(cells)
    if any(cell.symbol for cell in cells):
        return Cell(None, SUPPRESSED)
    return count_cell(sum(cell.value for cell in cells))


def gap_cell(disadvantaged: Cell, others: Cell) -> Cell:
    """The gap between two published rates, in percentage points: ``c`` if
    either is suppressed, ``x`` if either is otherwise not a figure."""
    if SUPPRESSED in (disadvantaged.symbol, others.symbol):
        return Cell(None, SUPPRESSED)
    if disadvantaged.symbol or others.symbol:
        return Cell(None, NOT_AVAILABLE)
    return Cell(percentage_gap(disadvantaged.value, others.value))


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts ready to publish.

    ``rows[i][j]`` is the cell; ``row_totals[i]`` and ``column_totals[j]`` are
    None when the totals were not asked for, and ``grand_total`` is None unless
    both were.
    """

    rows: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...] | None
    column_totals: tuple[Cell, ...] | None
    grand_total: Cell | None


# Entry states in the working grid.
_SHOWN = "shown"
_HIDDEN = "hidden"  # suppressed: must not be recoverable
_UNKNOWN = "unknown"  # not available, or a total that is not shown: unknown, but not protected


def suppress_table(
    counts: Sequence[Sequence[int | None]],
    *,
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    keep_hidden: Iterable[tuple[int, int]] = (),
    hide_zeros: bool = False,
    unprotected: Iterable[tuple[int, int]] = (),
) -> SuppressedTable:
    """Primary and secondary suppression of a table of counts.

    The table and its totals form one (rows + 1) x (columns + 1) grid in which
    each row and each column adds up: a row's cells to its row total, a
    column's cells to its column total, the row totals and the column totals
    each to the grand total. Totals that are not shown are unknowns like an
    ``x``. An entry can be worked out from the others when it is the only
    unknown in its row or column, or (more subtly) when it is the only link
    between two groups of unknowns: adding up the equations of one group leaves
    it alone. So, until neither happens for any suppressed entry:

    1. a row or column whose only unknown is suppressed gets a complementary
       suppression: its smallest non-zero shown part, else its total, else a
       zero part; so does a line with a shown total whose hidden parts are
       all zeros (hidden zeros, ``hide_zeros``), which would add up to
       nothing and so be known;
    2. a suppressed entry that is the only link between two groups of
       unknowns (a bridge in the graph of rows and columns joined by unknown
       entries) gets a complement joining the two groups, chosen the same way
       (non-zero before zero, cells before totals, smallest first).

    Every step hides one more entry, so the loop ends. Bounds (a hidden count
    is at least 0, a primary-suppressed one at most threshold - 1) can still
    narrow a hidden value; exact recovery is what this rules out.

    ``keep_hidden`` are grid positions (totals at index n_rows or n_cols)
    hidden whatever their value: cells an earlier publication hid, or totals
    another table hides. ``hide_zeros`` protects zeros like small counts.
    ``unprotected`` are positions the reader does not know but that need no
    protection of their own (a difference of two hidden counts): they are
    unknowns in every line, and their values count when a line's hidden
    parts are added up.
    """
    threshold = _threshold(threshold)
    body = [list(row) for row in counts]
    n_rows = len(body)
    n_cols = len(body[0]) if body else 0
    for row in body:
        if len(row) != n_cols:
            raise ValueError("every row must have the same number of cells")
        for n in row:
            _check_count(n)
    if n_rows == 0 or n_cols == 0:
        return SuppressedTable(
            rows=tuple(() for _ in body),
            row_totals=() if row_totals else None,
            column_totals=() if column_totals else None,
            grand_total=Cell(0) if row_totals and column_totals else None,
        )

    grid = _augmented_grid(body)
    shown = _shown_entries(n_rows, n_cols, row_totals, column_totals)
    keep_hidden = set(keep_hidden)
    unprotected = set(unprotected)
    lowest_shown = 0 if hide_zeros else 1
    state = {}
    for position, value in grid.items():
        if position not in shown or value is None or position in unprotected:
            state[position] = _UNKNOWN
        elif lowest_shown <= value < threshold or position in keep_hidden:
            state[position] = _HIDDEN
        else:
            state[position] = _SHOWN

    _secondary_suppression(grid, state, n_rows, n_cols)

    def cell(position):
        if grid[position] is None:
            return Cell(None, NOT_AVAILABLE)
        if state[position] == _HIDDEN or position in unprotected:
            return Cell(None, SUPPRESSED)
        return Cell(grid[position])

    return SuppressedTable(
        rows=tuple(tuple(cell((i, j)) for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple(cell((i, n_cols)) for i in range(n_rows)) if row_totals else None,
        column_totals=tuple(cell((n_rows, j)) for j in range(n_cols)) if column_totals else None,
        grand_total=cell((n_rows, n_cols)) if row_totals and column_totals else None,
    )


def _augmented_grid(body):
    """{(i, j): value} with row totals in column n_cols, column totals in row
    n_rows and the grand total at the corner; a total over an unavailable
    count is None."""
    n_rows, n_cols = len(body), len(body[0])

    def total(values):
        return None if any(v is None for v in values) else sum(values)

    grid = {(i, j): body[i][j] for i in range(n_rows) for j in range(n_cols)}
    for i in range(n_rows):
        grid[(i, n_cols)] = total(body[i])
    for j in range(n_cols):
        grid[(n_rows, j)] = total([body[i][j] for i in range(n_rows)])
    grid[(n_rows, n_cols)] = total([grid[(i, n_cols)] for i in range(n_rows)])
    return grid


def _shown_entries(n_rows, n_cols, row_totals, column_totals):
    shown = {(i, j) for i in range(n_rows) for j in range(n_cols)}
    if row_totals:
        shown |= {(i, n_cols) for i in range(n_rows)}
    if column_totals:
        shown |= {(n_rows, j) for j in range(n_cols)}
    if row_totals and column_totals:
        shown.add((n_rows, n_cols))
    return shown


def _secondary_suppression(grid, state, n_rows, n_cols):
    lines = [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows + 1)]
    lines += [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols + 1)]

    def line_key(line):
        # Within a line: non-zero before zero, its parts before its total
        # (the last entry), then smallest, then first.
        def key(position):
            value = grid[position]
            return (value == 0, position == line[-1], value, position)

        return key

    def cut_key(position):
        # Across a cut: non-zero before zero, cells before totals before the
        # grand total, then smallest, then first.
        i, j = position
        value = grid[position]
        return (value == 0, (i == n_rows) + (j == n_cols), value, position)

    def hides_only_zeros(line):
        # Its total shown, its hidden and other unknown parts add up to 0:
        # each of them is 0 (counts are never negative).
        *parts, total = line
        unknown = [p for p in parts if state[p] != _SHOWN]
        return (
            state[total] == _SHOWN
            and any(state[p] == _HIDDEN for p in unknown)
            and all(grid[p] is not None for p in unknown)
            and sum(grid[p] for p in unknown) == 0
        )

    while True:
        for line in lines:
            unknown = [p for p in line if state[p] != _SHOWN]
            if (len(unknown) == 1 and state[unknown[0]] == _HIDDEN) or hides_only_zeros(line):
                candidates = [p for p in line if state[p] == _SHOWN]
                state[min(candidates, key=line_key(line))] = _HIDDEN
                break
        else:
            cut = _first_hidden_bridge_cut(state, n_rows, n_cols)
            if cut is None:
                return
            rows_a, cols_a, rows_b, cols_b = cut
            across = [(i, j) for i in rows_a for j in cols_b] + [
                (i, j) for i in rows_b for j in cols_a
            ]
            # Everything across the cut is shown, except the bridge itself.
            candidates = [p for p in across if state[p] == _SHOWN]
            state[min(candidates, key=cut_key)] = _HIDDEN


def _first_hidden_bridge_cut(state, n_rows, n_cols):
    """For the first suppressed entry whose row and column are joined by no
    other path of unknown entries, the rows and columns on each side once it
    is removed; None if there is no such entry.

    Nodes are ("r", i) and ("c", j) for the grid's rows and columns; each
    unknown entry (i, j) is an edge between them. Entry values in such a grid
    are determined exactly when their edge is a bridge.
    """
    edges = [p for p, s in state.items() if s != _SHOWN]
    neighbours = {}
    for i, j in edges:
        neighbours.setdefault(("r", i), []).append((("c", j), (i, j)))
        neighbours.setdefault(("c", j), []).append((("r", i), (i, j)))

    def reachable(start, without):
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for other, edge in neighbours[node]:
                if edge != without and other not in seen:
                    seen.add(other)
                    stack.append(other)
        return seen

    for i, j in sorted(p for p in edges if state[p] == _HIDDEN):
        side_a = reachable(("r", i), (i, j))
        if ("c", j) in side_a:
            continue
        side_b = reachable(("c", j), (i, j))

        def split(side):
            rows = sorted(n for kind, n in side if kind == "r")
            cols = sorted(n for kind, n in side if kind == "c")
            return rows, cols

        return (*split(side_a), *split(side_b))
    return None


# --- Series of publications (ADR 0011) ----------------------------------------

TOTAL_KEY = "Total"


@dataclass(frozen=True)
class SeriesPattern:
    """The cells hidden in the publications of one series so far.

    ``hidden`` maps a table's name ("coverage:on_roll") to the keys of its
    hidden entries: "row|column", with ``TOTAL_KEY`` for a total. Keys name
    what a cell counts (a school's URN and a year group), not where it sits,
    so a pattern survives a table gaining or reordering rows.
    """

    hidden: Mapping[str, frozenset[str]]

    @classmethod
    def empty(cls) -> SeriesPattern:
        return cls({})

    @classmethod
    def from_json(cls, data: Mapping[str, Sequence[str]]) -> SeriesPattern:
        return cls({table: frozenset(keys) for table, keys in data.items()})

    def as_json(self) -> dict[str, list[str]]:
        return {table: sorted(keys) for table, keys in sorted(self.hidden.items()) if keys}

    def in_table(self, table: str) -> frozenset[str]:
        return self.hidden.get(table, frozenset())

    def union(self, other: SeriesPattern) -> SeriesPattern:
        tables = set(self.hidden) | set(other.hidden)
        return SeriesPattern(
            {table: self.in_table(table) | other.in_table(table) for table in tables}
        )


def cell_key(row: str, column: str) -> str:
    return f"{row}|{column}"


@dataclass(frozen=True)
class KeyedTable:
    """A suppressed table, the keys of the entries it publishes and of those
    it hides."""

    table: SuppressedTable
    entries: frozenset[str]
    hidden: frozenset[str]

    def not_yet_hidden(self, keys) -> set[str]:
        """Which of ``keys`` this table publishes but does not hide."""
        return (set(keys) & self.entries) - self.hidden

    def hides(self, row: str, column: str) -> bool:
        return cell_key(row, column) in self.hidden


def suppress_keyed_table(
    counts: Sequence[Sequence[int | None]],
    *,
    row_keys: Sequence[str],
    column_keys: Sequence[str],
    pattern: SeriesPattern | None,
    table: str,
    also_hidden: Iterable[str] = (),
    unprotected: Iterable[str] = (),
    threshold: int | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
) -> KeyedTable:
    """``suppress_table`` with its entries named, inside a series.

    ``pattern`` None is a one-off publication (a school's own pages): zeros
    are shown and nothing is carried over. Otherwise the entries the series
    has hidden in ``table`` stay hidden, zeros are protected, and so are the
    keys in ``also_hidden`` (totals that another table of the same
    publication hides). ``unprotected`` keys are unknown to the reader but
    not protected (see ``suppress_table``).

    The result depends on nothing but these arguments, so it is kept (in
    this process, for the most recent tables): a live page publishes the
    same counts on request after request until they change."""
    keep = set(also_hidden)
    if pattern is not None:
        keep |= pattern.in_table(table)
    return _suppress_keyed(
        tuple(tuple(row) for row in counts),
        tuple(row_keys),
        tuple(column_keys),
        frozenset(keep),
        frozenset(unprotected),
        pattern is not None,
        _threshold(threshold),
        row_totals,
        column_totals,
    )


@lru_cache(maxsize=4096)
def _suppress_keyed(
    counts, row_keys, column_keys, keep, unprotected, series, threshold, row_totals, column_totals
) -> KeyedTable:
    rows = [*row_keys, TOTAL_KEY]
    columns = [*column_keys, TOTAL_KEY]
    positions = {
        cell_key(row, column): (i, j)
        for i, row in enumerate(rows)
        for j, column in enumerate(columns)
    }
    suppressed = suppress_table(
        counts,
        threshold=threshold,
        row_totals=row_totals,
        column_totals=column_totals,
        keep_hidden=[positions[key] for key in keep if key in positions],
        hide_zeros=series,
        unprotected=[positions[key] for key in unprotected if key in positions],
    )
    entries = {
        key: entry
        for key, (i, j) in positions.items()
        if (entry := _entry(suppressed, i, j, len(row_keys), len(column_keys))) is not None
    }
    hidden = {key for key, entry in entries.items() if entry.is_suppressed}
    return KeyedTable(suppressed, frozenset(entries), frozenset(hidden))


def _entry(table: SuppressedTable, i, j, n_rows, n_cols) -> Cell | None:
    if i < n_rows and j < n_cols:
        return table.rows[i][j]
    if i < n_rows:
        return table.row_totals[i] if table.row_totals else None
    if j < n_cols:
        return table.column_totals[j] if table.column_totals else None
    return table.grand_total
