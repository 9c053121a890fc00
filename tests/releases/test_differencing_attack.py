"""No suppressed figure can be recovered by differencing (ADR 0011).

Hypothesis builds small cohorts (counts of 1 to 4 are common), publishes a
release, lets one pupil change, publishes the next release, lets one more
change, and shows the live page. The reader in tests/releases/attacker.py
writes every figure of all three down (tables, totals, rates, the share
sentence and its "of N", across the coverage, disadvantage and breakdown
tables) and solves for each suppressed one. Nothing may be pinned.

The same reader, run against suppression recomputed for each publication
on its own (the old way), recovers figures: the check can fail.
"""

from dataclasses import dataclass, replace
from itertools import pairwise
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.disclosure import TOTAL_KEY, SeriesPattern, rate_cell, shown_rate, suppress_table
from dashboard.selectors import published_coverage
from encounters.models import year_group_label
from encounters.publication import BreakdownCounts, area_coverage, published_breakdown
from encounters.selectors import CoverageCounts, CoverageRow
from tests.releases.attacker import (
    Reader,
    observe_breakdown,
    observe_coverage,
    observe_dashboard,
)

SCHOOLS = [
    SimpleNamespace(urn=100001, name="North Academy"),
    SimpleNamespace(urn=100002, name="South School"),
]
YEARS = (7, 8, 9)
TYPES = ("Careers talk", "Workplace visit", "Mentoring")
PROGRAMMES = ("Careers & Enterprise Company", "School's own")
EMPLOYERS = (("EDF Energy", True), ("GCHQ", True), ("Local Garage", False), ("Town Bakery", False))


@dataclass(frozen=True)
class Pupil:
    school: int
    year: int
    disadvantaged: bool
    encounters: int


@dataclass(frozen=True)
class Attendance:
    kind: int
    programme: int
    employer: int | None


def coverage_input(pupils):
    """The per-school coverage dashboard.coverage.area_school_coverage returns."""
    schools = []
    for s, school in enumerate(SCHOOLS):
        rows = []
        for year in YEARS:
            cohort = [p for p in pupils if p.school == s and p.year == year]
            if not cohort:
                continue

            def counts(group):
                return CoverageCounts(
                    on_roll=len(group),
                    with_one=sum(p.encounters >= 1 for p in group),
                    with_four=sum(p.encounters >= 4 for p in group),
                )

            rows.append(
                CoverageRow(
                    year_group=year,
                    label=year_group_label(year),
                    all=counts(cohort),
                    disadvantaged=counts([p for p in cohort if p.disadvantaged]),
                    others=counts([p for p in cohort if not p.disadvantaged]),
                )
            )
        # Every school that teaches secondary ages, with pupils or not.
        schools.append({"school": school, "rows": rows, "total": None})
    return schools


def breakdown_input(attendances, *, every_row):
    def count(values, key):
        counted = {}
        for a in attendances:
            k = key(a)
            if k is not None:
                counted[k] = counted.get(k, 0) + 1
        if every_row:
            counted = dict.fromkeys(values, 0) | counted
        return counted

    by_type = count(TYPES, lambda a: TYPES[a.kind])
    by_programme = count(PROGRAMMES, lambda a: PROGRAMMES[a.programme])
    by_employer = count(EMPLOYERS, lambda a: None if a.employer is None else EMPLOYERS[a.employer])
    return BreakdownCounts(
        by_type=by_type,
        by_programme=by_programme,
        by_employer=by_employer,
        type_encounters=by_type,
        programme_encounters=by_programme,
        employer_encounters=by_employer,
    )


pupils = st.lists(
    st.builds(
        Pupil,
        school=st.integers(0, len(SCHOOLS) - 1),
        year=st.sampled_from(YEARS),
        disadvantaged=st.booleans(),
        encounters=st.integers(0, 5),
    ),
    max_size=24,
)
attendances = st.lists(
    st.builds(
        Attendance,
        kind=st.integers(0, len(TYPES) - 1),
        programme=st.integers(0, len(PROGRAMMES) - 1),
        employer=st.none() | st.integers(0, len(EMPLOYERS) - 1),
    ),
    max_size=24,
)


@st.composite
def one_pupil_changes(draw, cohort):
    """One more encounter for one pupil, or one more pupil on roll."""
    if cohort and draw(st.booleans()):
        i = draw(st.integers(0, len(cohort) - 1))
        return [
            *cohort[:i],
            replace(cohort[i], encounters=cohort[i].encounters + 1),
            *cohort[i + 1 :],
        ]
    return [
        *cohort,
        draw(
            st.builds(
                Pupil,
                school=st.integers(0, 1),
                year=st.sampled_from(YEARS),
                disadvantaged=st.booleans(),
                encounters=st.just(0),
            )
        ),
    ]


@st.composite
def histories(draw):
    """The data at release 1, at release 2 and when the live page is read."""
    cohort = draw(pupils)
    visits = draw(attendances)
    states = [(cohort, visits)]
    for _ in range(2):
        if draw(st.booleans()):
            cohort = draw(one_pupil_changes(cohort))
        else:
            visits = [
                *visits,
                draw(
                    st.builds(
                        Attendance,
                        kind=st.integers(0, 2),
                        programme=st.integers(0, 1),
                        employer=st.none() | st.integers(0, 3),
                    )
                ),
            ]
        states.append((cohort, visits))
    return states


PUBLICATIONS = ("release 1", "release 2", "live")
AREAS = (SimpleNamespace(pk=1, name="Area 1"), SimpleNamespace(pk=2, name="Area 2"))


def publish_in_series(states):
    """The service's way: each publication carries on the pattern of the
    releases before it (releases.selectors.series_pattern)."""
    pattern = SeriesPattern.empty()
    published = []
    for name, (cohort, visits) in zip(PUBLICATIONS, states, strict=True):
        coverage = area_coverage(
            user=None, area=None, year=None, schools=coverage_input(cohort), pattern=pattern
        )
        breakdown = published_breakdown(breakdown_input(visits, every_row=True), pattern=pattern)
        published.append((name, coverage, breakdown))
        if name != "live":
            pattern = pattern.union(coverage["pattern"]).union(breakdown["pattern"])
    return published


def publish_each_alone(states):
    """The old way: suppression recomputed for every publication."""
    return [
        (
            name,
            area_coverage(user=None, area=None, year=None, schools=coverage_input(cohort)),
            published_breakdown(breakdown_input(visits, every_row=False), pattern=None),
        )
        for name, (cohort, visits) in zip(PUBLICATIONS, states, strict=True)
    ]


def live_of(published):
    return next(coverage for name, coverage, _ in published if name == "live")


def live_dashboard(publications):
    """The cross-area dashboard beside the live area pages, as the service
    builds it (dashboard.selectors.published_coverage): each area's figures
    from its own live publication."""
    live = {
        area.pk: live_of(publications[area.name]) for area in AREAS if area.name in publications
    }
    areas = [area for area in AREAS if area.pk in live]
    rows, total = published_coverage(areas, live)
    return [(f"{area.name} live", live[area.pk]) for area in areas], rows, total


def newly_hidden(published):
    """(publication, table, keys) of the figures a publication hides that
    an earlier one of the series showed. Every school and category has a
    row from the first publication, so every key was published before."""
    before = {}
    found = []
    for name, coverage, breakdown in published:
        hidden = coverage["pattern"].union(breakdown["pattern"])
        for table, keys in sorted(hidden.hidden.items()):
            if table in before and keys - before[table]:
                found.append((name, table, sorted(keys - before[table])))
            before[table] = before.get(table, frozenset()) | keys
    return found


def attack(publications, dashboard=None):
    """``publications``: area name to its publications; ``dashboard``: the
    dashboard read beside the live pages, if any."""
    reader = Reader()
    for area, published in publications.items():
        for name, coverage, breakdown in published:
            observe_coverage(reader, f"{area} {name}", coverage)
            observe_breakdown(reader, f"{area} {name}", breakdown)
        for before, after in pairwise(PUBLICATIONS):
            reader.one_pupil_changed(f"{area} {before}", f"{area} {after}")
    if dashboard is not None:
        observe_dashboard(reader, *dashboard)
    return reader, reader.recovered()


@st.composite
def cohort_histories(draw):
    """A second area's pupils at its two releases and at the live page (its
    encounter breakdown plays no part in the dashboard)."""
    cohort = draw(pupils)
    states = [(cohort, [])]
    for _ in range(2):
        if draw(st.booleans()):
            cohort = draw(one_pupil_changes(cohort))
        states.append((cohort, []))
    return states


# The two attack properties are derandomized so CI is repeatable and its
# time bounded (each example is an interval-propagation attack of seconds);
# they have also passed random runs (ADR 0011). The property below needs no
# attack and runs many random examples.
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_no_publication_hides_a_figure_an_earlier_one_of_its_series_showed(states):
    """The root of every recovery across publications: a figure hidden for
    the first time after it was shown, by a reader who can tell how it
    changed. Counts that grow, counts that fall (pupils without an
    encounter) and a school's first pupil never make a publication hide a
    figure the series showed."""
    published = publish_in_series(states)
    assert newly_hidden(published) == []
    for _, coverage, _ in published:
        hidden = coverage["pattern"]
        assert hidden.in_table("coverage:on_roll") == hidden.in_table("coverage:with_one")
        assert hidden.in_table("coverage:on_roll") == hidden.in_table("coverage:with_four")
        assert hidden.in_table("disadvantage:on_roll") == hidden.in_table("disadvantage:with_four")


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(histories())
def test_no_suppressed_figure_is_recovered_across_releases_tables_and_the_live_page(states):
    reader, recovered = attack({"Area 1": publish_in_series(states)})
    assert recovered == {}


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(histories(), cohort_histories())
def test_no_suppressed_figure_is_recovered_with_the_live_dashboard(first, second):
    """Two areas, each with two releases and its live page, and the live
    cross-area dashboard (its rows, rates and all-areas total) beside them."""
    publications = {"Area 1": publish_in_series(first), "Area 2": publish_in_series(second)}
    reader, recovered = attack(publications, live_dashboard(publications))
    assert recovered == {}


def old_dashboard(publications, states):
    """The dashboard as it was: the areas' raw counts suppressed on their
    own, across the areas, with an all-areas total row."""
    counts = []
    for area_states in states:
        cohort = area_states[-1][0]
        groups = {"": cohort} | {
            f"{group}_": [p for p in cohort if p.disadvantaged == (group == "disadvantaged")]
            for group in ("disadvantaged", "others")
        }
        counts.append(
            [
                f(groups[prefix])
                for prefix in ("", "disadvantaged_", "others_")
                for f in (len, lambda g: sum(p.encounters >= 4 for p in g))
            ]
        )
    names = [
        f"{prefix}{measure}"
        for prefix in ("", "disadvantaged_", "others_")
        for measure in ("on_roll", "with_four")
    ]
    table = suppress_table(counts, row_totals=False, column_totals=True)

    def figures(cells):
        by_name = dict(zip(names, cells, strict=True))
        return {
            "on_roll": by_name["on_roll"],
            **{
                f"{group}four_rate": shown_rate(
                    by_name[f"{prefix}with_four"], by_name[f"{prefix}on_roll"]
                )
                for group, prefix in (
                    ("", ""),
                    ("disadvantaged_", "disadvantaged_"),
                    ("others_", "others_"),
                )
            },
        }

    live = [(f"{area.name} live", live_of(publications[area.name])) for area in AREAS]
    return live, [figures(row) for row in table.rows], figures(table.column_totals)


def test_the_attack_recovers_an_area_figure_from_the_old_dashboard_total():
    """Area 1 has 2 pupils (c on its page), Area 2 has 30 (shown on its
    page). The old dashboard hid Area 2's 30 beside Area 1's c, but showed
    the total 32: Area 2's page gives the 30 back, and 32 - 30 = 2. The
    service's dashboard hides the total instead."""
    first = [([Pupil(0, 7, False, 4)] * 2, [])] * 3
    second = [([Pupil(0, 7, False, 4)] * 20 + [Pupil(0, 7, True, 4)] * 10, [])] * 3
    publications = {"Area 1": publish_in_series(first), "Area 2": publish_in_series(second)}
    _, recovered = attack(publications, old_dashboard(publications, [first, second]))
    assert recovered[("Area 1 live", "coverage:on_roll", (TOTAL_KEY, TOTAL_KEY))] == 2
    dashboard = live_dashboard(publications)
    assert dashboard[2]["on_roll"].is_suppressed
    assert str(dashboard[1][1]["on_roll"]) == "30"
    _, recovered = attack(publications, dashboard)
    assert recovered == {}


def test_the_attack_recovers_figures_when_each_publication_is_suppressed_alone():
    """Release 1: four pupils in Year 7 at North Academy have had an
    encounter. Release 2: one more has. The old way shows the 5 and its
    complement, and the reader works back to the 4 (and more). (Each year
    group has a pupil with no encounter, so no hidden count equals its count
    on roll: that gives a figure away within one publication, a separate
    attack that suppression now stops on its own.)"""
    cohort = (
        [Pupil(0, 7, False, 1)] * 4
        + [Pupil(0, 7, False, 0)] * 2
        + [Pupil(0, 8, False, 1)] * 9
        + [Pupil(1, 7, False, 1)] * 7
        + [Pupil(1, 8, False, 1)] * 8
        + [Pupil(0, 8, False, 0), Pupil(1, 7, False, 0), Pupil(1, 8, False, 0)]
    )
    grown = [Pupil(0, 7, False, 1)] * 5 + cohort[5:]
    states = [(cohort, []), (grown, []), (grown, [])]
    _, recovered = attack({"Area 1": publish_each_alone(states)})
    assert ("Area 1 release 1", "coverage:with_one", ("100001", "7")) in recovered
    assert recovered[("Area 1 release 1", "coverage:with_one", ("100001", "7"))] == 4
    _, recovered = attack({"Area 1": publish_in_series(states)})
    assert recovered == {}


def test_the_share_sentence_gave_the_suppressed_employer_away():
    """92.0% (of 50) beside a list that hides Local Garage's 4: the sentence
    as it was computed (apart from the list) pins the 4."""
    visits = [Attendance(0, 0, 0)] * 46 + [Attendance(0, 0, 2)] * 4
    breakdown = published_breakdown(breakdown_input(visits, every_row=False), pattern=None)
    employers = {row["label"]: row["pupils"] for row in breakdown["by_employer"]["rows"]}
    assert employers["Local Garage"].is_suppressed
    old_sentence = (rate_cell(46, 50), breakdown["by_employer"]["total"])
    assert str(old_sentence[0]) == "92.0"
    reader = Reader()
    observe_breakdown(reader, "release 1", breakdown, sentence=old_sentence)
    assert reader.recovered()[("release 1", "breakdown:employers", "Local Garage")] == 4
    reader = Reader()
    observe_breakdown(reader, "release 1", breakdown)
    assert reader.recovered() == {}
    assert breakdown["cornerstone_share"].is_suppressed


@pytest.mark.parametrize("publish", [publish_in_series, publish_each_alone])
def test_the_reader_sees_every_kind_of_figure(publish):
    """The attack is only as good as what it reads: the suppressed figures
    it collects include coverage, disadvantage and breakdown ones."""
    cohort = [Pupil(0, 7, True, 4), Pupil(0, 7, False, 0)] + [Pupil(1, 8, False, 2)] * 6
    visits = [Attendance(0, 0, 0)] * 6 + [Attendance(1, 1, 2)] * 2
    reader = Reader()
    for name, coverage, breakdown in publish([(cohort, visits)] * 3):
        observe_coverage(reader, name, coverage)
        observe_breakdown(reader, name, breakdown)
    tables = {name[1].split(":")[0] for name in reader.suppressed}
    assert tables == {"coverage", "disadvantage", "breakdown"}


# Every pupil at both schools has had an encounter by the live page, except
# in Year 8 at South School until one more has (found by Hypothesis, seed 6).
EVERYONE_REACHED = [
    *[Pupil(0, 7, True, 3)] * 2,
    Pupil(0, 8, True, 1),
    Pupil(0, 8, True, 4),
    Pupil(0, 9, True, 5),
    Pupil(1, 7, False, 3),
    *[Pupil(1, 8, True, 2)] * 2,
    Pupil(1, 8, True, 3),
]
EVERYONE_REACHED_STATES = [
    (EVERYONE_REACHED + [Pupil(1, 8, False, 0)], [Attendance(2, 0, 3)]),
    (EVERYONE_REACHED + [Pupil(1, 8, False, 0)], [Attendance(2, 0, 3)]),
    (EVERYONE_REACHED + [Pupil(1, 8, False, 1)], [Attendance(2, 0, 3)]),
]


def test_a_hidden_count_equal_to_its_count_on_roll_is_not_given_away():
    """On the live page every pupil on roll has had an encounter: 10 of 10,
    5 of 5 at each school. Pupils with an encounter are among those on roll,
    so the pupils without one are a count that is never negative: had the
    page shown the schools' 5s on roll beside their hidden 5s with an
    encounter, and the 10 beside the 10, the hidden 5s would have had to
    equal the 5s on roll. A count is hidden wherever the counts it is
    differenced with are, so the counts on roll are hidden with them."""
    live = publish_in_series(EVERYONE_REACHED_STATES)[-1][1]
    reader = Reader()
    observe_coverage(reader, "live", live)
    assert reader.recovered() == {}
    for row in live["by_measure"]["with_one"]["rows"]:
        assert row["total"].count.is_suppressed
    assert live["by_measure"]["on_roll"]["grand_total"].count.is_suppressed


def test_hidden_zero_employers_are_not_given_away_by_the_list_total():
    """All 5 pupil encounters with employers were with Local Garage: the
    other employers' zeros are hidden in a series, but so are both
    subtotals, and the list's total 5 beside Local Garage's 5 would say
    the hidden rows add up to 0. Local Garage's 5 is hidden with them
    (found by Hypothesis, ADR 0011)."""
    visits = [Attendance(2, 0, 2), Attendance(2, 1, 2)] + [Attendance(1, 1, 2)] * 3
    breakdown = published_breakdown(
        breakdown_input(visits, every_row=True), pattern=SeriesPattern.empty()
    )
    reader = Reader()
    observe_breakdown(reader, "release 1", breakdown)
    assert reader.recovered() == {}
    assert str(breakdown["by_employer"]["total"]) == "5"
    assert breakdown["by_employer"]["rows"][2]["pupils"].is_suppressed


def test_a_count_that_falls_never_makes_a_figure_hidden_for_the_first_time():
    """Pupils without an encounter is a count that falls: on the live page
    it reaches 0. When a falling count needed a new complement, the live
    page hid the 10 that releases showed as 9, and a reader who saw Year
    8's total rise from 5 to 6 added the rise to the 9 and pinned each
    school's 5 (found by Hypothesis, seed 6; ADR 0011). Now a difference's
    two counts are hidden in the same cells from the first release, so the
    difference never needs a complement and nothing is hidden for the first
    time."""
    published = publish_in_series(EVERYONE_REACHED_STATES)
    assert newly_hidden(published) == []
    _, recovered = attack({"Area 1": published})
    assert recovered == {}
