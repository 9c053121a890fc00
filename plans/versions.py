"""Comparing two versions of an area's plan.

Priorities, indicators and actions are matched by lineage, so a renamed or
renumbered row is "changed", not removed and added. Targets have no lineage:
they are matched by their indicator's lineage and their date, so a target
whose date moved shows as one removed and one added.

Reads a fixed number of queries (four per version) whatever the plan's size.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .models import Action, Indicator, Priority, Target


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RowChange:
    """A row added, removed or changed. `fields` lists the values of an added
    or removed row, and only the changed fields of a changed row."""

    kind: str
    change: Change
    name: str
    context: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class VersionComparison:
    before: object
    after: object
    priorities: list[RowChange]
    indicators: list[RowChange]
    targets: list[RowChange]
    actions: list[RowChange]

    @property
    def sections(self):
        return [
            ("Priorities", self.priorities),
            ("Indicators", self.indicators),
            ("Targets", self.targets),
            ("Actions", self.actions),
        ]

    @property
    def has_changes(self):
        return any(rows for _, rows in self.sections)


PRIORITY_FIELDS = ("number", "title", "life_stage", "description")
INDICATOR_FIELDS = (
    "priority",
    "name",
    "unit",
    "polarity",
    "baseline_value",
    "baseline_date",
    "frequency_days",
    "tolerance",
    "source",
    "comparator",
    "comparator_group",
)
TARGET_FIELDS = ("date", "value", "basis", "description")
ACTION_FIELDS = (
    "priority",
    "title",
    "description",
    "lead_organisation",
    "owner",
    "owner_user",
    "funding_stream",
    "budget",
    "start_date",
    "due_date",
)


@dataclass(frozen=True)
class _Content:
    priorities: dict
    indicators: dict
    targets: dict
    actions: dict


def _content(plan) -> _Content:
    priorities = {p.lineage_id: p for p in Priority.objects.filter(plan=plan)}
    indicators = {
        i.lineage_id: i
        for i in Indicator.objects.filter(plan=plan).select_related(
            "priority", "comparator", "comparator_group"
        )
    }
    targets = {
        (t.indicator.lineage_id, t.date): t
        for t in Target.objects.filter(indicator__plan=plan).select_related("indicator")
    }
    actions = {
        a.lineage_id: a
        for a in Action.objects.filter(plan=plan).select_related(
            "priority", "lead_organisation", "owner_user", "funding_stream"
        )
    }
    return _Content(priorities, indicators, targets, actions)


def plan_versions_compare(*, before, after) -> VersionComparison:
    """What changed from plan version `before` to version `after` (both of
    one area, already scoped by the caller)."""
    old, new = _content(before), _content(after)
    return VersionComparison(
        before=before,
        after=after,
        priorities=_compare(
            "Priority", old.priorities, new.priorities, PRIORITY_FIELDS, str, lambda p: ""
        ),
        indicators=_compare(
            "Indicator",
            old.indicators,
            new.indicators,
            INDICATOR_FIELDS,
            lambda i: i.name,
            lambda i: str(i.priority),
        ),
        targets=_compare(
            "Target",
            old.targets,
            new.targets,
            TARGET_FIELDS,
            lambda t: f"Target for {_display(t.date)}",
            lambda t: t.indicator.name,
        ),
        actions=_compare(
            "Action",
            old.actions,
            new.actions,
            ACTION_FIELDS,
            lambda a: a.title,
            lambda a: str(a.priority),
        ),
    )


def _compare(kind, old, new, field_names, name_of, context_of):
    rows = []
    for key, row in new.items():
        if key not in old:
            rows.append(
                RowChange(
                    kind,
                    Change.ADDED,
                    name_of(row),
                    context_of(row),
                    tuple(FieldChange(_label(row, f), "", _value(row, f)) for f in field_names),
                )
            )
            continue
        previous = old[key]
        changes = tuple(
            FieldChange(_label(row, f), _value(previous, f), _value(row, f))
            for f in field_names
            if _comparable(previous, f) != _comparable(row, f)
        )
        if changes:
            rows.append(RowChange(kind, Change.CHANGED, name_of(row), context_of(row), changes))
    for key, row in old.items():
        if key not in new:
            rows.append(
                RowChange(
                    kind,
                    Change.REMOVED,
                    name_of(row),
                    context_of(row),
                    tuple(FieldChange(_label(row, f), _value(row, f), "") for f in field_names),
                )
            )
    return rows


def _label(obj, name):
    return str(obj._meta.get_field(name).verbose_name).capitalize()


def _comparable(obj, name):
    """The value that decides whether a field changed. A priority is the same
    priority across versions when its lineage is."""
    if name == "priority":
        return obj.priority.lineage_id
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)


def _value(obj, name):
    """A field's value as a person reads it."""
    field = obj._meta.get_field(name)
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if name == "tolerance":
        return f"{_display(obj.tolerance * 100)}%"
    return _display(getattr(obj, name))


def _display(value):
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:,f}" if value != value.to_integral() else f"{int(value):,}"
    return str(value)
