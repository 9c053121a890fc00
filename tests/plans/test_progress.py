"""The progress engine against DOMAIN.md "How progress is judged".

Pure functions, so no database. Figures are from real Opportunity Area plans where
DOMAIN.md gives them (Derby phonics and GLD, Derby KS2, West Somerset FSM GLD) and
national figures from DfE statistics.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from plans.progress import (
    DAYS_PER_YEAR,
    Forecast,
    IndicatorSpec,
    Judgement,
    Point,
    Polarity,
    Status,
    Target,
    comparator_value,
    compared_value,
    expected_value,
    forecast,
    judge,
    roll_up,
    trajectory,
)

D = Decimal

BASELINE_DATE = date(2014, 7, 31)
INTERIM_DATE = date(2016, 7, 31)  # 731 days after the baseline (2016 is a leap year)
FINAL_DATE = date(2018, 7, 31)  # 730 days after the interim target
TODAY = date(2018, 9, 1)


def phonics(polarity=Polarity.HIGHER, **overrides):
    """Derby: Year 1 pupils meeting the phonics standard, 64% (2014) to 82% (2018),
    with an interim target of 73% in 2016.

    Polarity lower is the same plan told the other way round, "pupils not meeting the
    standard": every value v becomes 100 - v, so every judgement must come out the same.
    """
    flip = _flip(polarity)
    fields = {
        "polarity": polarity,
        "baseline": Point(BASELINE_DATE, flip(D(64))),
        "targets": (
            Target(INTERIM_DATE, flip(D(73))),
            Target(FINAL_DATE, flip(D(82)), is_final=True),
        ),
    }
    return IndicatorSpec(**(fields | overrides))


def _flip(polarity):
    return (lambda v: v) if polarity is Polarity.HIGHER else (lambda v: 100 - v)


def measured(polarity, on, value):
    return [Point(on, _flip(polarity)(D(value)))]


BOTH_POLARITIES = pytest.mark.parametrize("polarity", list(Polarity))


# --- Status and its labels ---------------------------------------------------------


def test_status_labels():
    assert [status.label for status in Status] == [
        "Achieved",
        "On track",
        "At risk",
        "Off track",
        "No data",
    ]


def test_polarity_is_accepted_as_its_stored_string():
    assert phonics(polarity="higher").polarity is Polarity.HIGHER


# --- Expected value ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2010, 1, 1), D(64), id="long before the baseline"),
        pytest.param(date(2014, 7, 30), D(64), id="the day before the baseline"),
        pytest.param(BASELINE_DATE, D(64), id="on the baseline date"),
        pytest.param(date(2015, 7, 31), D(64) + D(9) * 365 / 731, id="365 of 731 days"),
        pytest.param(INTERIM_DATE, D(73), id="on the interim target"),
        pytest.param(date(2017, 7, 31), D("77.5"), id="half way between the targets"),
        pytest.param(FINAL_DATE, D(82), id="on the final target"),
        pytest.param(date(2025, 1, 1), D(82), id="after the final target"),
    ],
)
def test_expected_value_interpolates_by_day(on, expected):
    assert expected_value(phonics(), on) == expected


def test_expected_value_interpolates_one_day_at_a_time():
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2017, 7, 31), D(55)),
        targets=(Target(date(2019, 7, 31), D(61)),),
    )
    assert expected_value(spec, date(2017, 8, 1)) == D(55) + D(6) / 730


def test_targets_in_any_order_are_sorted_by_date():
    unsorted = phonics(
        targets=[Target(FINAL_DATE, D(82), is_final=True), Target(INTERIM_DATE, D(73))]
    )
    assert unsorted == phonics()
    assert [target.date for target in unsorted.targets] == [INTERIM_DATE, FINAL_DATE]
    assert expected_value(unsorted, date(2017, 7, 31)) == D("77.5")


def test_the_latest_target_is_final_without_being_marked():
    spec = phonics(targets=(Target(FINAL_DATE, D(82)), Target(INTERIM_DATE, D(73))))
    assert spec.final_target == Target(FINAL_DATE, D(82))
    assert judge(spec, [Point(date(2018, 7, 31), D(82))], today=TODAY).status == Status.ACHIEVED


@BOTH_POLARITIES
def test_expected_value_is_the_same_for_either_polarity(polarity):
    assert expected_value(phonics(polarity), date(2017, 7, 31)) == _flip(polarity)(D("77.5"))


def test_trajectory_is_the_baseline_then_each_target_in_date_order():
    spec = phonics(targets=[Target(FINAL_DATE, D(82), is_final=True), Target(INTERIM_DATE, D(73))])
    assert trajectory(spec) == [
        Point(BASELINE_DATE, D(64)),
        Point(INTERIM_DATE, D(73)),
        Point(FINAL_DATE, D(82)),
    ]


# --- Status ----------------------------------------------------------------------------

# Half way between the interim and final targets (2017-07-31) the plan expects 77.5%.
# The next target is the final one, a planned change of 82 - 64 = 18 points, so at the
# default tolerance of 25% a shortfall of up to 4.5 points is at risk.
MID_2017 = date(2017, 7, 31)


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("value", "status"),
    [
        pytest.param("90", Status.ACHIEVED, id="beats the final target"),
        pytest.param("82", Status.ACHIEVED, id="meets the final target early"),
        pytest.param("80", Status.ON_TRACK, id="beats expected"),
        pytest.param("77.5", Status.ON_TRACK, id="meets expected exactly"),
        pytest.param("77.49", Status.AT_RISK, id="just short of expected"),
        pytest.param("73", Status.AT_RISK, id="short by exactly the tolerance"),
        pytest.param("72.99", Status.OFF_TRACK, id="just past the tolerance"),
        pytest.param("60", Status.OFF_TRACK, id="below the baseline"),
    ],
)
def test_status_between_targets(polarity, value, status):
    judgement = judge(phonics(polarity), measured(polarity, MID_2017, value), today=TODAY)
    assert judgement.status == status


@BOTH_POLARITIES
def test_judgement_reports_what_was_compared(polarity):
    flip = _flip(polarity)
    judgement = judge(phonics(polarity), measured(polarity, MID_2017, "74"), today=MID_2017)
    assert judgement == Judgement(
        status=Status.AT_RISK,
        stale=False,
        latest=Point(MID_2017, flip(D(74))),
        compared_value=flip(D(74)),
        expected=flip(D("77.5")),
        shortfall=D("3.5"),
        forecast=None,
    )


@BOTH_POLARITIES
def test_shortfall_is_zero_when_beating_expected(polarity):
    judgement = judge(phonics(polarity), measured(polarity, MID_2017, "80"), today=TODAY)
    assert judgement.shortfall == 0


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("value", "status"),
    [
        # 365 of 731 days towards the interim target: expected 64 + 9 * 365 / 731, about
        # 68.49. The next target is the interim one, a planned change of 9 points, so the
        # tolerance is 2.25 points.
        pytest.param("68.5", Status.ON_TRACK, id="beats expected"),
        pytest.param("66.5", Status.AT_RISK, id="short by about 1.99"),
        pytest.param("66", Status.OFF_TRACK, id="short by about 2.49"),
    ],
)
def test_status_before_the_first_target_uses_the_change_to_it(polarity, value, status):
    judgement = judge(phonics(polarity), measured(polarity, date(2015, 7, 31), value), today=TODAY)
    assert judgement.status == status


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("value", "status"),
    [
        # On the interim target's date the next target is the first dated after it, the
        # final one: a planned change of 18 points, so 4.5 points of tolerance.
        pytest.param("73", Status.ON_TRACK, id="meets the interim target"),
        pytest.param("68.5", Status.AT_RISK, id="short by exactly 4.5"),
        pytest.param("68.4", Status.OFF_TRACK, id="short by 4.6"),
    ],
)
def test_status_on_an_interim_target_date_uses_the_change_to_the_next(polarity, value, status):
    judgement = judge(phonics(polarity), measured(polarity, INTERIM_DATE, value), today=TODAY)
    assert judgement.status == status


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("value", "status"),
    [
        # After the final target's date the plan expects the final target, 82, and the
        # planned change is to the final target: 18 points, 4.5 points of tolerance.
        pytest.param("82", Status.ACHIEVED, id="met"),
        pytest.param("78", Status.AT_RISK, id="missed by 4"),
        pytest.param("77.5", Status.AT_RISK, id="missed by exactly 4.5"),
        pytest.param("77", Status.OFF_TRACK, id="missed by 5"),
    ],
)
def test_status_after_the_final_target_date(polarity, value, status):
    judgement = judge(phonics(polarity), measured(polarity, date(2019, 7, 31), value), today=TODAY)
    assert judgement.status == status
    assert judgement.expected == _flip(polarity)(D(82))


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("tolerance", "value", "status"),
    [
        # Expected 77.5, planned change 18.
        pytest.param("0.10", "75.7", Status.AT_RISK, id="10%: short by exactly 1.8"),
        pytest.param("0.10", "75.69", Status.OFF_TRACK, id="10%: short by 1.81"),
        pytest.param("0.5", "68.5", Status.AT_RISK, id="50%: short by exactly 9"),
        pytest.param("0", "77.49", Status.OFF_TRACK, id="0%: any shortfall"),
        pytest.param("0", "77.5", Status.ON_TRACK, id="0%: meets expected"),
    ],
)
def test_tolerance_override(polarity, tolerance, value, status):
    spec = phonics(polarity, tolerance=D(tolerance))
    assert judge(spec, measured(polarity, MID_2017, value), today=TODAY).status == status


@BOTH_POLARITIES
@pytest.mark.parametrize(
    ("value", "status"),
    [
        pytest.param("95", Status.ACHIEVED, id="holds the level"),
        pytest.param("94.99", Status.OFF_TRACK, id="any shortfall"),
    ],
)
def test_zero_planned_change_has_no_tolerance(polarity, value, status):
    """A target equal to the baseline ("keep attendance at 95%")."""
    flip = _flip(polarity)
    spec = IndicatorSpec(
        polarity=polarity,
        baseline=Point(date(2017, 7, 31), flip(D(95))),
        targets=(Target(date(2019, 7, 31), flip(D(95))),),
    )
    assert judge(spec, measured(polarity, date(2018, 7, 31), value), today=TODAY).status == status


def test_zero_planned_change_to_the_next_target_even_if_the_final_one_differs():
    """Hold 60% until 2018, then rise to 70% by 2020: a dip before 2018 is off track."""
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2016, 7, 31), D(60)),
        targets=(Target(date(2018, 7, 31), D(60)), Target(date(2020, 7, 31), D(70))),
    )
    assert judge(spec, [Point(date(2017, 7, 31), D("59.9"))], today=TODAY).status == (
        Status.OFF_TRACK
    )


def test_planned_change_is_a_size_whichever_way_the_plan_goes():
    """A plan that accepts a fall (higher is better, 80% down to no less than 76%)."""
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2017, 7, 31), D(80)),
        targets=(Target(date(2019, 7, 31), D(76)),),
    )
    # On the target date the plan expects 76; the tolerance is 25% of |76 - 80| = 1.
    on = date(2019, 7, 31)
    assert judge(spec, [Point(on, D(77))], today=TODAY).status == Status.ACHIEVED
    assert judge(spec, [Point(on, D(75))], today=TODAY).status == Status.AT_RISK
    assert judge(spec, [Point(on, D("74.9"))], today=TODAY).status == Status.OFF_TRACK


def test_achieved_takes_precedence_over_a_higher_interim_expectation():
    """An interim target above the final one: meeting the final target is achieved."""
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2016, 7, 31), D(50)),
        targets=(Target(date(2018, 7, 31), D(70)), Target(date(2020, 7, 31), D(60))),
    )
    judgement = judge(spec, [Point(date(2018, 7, 31), D(65))], today=TODAY)
    assert judgement.status == Status.ACHIEVED
    assert judgement.shortfall == D(5)


# --- No data and which measurement is latest --------------------------------------


@BOTH_POLARITIES
def test_no_measurements_is_no_data(polarity):
    assert judge(phonics(polarity), [], today=TODAY) == Judgement(
        status=Status.NO_DATA,
        stale=True,
        latest=None,
        compared_value=None,
        expected=None,
        shortfall=None,
        forecast=None,
    )


def test_measurements_on_or_before_the_baseline_do_not_count():
    measurements = [Point(date(2013, 7, 31), D(60)), Point(BASELINE_DATE, D(90))]
    judgement = judge(phonics(), measurements, today=date(2015, 1, 1))
    assert judgement.status == Status.NO_DATA
    assert judgement.latest is None
    assert forecast(phonics(), measurements) is None


def test_a_measurement_the_day_after_the_baseline_counts():
    judgement = judge(phonics(), [Point(date(2014, 8, 1), D(64))], today=TODAY)
    assert judgement.status == Status.AT_RISK
    assert judgement.latest == Point(date(2014, 8, 1), D(64))


def test_latest_is_by_date_not_input_order():
    measurements = [
        Point(date(2017, 7, 31), D(80)),
        Point(date(2015, 7, 31), D(60)),
        Point(date(2016, 7, 31), D(70)),
    ]
    judgement = judge(phonics(), measurements, today=TODAY)
    assert judgement.latest == Point(date(2017, 7, 31), D(80))
    assert judgement.status == Status.ON_TRACK


def test_two_measurements_on_the_same_date_the_later_in_the_input_wins():
    measurements = [Point(MID_2017, D(80)), Point(MID_2017, D(60))]
    judgement = judge(phonics(), measurements, today=TODAY)
    assert judgement.latest == Point(MID_2017, D(60))
    assert judgement.status == Status.OFF_TRACK


# --- Stale flag ------------------------------------------------------------------------

# Yearly reporting (365 days) plus 30 days' grace: a measurement taken on 31 July 2017
# is 395 days old on 30 August 2018 and stale from 31 August 2018.


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        pytest.param(date(2017, 7, 31), False, id="the same day"),
        pytest.param(date(2018, 8, 30), False, id="exactly frequency plus grace"),
        pytest.param(date(2018, 8, 31), True, id="one day more"),
    ],
)
def test_stale_when_the_latest_measurement_is_older_than_frequency_plus_grace(today, stale):
    assert judge(phonics(), [Point(MID_2017, D(80))], today=today).stale is stale


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        pytest.param(date(2015, 8, 30), False, id="exactly frequency plus grace"),
        pytest.param(date(2015, 8, 31), True, id="one day more"),
    ],
)
def test_with_no_data_stale_counts_from_the_baseline(today, stale):
    judgement = judge(phonics(), [], today=today)
    assert judgement.status == Status.NO_DATA
    assert judgement.stale is stale


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        pytest.param(date(2017, 11, 28), False, id="120 days"),
        pytest.param(date(2017, 11, 29), True, id="121 days"),
    ],
)
def test_stale_uses_the_indicators_frequency_and_grace(today, stale):
    spec = phonics(frequency_days=106, grace_days=14)  # termly, two weeks' grace
    assert judge(spec, [Point(MID_2017, D(80))], today=today).stale is stale


def test_stale_is_beside_the_status_not_instead_of_it():
    judgement = judge(phonics(), [Point(MID_2017, D(80))], today=date(2030, 1, 1))
    assert (judgement.status, judgement.stale) == (Status.ON_TRACK, True)


# --- Relative targets --------------------------------------------------------------------

# England's good level of development (GLD), DfE EYFS profile results.
NATIONAL_GLD = (
    Point(date(2016, 7, 31), D("69.3")),
    Point(date(2017, 7, 31), D("70.7")),
    Point(date(2018, 7, 31), D("71.5")),
    Point(date(2019, 7, 31), D("71.8")),
)


def derby_gld(**overrides):
    """Derby: GLD 66% in 2016, 3.3 points under national; "exceed the national average by
    2021", i.e. a gap of at least 0 by 31 July 2021."""
    fields = {
        "polarity": Polarity.HIGHER,
        "baseline": Point(date(2016, 7, 31), D(66)),
        "targets": (Target(date(2021, 7, 31), D(0), is_final=True),),
        "relative": True,
        "comparator": NATIONAL_GLD,
    }
    return IndicatorSpec(**(fields | overrides))


@pytest.mark.parametrize(
    ("on", "national"),
    [
        pytest.param(date(2010, 1, 1), D("69.3"), id="before the series: its first figure"),
        pytest.param(date(2016, 7, 31), D("69.3"), id="on a figure"),
        pytest.param(date(2017, 1, 30), D("69.3") + D("1.4") * 183 / 365, id="between"),
        pytest.param(date(2019, 7, 31), D("71.8"), id="on the last figure"),
        pytest.param(date(2021, 7, 31), D("71.8"), id="after the series: its last figure"),
    ],
)
def test_comparator_value_interpolates_and_holds_its_ends(on, national):
    assert comparator_value(derby_gld(), on) == national


def test_comparator_figures_in_any_order():
    spec = derby_gld(comparator=list(reversed(NATIONAL_GLD)))
    assert spec.comparator == NATIONAL_GLD
    assert comparator_value(spec, date(2018, 1, 30)) == comparator_value(
        derby_gld(), date(2018, 1, 30)
    )


def test_comparator_value_is_none_without_figures():
    assert comparator_value(derby_gld(comparator=()), date(2018, 7, 31)) is None


def test_relative_expected_value_is_a_gap_from_the_baseline_gap():
    spec = derby_gld()
    assert trajectory(spec) == [
        Point(date(2016, 7, 31), D("-3.3")),
        Point(date(2021, 7, 31), D(0)),
    ]
    # 1,095 of 1,826 days from a gap of -3.3 to 0.
    assert expected_value(spec, date(2019, 7, 31)) == D("-3.3") + D("3.3") * 1095 / 1826


@pytest.mark.parametrize(
    ("derby", "status"),
    [
        # In 2019 national was 71.8 and the plan expects a gap of about -1.32. The next
        # target is the final one, a planned change of 3.3 points: 0.825 of tolerance.
        pytest.param("72", Status.ACHIEVED, id="above national"),
        pytest.param("71.8", Status.ACHIEVED, id="level with national"),
        pytest.param("71", Status.ON_TRACK, id="gap -0.8"),
        pytest.param("70", Status.AT_RISK, id="gap -1.8"),
        pytest.param("69", Status.OFF_TRACK, id="gap -2.8"),
    ],
)
def test_relative_at_least_the_national_value(derby, status):
    judgement = judge(derby_gld(), [Point(date(2019, 7, 31), D(derby))], today=TODAY)
    assert judgement.status == status
    assert judgement.latest == Point(date(2019, 7, 31), D(derby))
    assert judgement.compared_value == D(derby) - D("71.8")
    assert judgement.expected == D("-3.3") + D("3.3") * 1095 / 1826


def test_relative_rising_value_with_a_faster_rising_comparator_is_off_track():
    """Derby up 2.2 points to 68.2% by 2018, but national rose by as much: the gap is
    still -3.3 when the plan expected about -1.98."""
    judgement = judge(derby_gld(), [Point(date(2018, 7, 31), D("68.2"))], today=TODAY)
    assert judgement.compared_value == D("-3.3")
    assert judgement.status == Status.OFF_TRACK


def test_relative_gap_uses_the_comparator_at_the_measurement_date():
    # Half a year into 2017/18 national is about 71.1; 71.2 is just above it.
    judgement = judge(derby_gld(), [Point(date(2018, 1, 30), D("71.2"))], today=TODAY)
    national = D("70.7") + D("0.8") * 183 / 365
    assert judgement.compared_value == D("71.2") - national
    assert judgement.status == Status.ACHIEVED


def derby_ks2(**overrides):
    """Derby: KS2 reading, writing and maths 55% in 2017 against 61% nationally; the
    target is a gap of at most 2 points by 2019: a target gap of -2, higher is better."""
    fields = {
        "polarity": Polarity.HIGHER,
        "baseline": Point(date(2017, 7, 31), D(55)),
        "targets": (Target(date(2019, 7, 31), D(-2)),),
        "relative": True,
        "comparator": (Point(date(2017, 7, 31), D(61)), Point(date(2019, 7, 31), D(65))),
    }
    return IndicatorSpec(**(fields | overrides))


@pytest.mark.parametrize(
    ("derby", "status"),
    [
        # In 2019 national was 65; the plan expects a gap of -2. Planned change from -6
        # to -2 is 4 points, so 1 point of tolerance.
        pytest.param("64", Status.ACHIEVED, id="gap -1"),
        pytest.param("63", Status.ACHIEVED, id="gap exactly -2"),
        pytest.param("62", Status.AT_RISK, id="gap -3, short by exactly the tolerance"),
        pytest.param("61", Status.OFF_TRACK, id="gap -4, the real 2019 result"),
    ],
)
def test_relative_gap_at_most_two_points(derby, status):
    judgement = judge(derby_ks2(), [Point(date(2019, 7, 31), D(derby))], today=TODAY)
    assert judgement.status == status


@pytest.mark.parametrize(
    ("local", "status"),
    [
        # Persistent absence, lower is better: from 4 points above national (15% against
        # 11%) to no more than 1 point above by 30 July 2020, 1,095 days later. After 730
        # days the plan expects a gap of 2; the tolerance is 25% of 3 = 0.75.
        pytest.param("12", Status.ACHIEVED, id="gap +1"),
        pytest.param("13", Status.ON_TRACK, id="gap +2"),
        pytest.param("13.75", Status.AT_RISK, id="gap +2.75"),
        pytest.param("13.8", Status.OFF_TRACK, id="gap +2.8"),
    ],
)
def test_relative_lower_is_better(local, status):
    spec = IndicatorSpec(
        polarity=Polarity.LOWER,
        baseline=Point(date(2017, 7, 31), D(15)),
        targets=(Target(date(2020, 7, 30), D(1)),),
        relative=True,
        comparator=(Point(date(2017, 7, 31), D(11)),),
    )
    judgement = judge(spec, [Point(date(2019, 7, 31), D(local))], today=TODAY)
    assert judgement.expected == D(2)
    assert judgement.status == status


def test_relative_without_comparator_figures_is_no_data():
    spec = derby_gld(comparator=())
    measurements = [Point(date(2018, 7, 31), D(70)), Point(date(2019, 7, 31), D(72))]
    judgement = judge(spec, measurements, today=date(2019, 8, 1))
    assert judgement == Judgement(
        status=Status.NO_DATA,
        stale=False,
        latest=Point(date(2019, 7, 31), D(72)),
        compared_value=None,
        expected=None,
        shortfall=None,
        forecast=None,
    )
    assert compared_value(spec, Point(date(2019, 7, 31), D(72))) is None
    assert forecast(spec, measurements) is None
    with pytest.raises(ValueError, match="comparator series, but the series has no figures"):
        expected_value(spec, date(2019, 7, 31))
    with pytest.raises(ValueError, match="comparator series, but the series has no figures"):
        trajectory(spec)


def test_an_absolute_indicator_ignores_any_comparator():
    spec = phonics(comparator=(Point(BASELINE_DATE, D(74)),))
    assert compared_value(spec, Point(MID_2017, D(80))) == D(80)
    assert judge(spec, [Point(MID_2017, D(80))], today=TODAY).status == Status.ON_TRACK


# --- Forecast --------------------------------------------------------------------------


def derby_ks2_absolute(polarity=Polarity.HIGHER, final="65"):
    """KS2 reading, writing and maths from 55% (31 July 2017) with a final target on
    30 July 2020, 1,095 days later (so that the hand calculation stays exact)."""
    return IndicatorSpec(
        polarity=polarity,
        baseline=Point(date(2017, 7, 31), D(55)),
        targets=(Target(date(2020, 7, 30), D(final)),),
    )


KS2_MEASUREMENTS = [Point(date(2018, 7, 31), D(59)), Point(date(2019, 7, 31), D(60))]


def test_forecast_matches_least_squares_by_hand():
    """Points (x in days from the baseline, y): (0, 55), (365, 59), (730, 60).

    mean x = 365, mean y = 58
    Sxx = 365^2 + 0 + 365^2 = 266,450
    Sxy = (-365)(-3) + 0(1) + 365(2) = 1,825
    slope = 1,825 / 266,450 = 1/146 a day, or 365.25/146 (about 2.5) a year
    projected at x = 1,095: 58 + (1,095 - 365) / 146 = 58 + 5 = 63
    """
    result = forecast(derby_ks2_absolute(), KS2_MEASUREMENTS)
    assert result == Forecast(
        final_date=date(2020, 7, 30),
        projected=D(63),
        target=D(65),
        meets_target=False,
        slope_per_year=DAYS_PER_YEAR / 146,
    )


def test_forecast_in_a_judgement():
    judgement = judge(derby_ks2_absolute(), KS2_MEASUREMENTS, today=TODAY)
    assert judgement.forecast == forecast(derby_ks2_absolute(), KS2_MEASUREMENTS)


def test_forecast_with_uneven_spacing_by_hand():
    """West Somerset: FSM pupils reaching GLD, 35% in 2016, aiming for 60% by 2020.

    Points (x, y): (0, 35), (365, 41), (1,095, 56); n = 3.
    sum x = 1,460, sum y = 132, sum xy = 14,965 + 61,320 = 76,285,
    sum x^2 = 133,225 + 1,199,025 = 1,332,250.
    numerator = 3(76,285) - 1,460(132) = 228,855 - 192,720 = 36,135
    denominator = 3(1,332,250) - 1,460^2 = 3,996,750 - 2,131,600 = 1,865,150
    At the final date, x = 1,461:
    projected = 132/3 + (36,135/1,865,150)(1,461 - 1,460/3)
    """
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2016, 7, 31), D(35)),
        targets=(Target(date(2020, 7, 31), D(60)),),
    )
    measurements = [Point(date(2017, 7, 31), D(41)), Point(date(2019, 7, 31), D(56))]
    result = forecast(spec, measurements)
    slope = D(36135) / D(1865150)
    by_hand = D(132) / 3 + slope * (D(1461) - D(1460) / 3)
    assert abs(result.projected - by_hand) < D("1e-20")
    assert round(result.projected, 4) == D("62.8765")
    assert abs(result.slope_per_year - slope * DAYS_PER_YEAR) < D("1e-20")
    assert result.meets_target is True


@pytest.mark.parametrize(
    ("polarity", "final", "meets"),
    [
        pytest.param(Polarity.HIGHER, "63", True, id="higher: projected 63 meets 63"),
        pytest.param(Polarity.HIGHER, "63.01", False, id="higher: short of 63.01"),
        pytest.param(Polarity.LOWER, "63", True, id="lower: projected 63 meets 63"),
        pytest.param(Polarity.LOWER, "62.99", False, id="lower: above 62.99"),
    ],
)
def test_forecast_meets_the_target_in_the_polarity(polarity, final, meets):
    # Lower is better makes no sense for KS2 attainment, but the fit is the same line.
    result = forecast(derby_ks2_absolute(polarity, final), KS2_MEASUREMENTS)
    assert result.projected == D(63)
    assert result.meets_target is meets


def test_forecast_for_a_falling_lower_is_better_indicator():
    """Persistent absence 15% (2017) falling 1 point a year; target 12% by 30 July 2020."""
    spec = IndicatorSpec(
        polarity=Polarity.LOWER,
        baseline=Point(date(2017, 7, 31), D(15)),
        targets=(Target(date(2020, 7, 30), D(12)),),
    )
    measurements = [Point(date(2018, 7, 31), D(14)), Point(date(2019, 7, 31), D(13))]
    result = forecast(spec, measurements)
    assert result.projected == D(12)
    assert result.slope_per_year == -DAYS_PER_YEAR / 365
    assert result.meets_target is True


@pytest.mark.parametrize(
    "measurements",
    [
        pytest.param([], id="no measurements"),
        pytest.param([Point(date(2018, 7, 31), D(59))], id="a single measurement"),
        pytest.param(
            [Point(date(2018, 7, 31), D(59)), Point(date(2018, 7, 31), D(60))],
            id="two on the same date",
        ),
        pytest.param(
            [Point(date(2017, 7, 31), D(55)), Point(date(2018, 7, 31), D(59))],
            id="one on the baseline date and one after",
        ),
    ],
)
def test_no_forecast_from_fewer_than_two_measurements_after_the_baseline(measurements):
    assert forecast(derby_ks2_absolute(), measurements) is None


def test_a_single_measurement_is_judged_but_not_forecast():
    judgement = judge(derby_ks2_absolute(), [Point(date(2018, 7, 31), D(59))], today=TODAY)
    assert judgement.status == Status.ON_TRACK
    assert judgement.forecast is None


def test_forecast_ignores_measurements_on_or_before_the_baseline():
    with_old = [Point(date(2015, 7, 31), D(99)), Point(date(2017, 7, 31), D(1))]
    assert forecast(derby_ks2_absolute(), with_old + KS2_MEASUREMENTS) == forecast(
        derby_ks2_absolute(), KS2_MEASUREMENTS
    )


def test_forecast_uses_the_later_of_two_measurements_on_the_same_date():
    corrected = [Point(date(2018, 7, 31), D(40)), *KS2_MEASUREMENTS]
    assert forecast(derby_ks2_absolute(), corrected).projected == D(63)


def test_forecast_of_a_relative_indicator_fits_the_gaps():
    """Against a flat national 61%, Derby's KS2 gaps are -6, -2, -1 (55, 59, 60): the
    same line as the absolute fit, 61 lower: a projected gap of +2 meets a target of -2."""
    spec = IndicatorSpec(
        polarity=Polarity.HIGHER,
        baseline=Point(date(2017, 7, 31), D(55)),
        targets=(Target(date(2020, 7, 30), D(-2)),),
        relative=True,
        comparator=(Point(date(2017, 7, 31), D(61)),),
    )
    result = forecast(spec, KS2_MEASUREMENTS)
    assert result.projected == D(2)
    assert result.target == D(-2)
    assert result.meets_target is True


def test_forecast_of_a_relative_indicator_uses_the_moving_comparator():
    """Derby GLD gaps: 2016 66 - 69.3 = -3.3; 2017 69 - 70.7 = -1.7; 2018 71.5 - 71.5 = 0.
    Points (0, -3.3), (365, -1.7), (730, 0): slope 3.3/730 a day; mean gap -5/3 at x 365.
    At 31 July 2021 (x = 1,826) the gap is -5/3 + 3.3(1,461)/730, about +4.94."""
    measurements = [Point(date(2017, 7, 31), D(69)), Point(date(2018, 7, 31), D("71.5"))]
    result = forecast(derby_gld(), measurements)
    by_hand = D(-5) / 3 + D("3.3") * 1461 / 730
    assert abs(result.projected - by_hand) < D("1e-20")
    assert result.meets_target is True


def test_forecast_after_the_final_target_date_still_projects_to_it():
    late = [*KS2_MEASUREMENTS, Point(date(2021, 7, 31), D(70))]
    result = forecast(derby_ks2_absolute(), late)
    assert result.final_date == date(2020, 7, 30)


# --- Validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"targets": ()}, "needs at least one target", id="no targets"),
        pytest.param(
            {
                "targets": (
                    Target(INTERIM_DATE, D(73), is_final=True),
                    Target(FINAL_DATE, D(82), is_final=True),
                )
            },
            "Only one target can be final; 2 are marked final",
            id="two final targets",
        ),
        pytest.param(
            {
                "targets": (
                    Target(INTERIM_DATE, D(73), is_final=True),
                    Target(FINAL_DATE, D(82)),
                )
            },
            r"marked final \(2016-07-31\) is not the latest target \(2018-07-31\)",
            id="final target not the latest",
        ),
        pytest.param(
            {"targets": (Target(FINAL_DATE, D(73)), Target(FINAL_DATE, D(82)))},
            "Two targets are dated 2018-07-31",
            id="two targets on one date",
        ),
        pytest.param(
            {"targets": (Target(BASELINE_DATE, D(73)), Target(FINAL_DATE, D(82)))},
            "dated 2014-07-31 is not after the baseline date 2014-07-31",
            id="target on the baseline date",
        ),
        pytest.param(
            {"targets": (Target(date(2013, 7, 31), D(73)),)},
            "not after the baseline date",
            id="target before the baseline",
        ),
        pytest.param({"tolerance": D("-0.1")}, "Tolerance must be", id="negative tolerance"),
        pytest.param({"tolerance": 0.25}, "Tolerance must be a Decimal", id="float tolerance"),
        pytest.param({"frequency_days": 0}, "at least 1 day", id="zero frequency"),
        pytest.param({"grace_days": -1}, "Grace period must not be negative", id="grace"),
        pytest.param(
            {"comparator": (Point(FINAL_DATE, D(70)), Point(FINAL_DATE, D(71)))},
            "Two comparator figures are dated 2018-07-31",
            id="two comparator figures on one date",
        ),
        pytest.param({"polarity": "sideways"}, "sideways", id="unknown polarity"),
    ],
)
def test_invalid_specs_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        phonics(**overrides)


@pytest.mark.parametrize(
    ("when", "value", "error", "message"),
    [
        pytest.param(date(2018, 7, 31), 82.0, TypeError, "must be a Decimal", id="float"),
        pytest.param(date(2018, 7, 31), D("NaN"), ValueError, "finite", id="NaN"),
        pytest.param("2018-07-31", D(82), TypeError, "datetime.date", id="string date"),
    ],
)
def test_points_and_targets_need_dates_and_decimals(when, value, error, message):
    with pytest.raises(error, match=message):
        Point(when, value)
    with pytest.raises(error, match=message):
        Target(when, value)


def test_a_datetime_is_not_a_date():
    with pytest.raises(TypeError, match="not datetime"):
        Point(datetime(2018, 7, 31, 9, 0), D(82))


# --- Roll-up ---------------------------------------------------------------------------

RAG = ("red", "amber", "green", "complete")


def judgement_of(status, *, stale=False):
    return Judgement(status, stale, None, None, None, None, None)


def test_roll_up_of_nothing_has_every_key_at_zero():
    result = roll_up([], [], action_statuses=RAG)
    assert result.indicators == dict.fromkeys(Status, 0)
    assert list(result.indicators) == list(Status)
    assert result.actions == {"red": 0, "amber": 0, "green": 0, "complete": 0}
    assert (result.stale, result.overdue, result.total_indicators, result.total_actions) == (
        0,
        0,
        0,
        0,
    )


def test_roll_up_counts_indicators_by_status_and_stale():
    judgements = [
        judgement_of(Status.ON_TRACK),
        judgement_of(Status.ON_TRACK, stale=True),
        judgement_of(Status.OFF_TRACK),
        judgement_of(Status.NO_DATA, stale=True),
        judgement_of(Status.ACHIEVED),
    ]
    result = roll_up(iter(judgements), [], action_statuses=RAG)
    assert result.indicators == {
        Status.ACHIEVED: 1,
        Status.ON_TRACK: 2,
        Status.AT_RISK: 0,
        Status.OFF_TRACK: 1,
        Status.NO_DATA: 1,
    }
    assert result.stale == 2
    assert result.total_indicators == 5


def test_roll_up_counts_actions_by_rag_status_in_the_given_order_and_overdue():
    actions = [("green", False), ("red", True), ("amber", True), ("green", False)]
    result = roll_up([], iter(actions), action_statuses=RAG)
    assert list(result.actions.items()) == [("red", 1), ("amber", 1), ("green", 2), ("complete", 0)]
    assert result.overdue == 2
    assert result.total_actions == 4


def test_roll_up_of_real_judgements():
    judgements = [
        judge(phonics(), [Point(MID_2017, D(80))], today=TODAY),
        judge(derby_gld(), [Point(date(2019, 7, 31), D(69))], today=TODAY),
        judge(derby_ks2(), [], today=TODAY),
    ]
    result = roll_up(judgements, [], action_statuses=RAG)
    assert result.indicators[Status.ON_TRACK] == 1
    assert result.indicators[Status.OFF_TRACK] == 1
    assert result.indicators[Status.NO_DATA] == 1
    # By 1 September 2018 the July 2017 phonics figure and the KS2 baseline (no data
    # since July 2017) are both more than 395 days old.
    assert result.stale == 2


def test_roll_up_refuses_an_unknown_action_status():
    with pytest.raises(ValueError, match="Action status 'purple' is not one of 'red', 'amber'"):
        roll_up([], [("purple", False)], action_statuses=RAG)


def test_roll_up_refuses_repeated_action_statuses():
    with pytest.raises(ValueError, match="must be distinct"):
        roll_up([], [], action_statuses=("red", "red"))


# --- The worked example on the "How we judge progress" page ------------------------------


@pytest.mark.parametrize(
    ("on", "value", "expected", "status"),
    [
        (date(2015, 7, 31), "67", "68.5", Status.AT_RISK),
        (date(2016, 7, 31), "73", "73", Status.ON_TRACK),
        (date(2017, 7, 31), "72", "77.5", Status.OFF_TRACK),
        (date(2018, 7, 31), "82", "82", Status.ACHIEVED),
    ],
)
def test_worked_example_on_the_page(on, value, expected, status):
    judgement = judge(phonics(), [Point(on, D(value))], today=TODAY)
    assert round(judgement.expected, 1) == D(expected)
    assert judgement.status == status


def test_worked_example_forecast_on_the_page():
    measurements = [
        Point(date(2015, 7, 31), D(67)),
        Point(date(2016, 7, 31), D(73)),
        Point(date(2017, 7, 31), D(72)),
    ]
    result = forecast(phonics(), measurements)
    assert round(result.projected, 1) == D("76.5")
    assert round(result.slope_per_year, 1) == D("3.0")
    assert result.meets_target is False
