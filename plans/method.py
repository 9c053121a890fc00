"""What the "How we judge progress" page states, worked out by the progress
engine with the defaults and settings the service runs it with, so that the
page says what the code does: change a rule or a setting and the page follows.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from . import neighbours, progress
from .models import Frequency, Indicator

# Derby's Year 1 phonics plan (DOMAIN.md): 64% in 2014, 82% by 2018.
EXAMPLE_BASELINE = progress.Point(date(2014, 7, 31), Decimal(64))
EXAMPLE_TARGETS = (
    progress.Target(date(2016, 7, 31), Decimal(73)),
    progress.Target(date(2018, 7, 31), Decimal(82), is_final=True),
)
EXAMPLE_MEASUREMENTS = (
    progress.Point(date(2015, 7, 31), Decimal(67)),
    progress.Point(date(2016, 7, 31), Decimal(73)),
    progress.Point(date(2017, 7, 31), Decimal(72)),
    progress.Point(date(2018, 7, 31), Decimal(82)),
)
# A comparator group of three LAs (illustrative figures): in 2018 the two
# members with figures published their counts; in 2019 one of the three did not.
EXAMPLE_GROUP = {
    "Authority A": (
        neighbours.MemberFigure(date(2018, 7, 31), Decimal(68), Decimal(340), Decimal(500)),
        neighbours.MemberFigure(date(2019, 7, 31), Decimal(70), Decimal(350), Decimal(500)),
    ),
    "Authority B": (
        neighbours.MemberFigure(date(2018, 7, 31), Decimal(62), Decimal(124), Decimal(200)),
        neighbours.MemberFigure(date(2019, 7, 31), Decimal(60), Decimal(120), Decimal(200)),
    ),
    "Authority C": (neighbours.MemberFigure(date(2019, 7, 31), Decimal(65)),),
}
# The forecast is made as if on the date of the last measurement before the final one.
EXAMPLE_FORECAST_MEASUREMENTS = EXAMPLE_MEASUREMENTS[:-1]


@dataclass(frozen=True)
class ExampleRow:
    """How the example would be judged if `measurement` were the latest."""

    measurement: progress.Point
    judgement: progress.Judgement
    allowed_shortfall: Decimal
    next_target: progress.Target
    days_from_start: int
    days_in_stage: int
    stage_start: progress.Point | progress.Target
    stage_end: progress.Target

    @property
    def planned_change(self) -> Decimal:
        return abs(self.next_target.value - EXAMPLE_BASELINE.value)


def _fraction_as_percent(fraction: Decimal) -> Decimal:
    return (fraction * 100).normalize()


def example_spec() -> progress.IndicatorSpec:
    return progress.IndicatorSpec(
        polarity=progress.Polarity.HIGHER,
        baseline=EXAMPLE_BASELINE,
        targets=EXAMPLE_TARGETS,
        tolerance=progress.DEFAULT_TOLERANCE,
        frequency_days=Indicator._meta.get_field("frequency_days").default,
        grace_days=settings.INDICATOR_GRACE_DAYS,
    )


def _example_row(spec, measurement):
    on = measurement.date
    stages = list(zip([spec.baseline, *spec.targets], spec.targets, strict=False))
    stage_start, stage_end = next(
        ((start, end) for start, end in stages if on <= end.date), stages[-1]
    )
    return ExampleRow(
        measurement=measurement,
        judgement=progress.judge(spec, [measurement], today=on),
        allowed_shortfall=progress.allowed_shortfall(spec, on),
        next_target=next((t for t in spec.targets if t.date > on), spec.final_target),
        days_from_start=(on - stage_start.date).days,
        days_in_stage=(stage_end.date - stage_start.date).days,
        stage_start=stage_start,
        stage_end=stage_end,
    )


def progress_method() -> dict:
    """The rules' figures for the page: defaults, the site-wide grace period,
    the forecast's minimum, and the worked example as the engine judges it."""
    spec = example_spec()
    default_frequency = Frequency(Indicator._meta.get_field("frequency_days").default)
    stale_example = EXAMPLE_MEASUREMENTS[2].date
    stale_from = progress.stale_from(spec, stale_example)
    return {
        "default_tolerance_percent": _fraction_as_percent(progress.DEFAULT_TOLERANCE),
        "grace_days": settings.INDICATOR_GRACE_DAYS,
        "frequencies": [Frequency(value) for value in Frequency.values],
        "default_frequency": default_frequency,
        "forecast_min_measurements": progress.FORECAST_MIN_MEASUREMENTS,
        "days_per_year": progress.DAYS_PER_YEAR,
        "stale_example": {
            "measured_on": stale_example,
            "age_limit_days": spec.frequency_days + spec.grace_days,
            "last_day_not_stale": stale_from - timedelta(days=1),
            "stale_from": stale_from,
        },
        "group_example": {
            "members": EXAMPLE_GROUP,
            "figures": neighbours.group_series(
                EXAMPLE_GROUP, members=len(EXAMPLE_GROUP), percentage=True
            ),
        },
        "example": {
            "spec": spec,
            "rows": [_example_row(spec, m) for m in EXAMPLE_MEASUREMENTS],
            "forecast": progress.forecast(spec, EXAMPLE_FORECAST_MEASUREMENTS),
            "forecast_measurements": EXAMPLE_FORECAST_MEASUREMENTS,
        },
    }
