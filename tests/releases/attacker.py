"""A reader who tries to recover suppressed figures by differencing.

The reader writes every published figure down as a linear constraint over
integer unknowns, adds what anyone knows about how the figures relate, and
asks of each suppressed figure: does exactly one value fit everything? The
solver (bounds propagation, then probing each value of a figure's range)
never reports a figure pinned that is not; it is interval propagation, not a
complete search (see ``Problem.pinned``).

What the reader knows, besides the figures:
- every count is a whole number, at least 0, and c hides a count (any
  count: a complement need not be small);
- each table's rows and columns add up to its totals, and figures with the
  same meaning in two tables are one figure (a disadvantage table's
  year-group totals are the coverage table's; the lists by type and by
  programme count the same pupil encounters; the employer list's
  cornerstone and other employers add up to its total);
- pupils with encounters are among the pupils on roll;
- a percentage shown to one decimal place bounds its numerator or
  denominator when the other is known;
- between two successive publications (release to release, release to live
  page) one pupil changed: every figure rose by 0 or 1, and within each
  table at most one of its cells rose, and a sum rose by its parts' rises
  added up. This is the "one more encounter for one pupil" a reader can
  learn from the news or from the pupil.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core.disclosure import TOTAL_KEY, Cell

# No count in these small cohorts comes near it. A bound only narrows what
# the reader allows, so it can make a figure look pinned, never safe.
CAP = 100


@dataclass
class Problem:
    lo: dict = field(default_factory=dict)
    hi: dict = field(default_factory=dict)
    # Each constraint: ({variable: coefficient}, bound), meaning sum <= bound.
    at_most: list = field(default_factory=list)
    watching: dict = field(default_factory=dict)  # variable -> its constraints

    def variable(self, name, lo=0, hi=CAP):
        if name not in self.lo:
            self.lo[name], self.hi[name] = lo, hi
            self.watching[name] = []
        else:
            self.lo[name] = max(self.lo[name], lo)
            self.hi[name] = min(self.hi[name], hi)
        return name

    def equal(self, terms: dict, value):
        self.not_more(terms, value)
        self.not_more({v: -a for v, a in terms.items()}, -value)

    def not_more(self, terms: dict, value):
        terms = {v: a for v, a in terms.items() if a}
        index = len(self.at_most)
        self.at_most.append((terms, value))
        for v in terms:
            self.watching[v].append(index)

    # -- solving --------------------------------------------------------------

    def _propagate(self, lo, hi, queue):
        """Tighten bounds until nothing moves; False if nothing fits."""
        pending = set(queue)
        queue = list(pending)
        while queue:
            index = queue.pop()
            pending.discard(index)
            terms, bound = self.at_most[index]
            least = sum(a * (lo[v] if a > 0 else hi[v]) for v, a in terms.items())
            if least > bound:
                return False
            for v, a in terms.items():
                slack = bound - least + a * (lo[v] if a > 0 else hi[v])
                if a > 0:
                    limit = slack // a
                    if limit >= hi[v]:
                        continue
                    hi[v] = limit
                else:
                    limit = -(slack // -a)
                    if limit <= lo[v]:
                        continue
                    lo[v] = limit
                if lo[v] > hi[v]:
                    return False
                for other in self.watching[v]:
                    if other not in pending:
                        pending.add(other)
                        queue.append(other)
        return True

    def pinned(self, names):
        """{name: value} for each of ``names`` that only one value fits.

        Bounds propagation over every constraint, then, for each name, each
        value of its remaining range is tried in turn and propagated again
        (probing): a value is ruled out only when it contradicts the
        constraints, so a figure reported pinned is pinned. Probing a value
        is as far as the search goes: a figure the reader cannot pin this
        way would need case analysis over several figures at once."""
        lo, hi = dict(self.lo), dict(self.hi)
        assert self._propagate(lo, hi, range(len(self.at_most))), (
            "the published figures must be consistent with the truth"
        )
        result = {}
        for name in names:
            fits = []
            for value in range(lo[name], hi[name] + 1):
                trial_lo, trial_hi = dict(lo), dict(hi)
                trial_lo[name] = trial_hi[name] = value
                if self._propagate(trial_lo, trial_hi, self.watching[name]):
                    fits.append(value)
                    if len(fits) > 1:
                        break
            assert fits, "the truth fits"
            if len(fits) == 1:
                result[name] = fits[0]
        return result


# --- Reading publications ---------------------------------------------------------


def _value(cell):
    """A published count: its value, or None where it is a symbol."""
    return None if cell.symbol else cell.value


class Reader:
    """Collects publications (each a dict from ``observe_*``) into a Problem."""

    def __init__(self):
        self.problem = Problem()
        self.suppressed = []  # variable names of every c the reader saw
        self.tables = {}  # publication -> table -> body variable names
        self.sums = []  # (parts, total) of every adds_up

    def figure(self, publication, table, key, cell):
        name = (publication, table, key)
        self.problem.variable(name)
        if cell is not None:
            value = _value(cell)
            if value is not None:
                self.problem.lo[name] = self.problem.hi[name] = value
            elif cell.is_suppressed:
                self.suppressed.append(name)
        return name

    def adds_up(self, parts, total):
        terms = {}
        for part in parts:
            terms[part] = terms.get(part, 0) + 1
        terms[total] = terms.get(total, 0) - 1
        self.problem.equal(terms, 0)
        self.sums.append((list(parts), total))

    def same(self, a, b):
        self.problem.equal({a: 1, b: -1}, 0)

    def percentage(self, rate_cell, numerator, denominator):
        """A shown percentage p (one decimal place, rounded half up):
        p - 0.05 <= 100 n / d < p + 0.05, that is (times 20 d)
        (20 p - 1) d <= 2000 n and 2000 n <= (20 p + 1) d - 1."""
        if rate_cell is None or rate_cell.symbol:
            return
        twenty_p = int(Decimal(rate_cell.value) * 20)
        self.problem.not_more({denominator: twenty_p - 1, numerator: -2000}, 0)
        self.problem.not_more({numerator: 2000, denominator: -(twenty_p + 1)}, -1)

    def body(self, publication, table, names):
        self.tables.setdefault(publication, {}).setdefault(table, []).extend(names)

    def one_pupil_changed(self, before, after):
        """Every figure of ``after`` is the same figure of ``before`` plus 0 or
        1; within a table at most one cell rose."""
        problem = self.problem
        names = {name[1:]: name for name in problem.lo if name[0] == after}
        for key, later in names.items():
            earlier = (before, *key)
            if earlier not in problem.lo:
                continue
            rise = ("rise", before, *key)
            problem.variable(rise, 0, 1)
            problem.equal({later: 1, earlier: -1, rise: -1}, 0)
        for cells in self.tables.get(after, {}).values():
            rises = [("rise", before, *name[1:]) for name in cells]
            rises = [r for r in rises if r in problem.lo]
            if rises:
                problem.not_more(dict.fromkeys(rises, 1), 1)
        # A sum's rise is its parts' rises added up. The sums imply it, but
        # bounds propagation does not find it on its own: with it the reader
        # sees where a pupil's change went, row and column at once.
        for parts, total in self.sums:
            if total[0] != after:
                continue
            rise = ("rise", before, *total[1:])
            part_rises = [("rise", before, *part[1:]) for part in parts]
            if rise in problem.lo and all(r in problem.lo for r in part_rises):
                terms = {}
                for r in part_rises:
                    terms[r] = terms.get(r, 0) + 1
                terms[rise] = terms.get(rise, 0) - 1
                problem.equal(terms, 0)

    def recovered(self):
        """{variable: value} of every suppressed figure the reader can pin."""
        return self.problem.pinned(self.suppressed)


# --- What each surface publishes -------------------------------------------------


def observe_coverage(reader, publication, published):
    """The area's coverage tables and the disadvantage table, as the page,
    the CSV, the API and the report show them (they all read this)."""
    tables = published["by_measure"]
    if not tables:
        return
    years = [str(y) for y, _ in published["year_groups"]]
    names = {}
    for measure, table in tables.items():
        t = f"coverage:{measure}"
        urns = [str(row["school"].urn) for row in table["rows"]]
        cells = {}
        for i, row in enumerate(table["rows"]):
            for j, c in enumerate(row["cells"]):
                cells[(urns[i], years[j])] = c
            cells[(urns[i], TOTAL_KEY)] = row["total"]
        for j, c in enumerate(table["totals"]):
            cells[(TOTAL_KEY, years[j])] = c
        cells[(TOTAL_KEY, TOTAL_KEY)] = table["grand_total"]
        var = {k: reader.figure(publication, t, k, c.count) for k, c in cells.items()}
        names[measure] = var
        reader.body(publication, t, [var[(u, y)] for u in urns for y in years])
        for u in [*urns, TOTAL_KEY]:
            reader.adds_up([var[(u, y)] for y in years], var[(u, TOTAL_KEY)])
        for y in [*years, TOTAL_KEY]:
            reader.adds_up([var[(u, y)] for u in urns], var[(TOTAL_KEY, y)])
        if measure != "on_roll":
            for k, c in cells.items():
                reader.percentage(c.rate, var[k], names["on_roll"][k])
    for measure in ("with_one", "with_four"):
        for k, v in names[measure].items():
            reader.problem.not_more({v: 1, names["on_roll"][k]: -1}, 0)
    for j, row in enumerate(published["disadvantage"]):
        y = years[j]
        groups = {
            "on_roll": (row["disadvantaged_on_roll"], row["others_on_roll"]),
            "with_four": (row["disadvantaged"].count, row["others"].count),
        }
        split = {}
        for measure, cells in groups.items():
            t = f"disadvantage:{measure}"
            split[measure] = [
                reader.figure(publication, t, (group, y), c)
                for group, c in zip(("disadvantaged", "others"), cells, strict=True)
            ]
            reader.body(publication, t, split[measure])
            reader.adds_up(split[measure], names[measure][(TOTAL_KEY, y)])
        for g in (0, 1):
            reader.problem.not_more({split["with_four"][g]: 1, split["on_roll"][g]: -1}, 0)
        reader.percentage(row["disadvantaged"].rate, split["with_four"][0], split["on_roll"][0])
        reader.percentage(row["others"].rate, split["with_four"][1], split["on_roll"][1])


def observe_breakdown(reader, publication, breakdown, *, sentence=None):
    """The lists by type, programme and employer and the share sentence.

    ``sentence`` overrides the sentence's figures (share, of N) to attack a
    sentence computed apart from the list, as it used to be."""
    totals = {}
    for listing in ("by_type", "by_programme"):
        rows = breakdown[listing]["rows"]
        t = f"breakdown:{listing}"
        parts = [reader.figure(publication, t, row["label"], row["pupils"]) for row in rows]
        reader.body(publication, t, parts)
        total = reader.figure(publication, t, TOTAL_KEY, breakdown[listing]["total"])
        reader.adds_up(parts, total)
        totals[listing] = total
    reader.same(totals["by_type"], totals["by_programme"])
    t = "breakdown:employers"
    rows = breakdown["by_employer"]["rows"]
    cornerstone = [
        reader.figure(publication, t, row["label"], row["pupils"])
        for row in rows
        if row["label"].endswith("(cornerstone)")
    ]
    others = [
        reader.figure(publication, t, row["label"], row["pupils"])
        for row in rows
        if not row["label"].endswith("(cornerstone)")
    ]
    reader.body(publication, t, cornerstone + others)
    share, of_n = sentence or (breakdown["cornerstone_share"], breakdown["employer_encounters"])
    total = reader.figure(publication, t, TOTAL_KEY, of_n)
    c_total = reader.figure(publication, t, "cornerstone subtotal", None)
    o_total = reader.figure(publication, t, "other subtotal", None)
    reader.adds_up(cornerstone, c_total)
    reader.adds_up(others, o_total)
    reader.adds_up([c_total, o_total], total)
    reader.percentage(share, c_total, total)


DASHBOARD_COUNTS = (
    ("on_roll", "coverage:on_roll", None),
    ("with_four", "coverage:with_four", None),
    ("disadvantaged_on_roll", "disadvantage:on_roll", "disadvantaged"),
    ("disadvantaged_with_four", "disadvantage:with_four", "disadvantaged"),
    ("others_on_roll", "disadvantage:on_roll", "others"),
    ("others_with_four", "disadvantage:with_four", "others"),
)
DASHBOARD_RATES = (
    ("four_rate", "with_four", "on_roll"),
    ("disadvantaged_four_rate", "disadvantaged_with_four", "disadvantaged_on_roll"),
    ("others_four_rate", "others_with_four", "others_on_roll"),
)


def observe_dashboard(reader, live, rows, total):
    """The cross-area dashboard's encounter columns (page, open data and API
    read the same figures): for each area, its pupils on roll and the three
    rates, and the same for the all-areas total, which adds the areas up.

    ``live`` is, per dashboard row, the name of the area's live publication
    and its published coverage: the dashboard is read at the same moment as
    the live area pages, so an area's figures on it are the same unknowns.
    The gap is the difference of two shown rates, so it says nothing more."""
    by_area = [_area_counts(reader, publication, published) for publication, published in live]
    for counts, figures in zip(by_area, rows, strict=True):
        _observe_counts(reader, counts, figures)
    totals = {
        name: reader.figure("dashboard", "total", name, None) for name, *_ in DASHBOARD_COUNTS
    }
    for name, variable in totals.items():
        reader.adds_up([counts[name] for counts in by_area], variable)
    _observe_counts(reader, totals, total)


def _observe_counts(reader, counts, figures):
    on_roll = figures["on_roll"]
    if on_roll.symbol:
        if on_roll.is_suppressed:
            reader.suppressed.append(counts["on_roll"])
    else:
        reader.problem.variable(counts["on_roll"], on_roll.value, on_roll.value)
    for rate, numerator, denominator in DASHBOARD_RATES:
        reader.percentage(figures[rate], counts[numerator], counts[denominator])
        reader.problem.not_more({counts[numerator]: 1, counts[denominator]: -1}, 0)


def _area_counts(reader, publication, published):
    """The area-wide counts behind an area's dashboard row, as unknowns of
    its live publication: the coverage tables' grand totals and the
    disadvantage tables' row totals (the sums of their year groups)."""
    if not published["by_measure"]:
        return {
            name: reader.figure(publication, "dashboard", name, Cell(0))
            for name, *_ in DASHBOARD_COUNTS
        }
    years = [str(y) for y, _ in published["year_groups"]]
    split = published["disadvantage_total"]
    cells = {
        "disadvantaged_on_roll": split["disadvantaged_on_roll"],
        "disadvantaged_with_four": split["disadvantaged"].count,
        "others_on_roll": split["others_on_roll"],
        "others_with_four": split["others"].count,
    }
    counts = {}
    for name, table, group in DASHBOARD_COUNTS:
        if group is None:
            counts[name] = (publication, table, (TOTAL_KEY, TOTAL_KEY))
            continue
        counts[name] = reader.figure(publication, table, (group, TOTAL_KEY), cells[name])
        reader.adds_up([(publication, table, (group, y)) for y in years], counts[name])
    return counts
