"""The progress engine: how an indicator's measurements are judged against its plan.

Pure functions over plain values, with no ORM, so the rules in DOMAIN.md ("How progress
is judged") are written once and tested without a database. The plans app's selectors
build an `IndicatorSpec` from model rows and call `judge`, `forecast`, `trajectory` and
`roll_up`. The page plans/how_we_judge_progress.html explains the same rules in plain
English, with its figures worked out by this module (plans/method.py); change its
wording with the rules.

Where DOMAIN.md leaves room, this module decides:

- Dates are compared by whole days. Values are Decimals and are never rounded here
  (only Decimal division rounds, at the context precision); round for display.
- For a relative indicator every value judged is a gap, `value - comparator`, and the
  targets are gaps: 0 means "at least the comparator" (polarity higher), -2 means "no
  more than 2 points below it". The comparator series is read by `comparator_value`.
  A relative indicator with no comparator points cannot be judged: its status is
  no data, and `expected_value` and `trajectory` raise ValueError.
- The "planned change" that the tolerance is a fraction of is its size,
  |next target - baseline|, whichever direction the plan goes.
- Measurements dated on or before the baseline date are ignored everywhere. When two
  measurements share a date, the later one in the input wins (it is taken as a
  correction). `today` is used only for the stale flag.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

# Used only to express a forecast's slope per year; the average year over the leap cycle.
DAYS_PER_YEAR = Decimal("365.25")
# The share of the planned change an indicator may fall short by and be at risk rather
# than off track, unless its plan sets another.
DEFAULT_TOLERANCE = Decimal("0.25")
# Measurements after the baseline, on distinct dates, that a forecast needs (ADR 0005).
FORECAST_MIN_MEASUREMENTS = 2


class Polarity(StrEnum):
    """Which direction is better for an indicator."""

    HIGHER = "higher"
    LOWER = "lower"

    def meets(self, value: Decimal, benchmark: Decimal) -> bool:
        """Whether `value` meets or beats `benchmark` in this direction."""
        return value >= benchmark if self is Polarity.HIGHER else value <= benchmark

    def shortfall(self, value: Decimal, benchmark: Decimal) -> Decimal:
        """How far `value` falls short of `benchmark` in this direction; 0 if it meets it."""
        short = benchmark - value if self is Polarity.HIGHER else value - benchmark
        return max(short, Decimal(0))


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.ACHIEVED: "Achieved",
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.NO_DATA: "No data",
}


def _check_dated_value(when: object, value: object, what: str) -> None:
    # A datetime would fail later, comparing with dates; a float would lose exactness.
    if isinstance(when, datetime) or not isinstance(when, date):
        raise TypeError(f"{what} date must be a datetime.date, not {type(when).__name__}")
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} value must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} value must be a finite number, not {value}")


@dataclass(frozen=True)
class Point:
    """A dated value: a baseline, a measurement or a comparator figure."""

    date: date
    value: Decimal

    def __post_init__(self) -> None:
        _check_dated_value(self.date, self.value, "A point's")


@dataclass(frozen=True)
class Target:
    """A dated target. For a relative indicator the value is a gap to the comparator."""

    date: date
    value: Decimal
    is_final: bool = False

    def __post_init__(self) -> None:
        _check_dated_value(self.date, self.value, "A target's")


@dataclass(frozen=True)
class IndicatorSpec:
    """Everything the engine needs to know about one indicator's plan.

    Targets and comparator points may be given in any order (and as lists); they are
    stored sorted by date as tuples. The latest target is the final one. Raises
    ValueError for a plan that cannot be judged.
    """

    polarity: Polarity
    baseline: Point
    targets: tuple[Target, ...]
    tolerance: Decimal = DEFAULT_TOLERANCE
    frequency_days: int = 365
    grace_days: int = 30
    relative: bool = False
    comparator: tuple[Point, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "polarity", Polarity(self.polarity))
        targets = tuple(sorted(self.targets, key=lambda target: target.date))
        comparator = tuple(sorted(self.comparator, key=lambda point: point.date))
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "comparator", comparator)

        if not targets:
            raise ValueError("An indicator needs at least one target.")
        for earlier, later in pairwise(targets):
            if earlier.date == later.date:
                raise ValueError(
                    f"Two targets are dated {later.date.isoformat()}; "
                    "each target needs its own date."
                )
        if targets[0].date <= self.baseline.date:
            raise ValueError(
                f"The target dated {targets[0].date.isoformat()} is not after the baseline "
                f"date {self.baseline.date.isoformat()}; every target must be after it."
            )
        marked_final = [target for target in targets if target.is_final]
        if len(marked_final) > 1:
            raise ValueError(f"Only one target can be final; {len(marked_final)} are marked final.")
        if marked_final and marked_final[0] is not targets[-1]:
            raise ValueError(
                f"The target marked final ({marked_final[0].date.isoformat()}) is not the "
                f"latest target ({targets[-1].date.isoformat()}); the final target must be "
                "the latest."
            )
        if not isinstance(self.tolerance, Decimal) or self.tolerance < 0:
            raise ValueError(f"Tolerance must be a Decimal of 0 or more, not {self.tolerance!r}.")
        if self.frequency_days < 1:
            raise ValueError(
                f"Reporting frequency must be at least 1 day, not {self.frequency_days}."
            )
        if self.grace_days < 0:
            raise ValueError(f"Grace period must not be negative, not {self.grace_days} days.")
        for earlier, later in pairwise(comparator):
            if earlier.date == later.date:
                raise ValueError(
                    f"Two comparator figures are dated {later.date.isoformat()}; "
                    "keep one figure per date."
                )

    @property
    def final_target(self) -> Target:
        return self.targets[-1]

    @property
    def missing_comparator(self) -> bool:
        """True for a relative indicator with no comparator figures: it cannot be judged."""
        return self.relative and not self.comparator


@dataclass(frozen=True)
class Forecast:
    """Where the least-squares line through the baseline and measurements is heading.

    Values are gaps for a relative indicator.
    """

    final_date: date
    projected: Decimal
    target: Decimal
    meets_target: bool
    slope_per_year: Decimal


@dataclass(frozen=True)
class Judgement:
    status: Status
    stale: bool
    latest: Point | None
    compared_value: Decimal | None
    expected: Decimal | None
    shortfall: Decimal | None
    forecast: Forecast | None


@dataclass(frozen=True)
class RollUp:
    indicators: dict[Status, int]
    stale: int
    actions: dict[str, int]
    overdue: int
    total_indicators: int
    total_actions: int


def _interpolate(points: Sequence[Point | Target], on: date) -> Decimal:
    """Linear in days between points sorted by distinct dates; flat beyond both ends."""
    if on <= points[0].date:
        return points[0].value
    for start, end in pairwise(points):
        if on <= end.date:
            elapsed = (on - start.date).days
            span = (end.date - start.date).days
            return start.value + (end.value - start.value) * elapsed / span
    return points[-1].value


def comparator_value(spec: IndicatorSpec, on: date) -> Decimal | None:
    """The comparator series (e.g. the national figure) at a date.

    Linear interpolation by days between comparator figures; before the first figure,
    the first figure; after the last, the last. None if there are no figures.
    """
    if not spec.comparator:
        return None
    return _interpolate(spec.comparator, on)


def compared_value(spec: IndicatorSpec, point: Point) -> Decimal | None:
    """The value that is judged: the point's own value, or for a relative indicator its
    gap to the comparator on the same date (None if there is no comparator)."""
    if not spec.relative:
        return point.value
    comparator = comparator_value(spec, point.date)
    return None if comparator is None else point.value - comparator


def _baseline_compared(spec: IndicatorSpec) -> Decimal:
    value = compared_value(spec, spec.baseline)
    if value is None:
        raise ValueError(
            "This indicator's targets are relative to a comparator series, "
            "but the series has no figures."
        )
    return value


def trajectory(spec: IndicatorSpec) -> list[Point]:
    """The planned path for charts: the baseline, then each target in date order.

    For a relative indicator the values are gaps (the baseline's gap first).
    """
    baseline = Point(spec.baseline.date, _baseline_compared(spec))
    return [baseline, *(Point(target.date, target.value) for target in spec.targets)]


def expected_value(spec: IndicatorSpec, on: date) -> Decimal:
    """The value (or gap) the plan expects at a date.

    Linear interpolation by days between the baseline and the targets in date order;
    the baseline's value on or before its date; the final target's value on or after
    its date.
    """
    return _interpolate(trajectory(spec), on)


def _after_baseline(spec: IndicatorSpec, measurements: Iterable[Point]) -> dict[date, Point]:
    """Measurements that count, one per date (the later in the input wins), by date."""
    by_date: dict[date, Point] = {}
    for measurement in measurements:
        if measurement.date > spec.baseline.date:
            by_date[measurement.date] = measurement
    return by_date


def stale_from(spec: IndicatorSpec, last_reported: date) -> date:
    """The first day on which a figure dated `last_reported` makes the indicator stale:
    when it is more than frequency_days + grace_days old."""
    return last_reported + timedelta(days=spec.frequency_days + spec.grace_days + 1)


def _is_stale(spec: IndicatorSpec, latest: Point | None, today: date) -> bool:
    # With no measurement, the baseline is the most recent figure the board has.
    last_reported = latest.date if latest is not None else spec.baseline.date
    return today >= stale_from(spec, last_reported)


def allowed_shortfall(spec: IndicatorSpec, on: date) -> Decimal:
    """The largest shortfall at a date that is at risk rather than off track: the
    tolerance times |next target - baseline|, the next target being the first dated
    after `on` (the final target once that date has passed)."""
    next_target = next((target for target in spec.targets if target.date > on), spec.final_target)
    return spec.tolerance * abs(next_target.value - _baseline_compared(spec))


def _status(spec: IndicatorSpec, on: date, compared: Decimal, shortfall: Decimal) -> Status:
    if spec.polarity.meets(compared, spec.final_target.value):
        return Status.ACHIEVED
    if shortfall == 0:
        return Status.ON_TRACK
    # A zero planned change allows no shortfall at all, so any shortfall is off track.
    if shortfall <= allowed_shortfall(spec, on):
        return Status.AT_RISK
    return Status.OFF_TRACK


def judge(spec: IndicatorSpec, measurements: Sequence[Point], *, today: date) -> Judgement:
    """Judge an indicator by its latest measurement after the baseline.

    - achieved: the latest value meets or beats the final target (at any date);
    - on track: it meets or beats the expected value at its date;
    - at risk: it falls short of the expected value by at most `tolerance` times the
      planned change from the baseline to the next target (the first target dated
      after the measurement; the final target once that date has passed);
    - off track: it falls short by more;
    - no data: no measurement dated after the baseline, or a relative indicator with
      no comparator figures.

    Stale: the latest measurement (with none, the baseline) is more than
    frequency_days + grace_days old at `today`.
    """
    counted = _after_baseline(spec, measurements)
    latest = counted[max(counted)] if counted else None
    stale = _is_stale(spec, latest, today)
    if latest is None or spec.missing_comparator:
        return Judgement(
            status=Status.NO_DATA,
            stale=stale,
            latest=latest,
            compared_value=None,
            expected=None,
            shortfall=None,
            forecast=None,
        )
    compared = compared_value(spec, latest)
    expected = expected_value(spec, latest.date)
    shortfall = spec.polarity.shortfall(compared, expected)
    return Judgement(
        status=_status(spec, latest.date, compared, shortfall),
        stale=stale,
        latest=latest,
        compared_value=compared,
        expected=expected,
        shortfall=shortfall,
        forecast=forecast(spec, counted.values()),
    )


def forecast(spec: IndicatorSpec, measurements: Iterable[Point]) -> Forecast | None:
    """Project the ordinary least-squares line (x in days) through the baseline and the
    measurements after it to the final target date. Relative indicators fit the gaps.

    DOMAIN.md asks for "two points or more" and the acceptance criteria say a single
    measurement gives no forecast. Both hold if at least two measurements (on distinct
    dates) after the baseline are needed: with only one, the line is just the straight
    line from the baseline, which restates the status rather than forecasting. The
    baseline is still one of the fitted points. Returns None with fewer, or for a
    relative indicator with no comparator figures.
    """
    if spec.missing_comparator:
        return None
    counted = _after_baseline(spec, measurements)
    if len(counted) < FORECAST_MIN_MEASUREMENTS:
        return None
    origin = spec.baseline.date
    xs = [0, *((when - origin).days for when in counted)]
    ys = [_baseline_compared(spec), *(compared_value(spec, point) for point in counted.values())]
    n = len(xs)
    sum_x = sum(xs)
    sum_y = sum(ys)
    # slope = numerator / denominator; kept as a fraction so that each result is a single
    # division, exact wherever the answer is.
    numerator = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sum_x * sum_y
    denominator = n * sum(x * x for x in xs) - sum_x * sum_x
    final = spec.final_target
    final_x = (final.date - origin).days
    # mean(y) + slope * (final_x - mean(x)), over a common denominator.
    projected = (sum_y * denominator + numerator * (n * final_x - sum_x)) / (n * denominator)
    return Forecast(
        final_date=final.date,
        projected=projected,
        target=final.value,
        meets_target=spec.polarity.meets(projected, final.value),
        slope_per_year=numerator * DAYS_PER_YEAR / denominator,
    )


def roll_up(
    judgements: Iterable[Judgement],
    actions: Iterable[tuple[str, bool]],
    *,
    action_statuses: Sequence[str],
) -> RollUp:
    """Counts for a priority: indicators by status (every status, zero if none), how
    many are stale, actions by RAG status (in `action_statuses` order) and how many are
    overdue. Counts only: never an average of values in different units.

    `actions` are (RAG status, is overdue) pairs; a status not in `action_statuses`
    raises ValueError rather than silently dropping out of the counts.
    """
    if len(set(action_statuses)) != len(action_statuses):
        raise ValueError(f"Action statuses must be distinct: {list(action_statuses)}")
    indicators = dict.fromkeys(Status, 0)
    stale = 0
    for judgement in judgements:
        indicators[judgement.status] += 1
        stale += int(judgement.stale)
    by_status = dict.fromkeys(action_statuses, 0)
    overdue = 0
    for status, is_overdue in actions:
        if status not in by_status:
            raise ValueError(
                f"Action status {status!r} is not one of {', '.join(map(repr, by_status))}."
            )
        by_status[status] += 1
        overdue += int(is_overdue)
    return RollUp(
        indicators=indicators,
        stale=stale,
        actions=by_status,
        overdue=overdue,
        total_indicators=sum(indicators.values()),
        total_actions=sum(by_status.values()),
    )
