"""A comparator group's series, computed from its members' series (ADR 0019).

Pure functions over plain values, like the progress engine: the selectors
read the members' LA figures and call `group_series`; the method page
(plans/method.py) states the same rule with figures worked out here.

The rule, for each date on which at least one member has a figure:

- if every member with a figure that date also published its numerator and
  denominator, the group figure is the sum of the numerators over the sum of
  the denominators (times 100 for a percentage): the figure for the group's
  pupils taken together;
- otherwise it is the mean of the members' figures, each LA counting once.

Each group figure says how many of the group's members had a figure, and
which rule made it. A date on which no member has a figure has no group
figure (it is not a zero).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class GroupRule(StrEnum):
    POOLED = "pooled"
    MEAN = "mean"

    @property
    def label(self) -> str:
        return {
            GroupRule.POOLED: "numerators over denominators",
            GroupRule.MEAN: "mean of members' figures",
        }[self]


@dataclass(frozen=True)
class MemberFigure:
    """One member LA's published figure for a date."""

    date: date
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def has_counts(self) -> bool:
        return self.numerator is not None and self.denominator is not None


@dataclass(frozen=True)
class GroupFigure:
    date: date
    value: Decimal
    members_with_data: int
    members: int
    rule: GroupRule


def group_series(
    figures: Mapping[object, Iterable[MemberFigure]], *, members: int, percentage: bool
) -> list[GroupFigure]:
    """The group's figures in date order. `figures` maps each member (any key,
    such as its LA code) to its figures; `members` is how many members the
    group has, with or without figures."""
    by_date: dict[date, list[MemberFigure]] = {}
    for member_figures in figures.values():
        for figure in member_figures:
            by_date.setdefault(figure.date, []).append(figure)
    series = []
    for day in sorted(by_date):
        present = by_date[day]
        if all(figure.has_counts for figure in present):
            scale = Decimal(100) if percentage else Decimal(1)
            value = (
                scale
                * sum(figure.numerator for figure in present)
                / sum(figure.denominator for figure in present)
            )
            rule = GroupRule.POOLED
        else:
            value = sum(figure.value for figure in present) / len(present)
            rule = GroupRule.MEAN
        series.append(GroupFigure(day, value, len(present), members, rule))
    return series
