"""CSV imports for plans: measurements into the published plan, actions into
the draft.

Each import has two steps over the same file text. `*_csv_preview` reads and
checks every line and says what each would do (create, change or leave
unchanged) without writing. `*_csv_import` checks the file again and, only
if every line is good, writes all of it through the plan services in one
transaction: all or nothing, with history recorded. Running an import again
on the same file finds everything unchanged and writes nothing.

Problems with the file as a whole (not UTF-8, missing columns) raise
CsvFileError; problems with lines are listed as LineErrors, every one of
them, naming the line as a spreadsheet shows it (the header is line 1).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.imports import (
    DATE_FORMS,
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    UploadFormat,
    cell_problem,
    code_cell,
    date_cell,
    number_cell,
    upload_text,
)
from core.numbers import NUMBER_FORMS, POUNDS
from partners.models import Organisation

from . import services
from .models import (
    Action,
    DeliveryPlan,
    FigureStatus,
    FundingStream,
    Measurement,
    PlanStatus,
)

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 5000


class CsvImportError(Exception):
    """Some lines are invalid, so nothing was imported."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problems in the file")


class RowChange(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class ChangeCounts:
    """How many of an import's rows (each with a `change`) it would create,
    change or leave unchanged."""

    rows: list

    def count(self, change):
        return sum(1 for row in self.rows if row.change == change)

    @property
    def created(self):
        return self.count(RowChange.CREATED)

    @property
    def changed(self):
        return self.count(RowChange.CHANGED)

    @property
    def unchanged(self):
        return self.count(RowChange.UNCHANGED)


@dataclass
class ImportPreview(ChangeCounts):
    """What an import would do: one row per good line, and every error."""

    rows: list = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.errors and bool(self.rows)


# --- Reading the file --------------------------------------------------------


def csv_text_decode(data: bytes) -> str:
    """The text of an uploaded CSV file, within the import's size limit."""
    return upload_text(data, MEASUREMENT_IMPORT.upload_format)


def read_records(text, spec: ImportSpec):
    """The columns the file has, (line, {column: cell}) for each good
    non-blank line after the header, and a LineError for each line with
    cells beyond the header's.

    The spec refuses any other header, so a misspelt optional column is not
    silently ignored. The rows are checked by the import's preview, which
    needs the plan."""
    records, width_errors, columns_present = spec.read(
        text, lambda cells: ((cells.line, cells.as_dict()), [])
    )
    if not records and not width_errors:
        raise CsvFileError("The selected file has a header but no rows")
    if len(records) + len(width_errors) > IMPORT_MAX_ROWS:
        raise CsvFileError(f"The selected file must have {IMPORT_MAX_ROWS:,} rows or fewer")
    return columns_present, records, width_errors


def _parse_date(text, label):
    """A date in the forms every import accepts, or raise ValueError with a message."""
    if not text:
        raise ValueError(f"{label} is blank")
    try:
        return date_cell(text)
    except CellError as error:
        raise ValueError(cell_problem(label, text, error)) from None


def _parse_decimal(text, label, *, max_digits, decimal_places, unit):
    if not text:
        raise ValueError(f"{label} is blank")
    try:
        return number_cell(text, max_digits=max_digits, decimal_places=decimal_places, unit=unit)
    except CellError as error:
        raise ValueError(cell_problem(label, text, error)) from None


def _name_key(text):
    return " ".join(text.split()).casefold()


def _text(cells, column, label, *, max_length, required=False):
    value = cells.get(column, "")
    if required and not value:
        raise ValueError(f"{label} is blank")
    if len(value) > max_length:
        raise ValueError(f"{label} must be {max_length} characters or fewer")
    return value


class _LineChecker:
    """Collects a line's errors so that every problem on it is reported."""

    def __init__(self, line, errors):
        self.line = line
        self.errors = errors
        self.ok = True

    def __call__(self, parse, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except ValueError as error:
            self.fail(str(error))
            return None

    def fail(self, message):
        self.ok = False
        self.errors.append(LineError(self.line, message))


# --- Measurements --------------------------------------------------------------

MEASUREMENT_IMPORT = ImportSpec(
    name="measurements",
    upload_format=UploadFormat(max_bytes=IMPORT_MAX_BYTES),
    other_columns=False,
    columns=(
        Column(
            "indicator",
            "indicator",
            ("indicator name",),
            holds="The indicator's name, as in the plan. Or use an indicator id column "
            "with the id in the table below.",
            example="Good level of development",
        ),
        Column(
            "indicator_id",
            "indicator id",
            ("id",),
            holds="The indicator's id, from the table below, instead of its name.",
            example="",
        ),
        Column(
            "date",
            "date",
            required=True,
            holds=f"The date, or last day of the period, the figure is for: {DATE_FORMS}. "
            "Not in the future, and after the indicator's baseline date.",
            example="31/08/2019",
        ),
        Column(
            "value",
            "value",
            required=True,
            holds=f"The figure: {NUMBER_FORMS}, up to 3 decimal places; a % sign may "
            "follow it where the indicator is a percentage.",
            example="61.5",
        ),
        Column(
            "status",
            "status",
            holds="Optional. provisional, final or revised; blank means final.",
            example="final",
        ),
        Column(
            "source",
            "source",
            holds="Optional. Where the figure comes from (200 characters or fewer). Leave the "
            "column out to keep what is already recorded.",
            example="DfE EYFS profile statistics",
        ),
        Column(
            "note",
            "note",
            ("notes",),
            holds="Optional. Any note. Leave the column out to keep what is already recorded.",
            example="",
        ),
    ),
)


@dataclass
class MeasurementRow:
    line: int
    indicator: object
    date: date
    value: Decimal
    status: str
    source: str
    note: str
    change: RowChange
    existing: Measurement | None

    @property
    def status_label(self):
        return FigureStatus(self.status).label


def _published_plan(area):
    plan = DeliveryPlan.objects.filter(area=area, status=PlanStatus.PUBLISHED).first()
    if plan is None:
        raise CsvFileError(
            "This area has no published plan, so there are no indicators to record "
            "measurements against"
        )
    return plan


def _figure_status(text):
    if not text:
        return FigureStatus.FINAL
    for value, label in FigureStatus.choices:
        if text.casefold() in (value, label.casefold()):
            return value
    raise ValueError(f"status '{text}' must be provisional, final or revised")


def measurements_csv_preview(*, area, text) -> ImportPreview:
    """What importing `text` as measurements for `area`'s published plan would do."""
    plan = _published_plan(area)
    columns_present, records, errors = read_records(text, MEASUREMENT_IMPORT)
    if "indicator" not in columns_present and "indicator_id" not in columns_present:
        MEASUREMENT_IMPORT.check_header(
            columns_present, also_missing=("'indicator' or 'indicator id'",)
        )
    indicators = list(plan.indicators.select_related("lineage__area"))
    by_id = {indicator.lineage_id: indicator for indicator in indicators}
    by_name = {}
    for indicator in indicators:
        by_name.setdefault(_name_key(indicator.name), []).append(indicator)
    existing = {
        (m.lineage_id, m.date): m for m in Measurement.objects.filter(lineage_id__in=list(by_id))
    }

    preview = ImportPreview(errors=errors)
    first_line = {}
    for line, cells in records:
        check = _LineChecker(line, preview.errors)
        indicator = check(_measurement_indicator, cells, by_id, by_name)
        day = check(_parse_date, cells["date"], "date")
        value = check(
            _parse_decimal,
            cells["value"],
            "value",
            max_digits=12,
            decimal_places=3,
            unit=indicator.number_unit if indicator else "",
        )
        status = check(_figure_status, cells.get("status", ""))
        source = check(_text, cells, "source", "source", max_length=200)
        note = cells.get("note", "")
        if day and indicator:
            try:
                # The rule measurement_record applies, checked before confirming.
                services.measurement_date_check(
                    lineage=indicator.lineage, date=day, baseline=indicator.baseline_date
                )
            except ValidationError as error:
                check.fail(f"date '{cells['date']}': {error.message_dict['date'][0]}")
        if not check.ok:
            continue
        key = (indicator.lineage_id, day)
        if key in first_line:
            check.fail(f"'{indicator.name}' on {day:%d/%m/%Y} is also on line {first_line[key]}")
            continue
        first_line[key] = line
        before = existing.get(key)
        # A column left out of the file leaves what is recorded as it is.
        if before is not None:
            source = source if "source" in cells else before.source
            note = note if "note" in cells else before.note
        row = MeasurementRow(
            line, indicator, day, value, status, source or "", note, RowChange.CREATED, before
        )
        if before is not None:
            same = (before.value, before.status, before.source, before.note) == (
                value,
                status,
                row.source,
                note,
            )
            row.change = RowChange.UNCHANGED if same else RowChange.CHANGED
        preview.rows.append(row)
    preview.errors.sort(key=lambda error: error.line)
    return preview


def _measurement_indicator(cells, by_id, by_name):
    reference = cells.get("indicator_id", "")
    name = cells.get("indicator", "")
    if reference:
        try:
            lineage_id = code_cell(reference)
        except CellError:
            lineage_id = None
        if lineage_id not in by_id:
            raise ValueError(f"indicator id '{reference}' is not in the published plan")
        indicator = by_id[lineage_id]
        if name and _name_key(name) != _name_key(indicator.name):
            raise ValueError(f"indicator id {reference} is '{indicator.name}', not '{name}'")
        return indicator
    if not name:
        raise ValueError("indicator is blank")
    matches = by_name.get(_name_key(name), [])
    if not matches:
        raise ValueError(f"indicator '{name}' is not in the published plan")
    if len(matches) > 1:
        raise ValueError(
            f"more than one indicator is called '{name}'. Use the 'indicator id' column"
        )
    return matches[0]


@transaction.atomic
def measurements_csv_import(*, area, user, text) -> ImportPreview:
    """Record every measurement in `text`, or none: raises CsvImportError
    (nothing written) when any line is invalid."""
    preview = measurements_csv_preview(area=area, text=text)
    if preview.errors:
        raise CsvImportError(preview.errors)
    for row in preview.rows:
        if row.change == RowChange.UNCHANGED:
            continue
        try:
            services.measurement_record(
                lineage=row.indicator.lineage,
                user=user,
                date=row.date,
                value=row.value,
                status=row.status,
                source=row.source,
                note=row.note,
            )
        except ValidationError as error:
            raise CsvImportError([LineError(row.line, m) for m in error.messages]) from None
    return preview


# --- Actions -----------------------------------------------------------------

ACTION_IMPORT = ImportSpec(
    name="actions",
    upload_format=UploadFormat(max_bytes=IMPORT_MAX_BYTES),
    other_columns=False,
    columns=(
        Column(
            "priority",
            "priority",
            ("priority number",),
            required=True,
            holds="The number of a priority in the draft plan, like 1.",
            example="1",
        ),
        Column(
            "title",
            "title",
            required=True,
            holds="The action's title (200 characters or fewer). An action with the same "
            "priority and title as one in the draft is updated.",
            example="Phonics training for reception teachers",
        ),
        Column("description", "description", holds="Optional. What the action is.", example=""),
        Column(
            "lead_organisation",
            "lead organisation",
            holds="Optional. The name of an organisation already in the service.",
            example="",
        ),
        Column(
            "owner",
            "owner",
            required=True,
            holds="Who is responsible (200 characters or fewer).",
            example="Early years lead",
        ),
        Column(
            "funding_stream",
            "funding stream",
            holds="Optional. Core programme, Essential Life Skills, Teaching and Leadership "
            "Innovation Fund or Other (the name or code of a funding stream).",
            example="",
        ),
        Column(
            "budget",
            "budget",
            holds=f"Optional. {NUMBER_FORMS}, up to 2 decimal places, 0 or more; a £ sign "
            "may come first. Blank is 0.",
            example="£12,000",
        ),
        Column(
            "start_date",
            "start date",
            required=True,
            holds=f"{DATE_FORMS}.",
            example="01/09/2020",
        ),
        Column(
            "due_date",
            "due date",
            required=True,
            holds=f"{DATE_FORMS}, on or after the start date.",
            example="31/07/2021",
        ),
    ),
)
# Columns an update may leave out; a new action gets the model's default.
ACTION_OPTIONAL_FIELDS = ("description", "lead_organisation", "funding_stream", "budget")


@dataclass
class ActionRow:
    line: int
    priority: object
    title: str
    values: dict
    change: RowChange
    existing: Action | None
    changed_fields: list[str] = field(default_factory=list)

    @property
    def changed_labels(self):
        return ", ".join(
            str(Action._meta.get_field(name).verbose_name) for name in self.changed_fields
        )


def _draft(plan):
    if plan is None or plan.status != PlanStatus.DRAFT:
        raise CsvFileError("Actions can only be imported into a draft. Start a new draft first")
    return plan


def _organisation(text, organisations):
    if not text:
        return None
    matches = organisations.get(_name_key(text), [])
    if not matches:
        raise ValueError(
            f"lead organisation '{text}' is not an organisation in the service. "
            "Ask an administrator to add it, or leave the cell blank"
        )
    if len(matches) > 1:
        raise ValueError(f"lead organisation '{text}' matches more than one organisation")
    return matches[0]


def _funding_stream(text, streams):
    if not text:
        return None
    for stream in streams:
        if _name_key(text) in (_name_key(stream.code), _name_key(stream.name)):
            return stream
    raise ValueError(
        f"funding stream '{text}' must be one of: " + ", ".join(s.name for s in streams)
    )


def _differs(action, name, value):
    """Whether the stored action's field differs from an imported value,
    comparing related rows by primary key (no query per row)."""
    if name in ("lead_organisation", "funding_stream"):
        return getattr(action, f"{name}_id") != (value.pk if value else None)
    return getattr(action, name) != value


def _priority_number(text, priorities):
    if not text:
        raise ValueError("priority is blank")
    try:
        number = code_cell(text)
    except CellError:
        number = None
    if number not in priorities:
        raise ValueError(f"priority '{text}' is not a priority number in the draft plan")
    return priorities[number]


def actions_csv_preview(*, plan, text) -> ImportPreview:
    """What importing `text` as actions into the draft `plan` would do.

    An action is matched by priority number and title (ignoring case and
    spacing) with one already in the draft; others are new."""
    _draft(plan)
    _, records, errors = read_records(text, ACTION_IMPORT)
    priorities = {p.number: p for p in plan.priorities.all()}
    organisations = {}
    for organisation in Organisation.objects.filter(Q(area=None) | Q(area=plan.area_id)):
        organisations.setdefault(_name_key(organisation.name), []).append(organisation)
    streams = list(FundingStream.objects.all())
    existing = {
        (action.priority.number, _name_key(action.title)): action
        for action in plan.actions.select_related("priority")
    }

    preview = ImportPreview(errors=errors)
    first_line = {}
    for line, cells in records:
        check = _LineChecker(line, preview.errors)
        priority = check(_priority_number, cells["priority"], priorities)
        title = check(_text, cells, "title", "title", max_length=200, required=True)
        values = {
            "owner": check(_text, cells, "owner", "owner", max_length=200, required=True),
            "start_date": check(_parse_date, cells["start_date"], "start date"),
            "due_date": check(_parse_date, cells["due_date"], "due date"),
        }
        if "description" in cells:
            values["description"] = cells["description"]
        if "lead_organisation" in cells:
            values["lead_organisation"] = check(
                _organisation, cells["lead_organisation"], organisations
            )
        if "funding_stream" in cells:
            values["funding_stream"] = check(_funding_stream, cells["funding_stream"], streams)
        if "budget" in cells:
            values["budget"] = (
                check(
                    _parse_decimal,
                    cells["budget"],
                    "budget",
                    max_digits=12,
                    decimal_places=2,
                    unit=POUNDS,
                )
                if cells["budget"]
                else Decimal("0.00")
            )
            if values["budget"] is not None and values["budget"] < 0:
                check.fail(f"budget '{cells['budget']}' must be 0 or more")
        start, due = values["start_date"], values["due_date"]
        if start and due and due < start:
            check.fail(
                f"due date '{cells['due_date']}' is before the start date '{cells['start_date']}'"
            )
        if not check.ok:
            continue
        key = (priority.number, _name_key(title))
        if key in first_line:
            check.fail(
                f"priority {priority.number} already has an action called '{title}' "
                f"on line {first_line[key]}"
            )
            continue
        first_line[key] = line
        before = existing.get(key)
        row = ActionRow(line, priority, title, values, RowChange.CREATED, before)
        if before is not None:
            row.changed_fields = [
                name for name, value in values.items() if _differs(before, name, value)
            ]
            if before.title != title:
                row.changed_fields.insert(0, "title")
            row.change = RowChange.CHANGED if row.changed_fields else RowChange.UNCHANGED
        preview.rows.append(row)
    preview.errors.sort(key=lambda error: error.line)
    return preview


@transaction.atomic
def actions_csv_import(*, plan, user, text) -> ImportPreview:
    """Create or change every action in `text` in the draft, or none: raises
    CsvImportError (nothing written) when any line is invalid."""
    plan = _draft(DeliveryPlan.objects.select_for_update().filter(pk=_draft(plan).pk).first())
    preview = actions_csv_preview(plan=plan, text=text)
    if preview.errors:
        raise CsvImportError(preview.errors)
    for row in preview.rows:
        if row.change == RowChange.UNCHANGED:
            continue
        obj = row.existing or Action(plan=plan)
        try:
            services.plan_content_save(
                obj=obj, user=user, priority=row.priority, title=row.title, **row.values
            )
        except ValidationError as error:
            raise CsvImportError([LineError(row.line, m) for m in error.messages]) from None
    return preview
