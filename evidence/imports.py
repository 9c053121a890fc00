"""The CSV import of evidence strands and their Toolkit ratings, read through
core.imports like every other import: declared columns, typed cells, every
bad line named as uploaded, all or nothing.

A row names a strand (phase and name) and optionally its rating: impact,
cost and evidence strength with the date the rating was taken, all four or
none. A row whose rating differs from the one recorded for the same date is
an error (a revision needs its own date); `evidence.services.strands_import_file`
checks the file again and writes it."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.imports import (
    DATE_FORMS,
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    UploadFormat,
    cell_problem,
    date_cell,
    number_cell,
)
from plans.imports import IMPORT_MAX_BYTES

from .models import (
    COST_RANGE,
    EVIDENCE_STRENGTH_RANGE,
    IMPACT_MONTHS_RANGE,
    EvidenceStrand,
    StrandPhase,
)

STRAND_IMPORT_MAX_ROWS = 500

_PHASES = {
    "school": StrandPhase.SCHOOL,
    "teaching and learning": StrandPhase.SCHOOL,
    "teaching and learning toolkit": StrandPhase.SCHOOL,
    "early years": StrandPhase.EARLY_YEARS,
    "early_years": StrandPhase.EARLY_YEARS,
    "early years toolkit": StrandPhase.EARLY_YEARS,
}

STRAND_IMPORT = ImportSpec(
    name="evidence-strands",
    upload_format=UploadFormat(max_bytes=IMPORT_MAX_BYTES),
    other_columns=False,
    columns=(
        Column(
            "name",
            "strand",
            ("name", "strand name"),
            required=True,
            holds="The strand's name as the Toolkit gives it (120 characters or fewer).",
            example="Feedback",
        ),
        Column(
            "phase",
            "phase",
            ("toolkit",),
            required=True,
            holds="school (the Teaching and Learning Toolkit) or early years (the Early "
            "Years Toolkit).",
            example="school",
        ),
        Column(
            "impact_months",
            "impact months",
            ("impact",),
            holds=f"Optional. Months of additional progress, a whole number from "
            f"{IMPACT_MONTHS_RANGE[0]} to {IMPACT_MONTHS_RANGE[1]}.",
            example="",
        ),
        Column(
            "cost",
            "cost",
            holds=f"Optional. Cost rating, {COST_RANGE[0]} to {COST_RANGE[1]}.",
            example="",
        ),
        Column(
            "evidence_strength",
            "evidence strength",
            ("evidence",),
            holds=f"Optional. Evidence strength in padlocks, {EVIDENCE_STRENGTH_RANGE[0]} "
            f"to {EVIDENCE_STRENGTH_RANGE[1]}.",
            example="",
        ),
        Column(
            "rated_on",
            "rating date",
            ("rated on", "date"),
            holds=f"The date the rating was taken from the Toolkit, {DATE_FORMS}. "
            "Needed with a rating; leave all four rating cells blank for a name only.",
            example="",
        ),
    ),
)

_RATING_COLUMNS = (
    ("impact_months", "Impact months", IMPACT_MONTHS_RANGE),
    ("cost", "Cost", COST_RANGE),
    ("evidence_strength", "Evidence strength", EVIDENCE_STRENGTH_RANGE),
)


@dataclass
class StrandRow:
    line: int
    name: str
    phase: str
    impact_months: int | None
    cost: int | None
    evidence_strength: int | None
    rated_on: date | None
    change: str  # "created", "changed" (a new rating) or "unchanged"

    @property
    def phase_label(self):
        return StrandPhase(self.phase).label


@dataclass
class StrandPreview:
    rows: list
    errors: list

    @property
    def is_valid(self):
        return not self.errors

    def count(self, change):
        return sum(1 for row in self.rows if row.change == change)

    @property
    def created(self):
        return self.count("created")

    @property
    def changed(self):
        return self.count("changed")

    @property
    def unchanged(self):
        return self.count("unchanged")


def _row(cells) -> tuple[StrandRow | None, list[LineError]]:
    errors = []
    name = " ".join(cells["name"].split())
    if not name:
        errors.append(LineError(cells.line, "Strand is blank"))
    elif len(name) > 120:
        errors.append(LineError(cells.line, "Strand must be 120 characters or fewer"))
    phase_text = cells["phase"]
    phase = _PHASES.get(" ".join(phase_text.casefold().split()))
    if phase is None:
        errors.append(
            LineError(
                cells.line,
                f"Phase '{phase_text}' must be school or early years"
                if phase_text
                else "Phase is blank",
            )
        )
    figures = {}
    present = [key for key, _, _ in _RATING_COLUMNS if cells[key]] + (
        ["rated_on"] if cells["rated_on"] else []
    )
    if present and len(present) < 4:
        errors.append(
            LineError(
                cells.line,
                "A rating needs impact months, cost, evidence strength and rating date; "
                "fill in all four or leave all four blank",
            )
        )
    elif present:
        for key, label, (low, high) in _RATING_COLUMNS:
            try:
                figures[key] = int(number_cell(cells[key], whole=True, minimum=low, maximum=high))
            except CellError as error:
                errors.append(LineError(cells.line, cell_problem(label, cells[key], error)))
        try:
            figures["rated_on"] = date_cell(cells["rated_on"])
        except CellError as error:
            errors.append(
                LineError(cells.line, cell_problem("Rating date", cells["rated_on"], error))
            )
        if figures.get("rated_on") and figures["rated_on"] > timezone.localdate():
            errors.append(LineError(cells.line, "Rating date must be today or in the past"))
    if errors:
        return None, errors
    return (
        StrandRow(
            line=cells.line,
            name=name,
            phase=phase,
            impact_months=figures.get("impact_months"),
            cost=figures.get("cost"),
            evidence_strength=figures.get("evidence_strength"),
            rated_on=figures.get("rated_on"),
            change="",
        ),
        [],
    )


def strands_csv_preview(text: str) -> StrandPreview:
    """Every row of the file checked against the strands already recorded,
    and what importing it would do; nothing is written."""
    read = STRAND_IMPORT.read(text, _row)
    if not read.rows and not read.errors:
        raise CsvFileError("The selected file has a header but no rows")
    if len(read.rows) + len(read.errors) > STRAND_IMPORT_MAX_ROWS:
        raise CsvFileError(f"The selected file must have {STRAND_IMPORT_MAX_ROWS:,} rows or fewer")
    errors = list(read.errors)
    strands = {
        (strand.phase, strand.name.casefold()): strand
        for strand in EvidenceStrand.objects.prefetch_related("ratings")
    }
    seen = {}
    for row in read.rows:
        key = (row.phase, row.name.casefold())
        if key in seen:
            errors.append(
                LineError(row.line, f"{row.name} is already on line {seen[key]} of the file")
            )
            continue
        seen[key] = row.line
        strand = strands.get(key)
        if strand is None:
            row.change = "created"
            continue
        same_day = next((r for r in strand.ratings.all() if r.rated_on == row.rated_on), None)
        if row.rated_on is None or (
            same_day is not None
            and same_day.figures == (row.impact_months, row.cost, row.evidence_strength)
        ):
            row.change = "unchanged"
        elif same_day is not None:
            errors.append(
                LineError(
                    row.line,
                    f"{strand.name} already has a different rating taken on "
                    f"{row.rated_on:%d/%m/%Y}. A revision needs the date the new rating was taken",
                )
            )
        else:
            row.change = "changed"
    errors.sort(key=lambda error: error.line)
    return StrandPreview(rows=read.rows, errors=errors)
