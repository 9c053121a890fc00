"""core.disclosure: cells, symbols, rates and the suppression of tables.

The suppression tests attack every published table two ways: by subtraction
(any row or column with one unknown left is solved, repeatedly, so a recovered
value can unlock the next line) and by linear algebra over all the rows and
columns at once. Neither may recover a suppressed count.
"""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from core import disclosure
from core.disclosure import (
    LOW,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    Cell,
    count_cell,
    rate_cell,
    suppress_table,
)

# --- Attacks on a published table ----------------------------------------


def published_grid(table, n_rows, n_cols):
    """{(i, j): int or None} for the table and its totals as a reader sees
    them: None where the entry is a symbol or not shown."""
    grid = {}
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row):
            grid[(i, j)] = cell.value
    for i in range(n_rows):
        grid[(i, n_cols)] = table.row_totals[i].value if table.row_totals else None
    for j in range(n_cols):
        grid[(n_rows, j)] = table.column_totals[j].value if table.column_totals else None
    grid[(n_rows, n_cols)] = table.grand_total.value if table.grand_total else None
    return grid


def grid_lines(n_rows, n_cols):
    """Each row and column of the grid; the last entry is the line's total."""
    rows = [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows + 1)]
    columns = [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols + 1)]
    return rows + columns


def recover_by_subtraction(table, n_rows, n_cols):
    """Solve every line with one unknown, again and again; return {position:
    value} of everything recovered."""
    grid = published_grid(table, n_rows, n_cols)
    recovered = {}
    progress = True
    while progress:
        progress = False
        for line in grid_lines(n_rows, n_cols):
            unknown = [p for p in line if grid[p] is None]
            if len(unknown) != 1:
                continue
            (position,) = unknown
            *parts, total = line
            if position == total:
                value = sum(grid[p] for p in parts)
            else:
                value = grid[total] - sum(grid[p] for p in parts if p != position)
            grid[position] = recovered[position] = value
            progress = True
    return recovered


def _rank(matrix):
    rows = [list(r) for r in matrix]
    rank = 0
    width = len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def determined_by_linear_algebra(table, n_rows, n_cols):
    """Positions of unknown entries whose value follows from the system of all
    row and column sums (e_k lies in the row space of the coefficients)."""
    grid = published_grid(table, n_rows, n_cols)
    unknowns = sorted(p for p, v in grid.items() if v is None)
    if not unknowns:
        return set()
    index = {p: k for k, p in enumerate(unknowns)}
    equations = []
    for line in grid_lines(n_rows, n_cols):
        coefficients = [Fraction(0)] * len(unknowns)
        *parts, total = line
        for p in parts:
            if p in index:
                coefficients[index[p]] += 1
        if total in index:
            coefficients[index[total]] -= 1
        equations.append(coefficients)
    base = _rank(equations)
    determined = set()
    for p, k in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[k] = Fraction(1)
        if _rank([*equations, unit]) == base:
            determined.add(p)
    return determined


def suppressed_positions(table, n_rows, n_cols):
    positions = {
        (i, j) for i, row in enumerate(table.rows) for j, c in enumerate(row) if c.is_suppressed
    }
    if table.row_totals:
        positions |= {(i, n_cols) for i, c in enumerate(table.row_totals) if c.is_suppressed}
    if table.column_totals:
        positions |= {(n_rows, j) for j, c in enumerate(table.column_totals) if c.is_suppressed}
    if table.grand_total and table.grand_total.is_suppressed:
        positions.add((n_rows, n_cols))
    return positions


def assert_nothing_recoverable(table, counts):
    n_rows, n_cols = len(counts), len(counts[0])
    secret = suppressed_positions(table, n_rows, n_cols)
    by_subtraction = recover_by_subtraction(table, n_rows, n_cols)
    assert not secret & by_subtraction.keys(), f"recovered by subtraction: {by_subtraction}"
    by_algebra = determined_by_linear_algebra(table, n_rows, n_cols)
    assert not secret & by_algebra, f"determined by linear algebra: {secret & by_algebra}"


def shown(table):
    """The table as strings, for readable expectations."""
    return [[str(c) for c in row] for row in table.rows]


# --- Cell -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "text", "csv"),
    [
        (Cell(0), "0", "0"),
        (Cell(7), "7", "7"),
        (Cell(1234567), "1,234,567", "1234567"),
        (Cell(Decimal("12.50")), "12.50", "12.50"),
        (Cell(Decimal("1234.5")), "1,234.5", "1234.5"),
        (Cell(Decimal("-3.2")), "-3.2", "-3.2"),
        (Cell(Decimal("1E+2")), "100", "100"),
        (Cell(None, SUPPRESSED), "c", "c"),
        (Cell(None, NOT_AVAILABLE), "x", "x"),
        (Cell(None, NOT_APPLICABLE), "z", "z"),
        (Cell(None, LOW), "low", "low"),
        (Cell(1234, provisional=True), "1,234 p", "1234"),
        (Cell(Decimal("12.5"), revised=True), "12.5 r", "12.5"),
        (Cell(None, LOW, provisional=True), "low p", "low"),
        (Cell(None, SUPPRESSED, provisional=True), "c", "c"),
        (Cell(None, NOT_AVAILABLE, revised=True), "x", "x"),
    ],
)
def test_cell_text_and_csv_value(cell, text, csv):
    assert str(cell) == text
    assert cell.csv_value == csv


def test_only_c_is_suppressed():
    assert Cell(None, SUPPRESSED).is_suppressed
    assert not any(Cell(None, s).is_suppressed for s in (NOT_AVAILABLE, NOT_APPLICABLE, LOW))
    assert not Cell(3).is_suppressed


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"value": None}, TypeError),
        ({"value": 1.5}, TypeError),
        ({"value": True}, TypeError),
        ({"value": "7"}, TypeError),
        ({"value": Decimal("NaN")}, ValueError),
        ({"value": 3, "symbol": SUPPRESSED}, ValueError),
        ({"value": None, "symbol": "?"}, ValueError),
        ({"value": 3, "provisional": True, "revised": True}, ValueError),
    ],
)
def test_cell_rejects_inconsistent_contents(kwargs, error):
    with pytest.raises(error):
        Cell(**kwargs)


def test_cell_is_immutable():
    cell = Cell(5)
    with pytest.raises(AttributeError):
        cell.value = 3


# --- count_cell -------------------------------------------------------------


@pytest.mark.parametrize(("n", "text"), [(1, "c"), (2, "c"), (3, "c"), (4, "c")])
def test_small_counts_are_suppressed(n, text):
    cell = count_cell(n)
    assert str(cell) == text
    assert cell.value is None


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (5, "5"), (27, "27"), (36000, "36,000")])
def test_zero_and_counts_at_or_over_the_threshold_are_shown(n, text):
    assert str(count_cell(n)) == text
    assert count_cell(n).value == n


def test_a_missing_count_is_not_available():
    assert count_cell(None) == Cell(None, NOT_AVAILABLE)


def test_count_threshold_comes_from_settings(settings):
    settings.DISCLOSURE_THRESHOLD = 10
    assert count_cell(9).is_suppressed
    assert str(count_cell(10)) == "10"


def test_count_threshold_can_be_passed():
    assert count_cell(5, threshold=6).is_suppressed
    assert str(count_cell(4, threshold=3)) == "4"
    assert str(count_cell(1, threshold=1)) == "1"


def test_count_cell_carries_release_stage():
    assert str(count_cell(1500, provisional=True)) == "1,500 p"
    assert str(count_cell(3, revised=True)) == "c"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: count_cell(-1), ValueError),
        (lambda: count_cell(2.0), TypeError),
        (lambda: count_cell(7, threshold=0), ValueError),
        (lambda: count_cell(7, threshold="5"), ValueError),
    ],
)
def test_count_cell_rejects_bad_input(call, error):
    with pytest.raises(error):
        call()


# --- rate_cell --------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "kwargs", "text"),
    [
        (50, 200, {}, "25.0"),
        (200, 200, {}, "100.0"),
        (2, 3, {"threshold": 1, "places": 2}, "66.67"),
        (5, 40, {"places": 0}, "13"),  # 12.5 rounds half up, not to even
        (5, 8, {"places": 1}, "62.5"),
        (7, 9, {"places": 3}, "77.778"),
        (36000, 48000, {}, "75.0"),
        (10, 5, {}, "200.0"),
    ],
)
def test_rate_is_a_rounded_percentage(numerator, denominator, kwargs, text):
    cell = rate_cell(numerator, denominator, **kwargs)
    assert str(cell) == text
    assert isinstance(cell.value, Decimal)


@pytest.mark.parametrize(
    ("numerator", "denominator"), [(1, 200), (4, 200), (10, 4), (3, 3), (0, 200), (0, 5)]
)
def test_rate_with_a_numerator_or_denominator_under_the_threshold_is_suppressed(
    numerator, denominator
):
    assert rate_cell(numerator, denominator).is_suppressed


def test_rate_with_no_denominator_is_not_applicable():
    assert rate_cell(0, 0) == Cell(None, NOT_APPLICABLE)
    assert rate_cell(3, 0) == Cell(None, NOT_APPLICABLE)


@pytest.mark.parametrize(("numerator", "denominator"), [(None, 10), (10, None), (None, None)])
def test_rate_with_a_missing_count_is_not_available(numerator, denominator):
    assert rate_cell(numerator, denominator) == Cell(None, NOT_AVAILABLE)


def test_rate_that_rounds_to_zero_is_low():
    assert rate_cell(5, 20001) == Cell(None, LOW)  # 0.0249...%
    assert str(rate_cell(5, 10000)) == "0.1"  # 0.05% rounds half up
    assert rate_cell(5, 2000, places=0) == Cell(None, LOW)  # 0.25%
    assert str(rate_cell(5, 2000, places=2)) == "0.25"


def test_rate_threshold_from_settings_and_override(settings):
    settings.DISCLOSURE_THRESHOLD = 3
    assert str(rate_cell(3, 10)) == "30.0"
    assert rate_cell(3, 10, threshold=4).is_suppressed


def test_rate_carries_release_stage():
    assert str(rate_cell(50, 200, revised=True)) == "25.0 r"
    assert str(rate_cell(5, 20001, provisional=True)) == "low p"


def test_rate_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        rate_cell(-5, 10)
    with pytest.raises(ValueError, match="places"):
        rate_cell(5, 10, places=-1)


# --- suppress_table: worked examples --------------------------------------


def test_one_small_cell_takes_the_next_smallest_in_its_row_and_column():
    counts = [[3, 10, 12], [20, 15, 30]]
    table = suppress_table(counts)
    assert shown(table) == [["c", "c", "12"], ["c", "c", "30"]]
    assert [str(c) for c in table.row_totals] == ["25", "65"]
    assert [str(c) for c in table.column_totals] == ["23", "25", "42"]
    assert str(table.grand_total) == "90"
    assert_nothing_recoverable(table, counts)


def test_zero_is_shown_and_not_chosen_as_the_complement():
    counts = [[3, 0, 10], [8, 0, 9]]
    table = suppress_table(counts)
    assert shown(table) == [["c", "0", "c"], ["c", "0", "c"]]
    assert_nothing_recoverable(table, counts)


def test_total_is_chosen_before_a_zero_when_the_rest_of_the_line_is_zero():
    counts = [[3, 10], [0, 0], [0, 0]]
    table = suppress_table(counts)
    assert shown(table) == [["c", "c"], ["0", "0"], ["0", "0"]]
    assert [str(c) for c in table.row_totals] == ["13", "0", "0"]
    assert [str(c) for c in table.column_totals] == ["c", "c"]
    assert str(table.grand_total) == "13"
    assert_nothing_recoverable(table, counts)


def test_small_totals_are_suppressed_too():
    counts = [[1, 1], [1, 1]]
    table = suppress_table(counts)
    assert shown(table) == [["c", "c"], ["c", "c"]]
    assert all(c.is_suppressed for c in table.row_totals + table.column_totals)
    assert table.grand_total.is_suppressed


def test_a_suppressed_total_gets_a_complement_among_the_totals():
    # Row 0 adds up to 4: its total is c, so the row totals column (which adds
    # up to the grand total) needs a second hidden total.
    counts = [[2, 2, 0], [10, 20, 30], [40, 50, 60]]
    table = suppress_table(counts)
    assert [str(c) for c in table.row_totals] == ["c", "c", "150"]
    assert str(table.grand_total) == "214"
    assert_nothing_recoverable(table, counts)


def test_table_with_nothing_small_is_unchanged():
    counts = [[5, 6], [70, 0]]
    table = suppress_table(counts)
    assert shown(table) == [["5", "6"], ["70", "0"]]
    assert [c.value for c in table.row_totals] == [11, 70]
    assert [c.value for c in table.column_totals] == [75, 6]
    assert table.grand_total == Cell(81)


def test_missing_counts_are_not_available_and_so_are_their_totals():
    counts = [[None, 10], [20, 30]]
    table = suppress_table(counts)
    assert shown(table) == [["x", "10"], ["20", "30"]]
    assert [str(c) for c in table.row_totals] == ["x", "50"]
    assert [str(c) for c in table.column_totals] == ["x", "40"]
    assert str(table.grand_total) == "x"


def test_an_unknown_in_the_line_already_protects_a_small_count():
    counts = [[None, 3, 40], [20, 30, 40]]
    table = suppress_table(counts)
    # Row 0 has a total of x, so its 3 needs no partner there. Column 1 does
    # (the 30), and then row 1 does (the 20); column 0's total is x already.
    assert shown(table) == [["x", "c", "40"], ["c", "c", "40"]]
    assert [str(c) for c in table.row_totals] == ["x", "90"]
    assert_nothing_recoverable(table, counts)


def test_threshold_override_and_setting(settings):
    counts = [[7, 12], [30, 40]]
    assert shown(suppress_table(counts)) == [["7", "12"], ["30", "40"]]
    assert shown(suppress_table(counts, threshold=10)) == [["c", "c"], ["c", "c"]]
    settings.DISCLOSURE_THRESHOLD = 8
    table = suppress_table(counts)
    assert shown(table) == [["c", "c"], ["c", "c"]]
    assert_nothing_recoverable(table, counts)


def test_without_totals_only_small_counts_are_hidden():
    table = suppress_table([[3, 10], [20, 30]], row_totals=False, column_totals=False)
    assert shown(table) == [["c", "10"], ["20", "30"]]
    assert table.row_totals is None
    assert table.column_totals is None
    assert table.grand_total is None


def test_with_row_totals_only_rows_are_protected():
    table = suppress_table([[3, 10], [20, 30]], column_totals=False)
    assert shown(table) == [["c", "c"], ["20", "30"]]
    assert [str(c) for c in table.row_totals] == ["13", "50"]
    assert table.column_totals is None
    assert table.grand_total is None


def test_with_column_totals_only_columns_are_protected():
    table = suppress_table([[3, 10], [20, 30]], row_totals=False)
    assert shown(table) == [["c", "10"], ["c", "30"]]
    assert [str(c) for c in table.column_totals] == ["23", "40"]


def test_single_column_table_hides_the_row_total_of_a_small_count():
    table = suppress_table([[3], [12], [40]], column_totals=False)
    assert shown(table) == [["c"], ["12"], ["40"]]
    assert [str(c) for c in table.row_totals] == ["c", "12", "40"]


def test_empty_table():
    table = suppress_table([])
    assert table.rows == ()
    assert table.grand_total == Cell(0)


@pytest.mark.parametrize(
    ("counts", "error"),
    [
        ([[1, 2], [3]], ValueError),
        ([[1, -2]], ValueError),
        ([[1, 2.5]], TypeError),
    ],
)
def test_suppress_table_rejects_bad_input(counts, error):
    with pytest.raises(error):
        suppress_table(counts)


# A table where giving each small count a partner in its row and column is
# not enough: every row and column keeps two or more hidden entries, yet one
# hidden cell is the only link between two blocks of hidden entries, so adding
# up the rows of one block and subtracting its columns leaves that cell alone.
# Found by searching random tables with the bridge step switched off.
BRIDGED = [[0, 7, 0, 8], [200, 5, 3, 7], [7, 8, 5, 100], [2, 8, 4, 8]]


def test_subtraction_line_by_line_is_not_the_only_attack(monkeypatch):
    monkeypatch.setattr(disclosure, "_first_hidden_bridge_cut", lambda *args: None)
    weak = suppress_table(BRIDGED)
    n_rows, n_cols = len(BRIDGED), len(BRIDGED[0])
    secret = suppressed_positions(weak, n_rows, n_cols)
    assert not secret & recover_by_subtraction(weak, n_rows, n_cols).keys()
    assert secret & determined_by_linear_algebra(weak, n_rows, n_cols)


def test_bridges_between_hidden_blocks_are_closed():
    table = suppress_table(BRIDGED)
    assert_nothing_recoverable(table, BRIDGED)


# --- suppress_table: properties over many random tables --------------------


def random_counts(rng):
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 6)

    def count():
        roll = rng.random()
        if roll < 0.03:
            return None
        if roll < 0.25:
            return 0
        if roll < 0.55:
            return rng.randint(1, 9)
        return rng.randint(10, 120)

    return [[count() for _ in range(n_cols)] for _ in range(n_rows)]


def true_grid(counts):
    n_rows, n_cols = len(counts), len(counts[0])

    def total(values):
        return None if None in values else sum(values)

    grid = {(i, j): counts[i][j] for i in range(n_rows) for j in range(n_cols)}
    for i in range(n_rows):
        grid[(i, n_cols)] = total(counts[i])
    for j in range(n_cols):
        grid[(n_rows, j)] = total([row[j] for row in counts])
    grid[(n_rows, n_cols)] = total([grid[(i, n_cols)] for i in range(n_rows)])
    return grid


@pytest.mark.parametrize("seed", range(400))
def test_random_tables_leak_nothing(seed):
    rng = random.Random(seed)
    counts = random_counts(rng)
    threshold = rng.choice([3, 5, 5, 5, 10])
    row_totals, column_totals = rng.choice(
        [(True, True), (True, True), (True, False), (False, True)]
    )
    table = suppress_table(
        counts, threshold=threshold, row_totals=row_totals, column_totals=column_totals
    )
    n_rows, n_cols = len(counts), len(counts[0])
    truth = true_grid(counts)
    published = published_grid(table, n_rows, n_cols)
    secret = suppressed_positions(table, n_rows, n_cols)
    shown_positions = {p for p, v in published.items() if v is not None} | secret
    for position in shown_positions:
        value = truth[position]
        if value is not None and 0 < value < threshold:
            assert position in secret, f"{position}={value} shown"
        if position not in secret:
            assert published[position] == value
    for position, value in truth.items():
        if value is None and position in shown_positions:
            raise AssertionError(f"{position} should be x")
    assert_nothing_recoverable(table, counts)


def test_an_unprotected_unknown_counts_when_hidden_parts_add_up_to_nothing():
    """A difference table (on roll minus with an encounter): the first cell
    is unknown because both its counts are hidden, the second because one
    is. Both are 0, and the row's shown 7 beside its total 7 says they add
    up to 0, so both would be known: a shown part of the row joins them,
    though the first needs no protection of its own."""
    counts = [[0, 0, 7], [6, 8, 9]]
    table = suppress_table(counts, threshold=1, keep_hidden=[(0, 1)], unprotected=[(0, 0)])
    assert shown(table)[0] == ["c", "c", "c"]
    assert_nothing_recoverable(table, counts)
    # Unprotected on its own, the first cell gets no complement.
    alone = suppress_table([[0, 5], [6, 8]], threshold=1, unprotected=[(0, 0)])
    assert shown(alone) == [["c", "5"], ["6", "8"]]
