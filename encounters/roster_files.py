"""Reading a MIS roster export: one row per pupil.

Columns (any order, header names forgiving): UPN, pupil identifier, name
(optional), year group, tutor or class group (optional: without the column
pupils keep the group they have), FSM, SEND, entry date (optional: without
it a new pupil is taken as on roll from the start of the academic year). The UPN is
hashed as soon as it is read and never kept or echoed in an error message.
"""

from dataclasses import asdict, dataclass

from core.imports import (
    BOOLEAN_FORMS,
    DATE_FORMS,
    YEAR_GROUP_FORMS,
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    RowCells,
    boolean_cell,
    cell_problem,
    date_cell,
    year_group_cell,
)

from .models import SendProvision
from .pseudonymisation import InvalidUPN, upn_hash

TUTOR_GROUP_MAX = 40

ROSTER_IMPORT = ImportSpec(
    name="roster",
    columns=(
        Column(
            "upn",
            "UPN",
            ("unique_pupil_number",),
            required=True,
            holds="The pupil's unique pupil number (13 characters). Only a keyed hash is kept.",
            example="L890000000001",
        ),
        Column(
            "pupil_identifier",
            "Pupil identifier",
            ("pupil_id", "identifier", "admission_number", "adno", "mis_id"),
            required=True,
            holds="Your own identifier for the pupil, such as the admission number "
            "(30 characters or fewer).",
            example="ADM0001",
        ),
        Column(
            "name",
            "Name",
            ("display_name", "pupil_name", "preferred_name"),
            holds="Optional. A name only your school's staff see (100 characters or fewer).",
            example="Ada L",
        ),
        Column(
            "year_group",
            "Year group",
            ("nc_year", "ncyear", "year", "national_curriculum_year"),
            required=True,
            holds=YEAR_GROUP_FORMS,
            example="Y7",
        ),
        Column(
            "tutor_group",
            "Group",
            (
                "reg_group",
                "registration_group",
                "reg",
                "tutor_group",
                "tutor",
                "form",
                "form_group",
                "form_tutor_group",
                "class",
                "class_group",
                "teaching_group",
            ),
            holds="Optional. The pupil's tutor, registration or form group, or class "
            f"({TUTOR_GROUP_MAX} characters or fewer), as your MIS exports it.",
            example="9R",
        ),
        Column(
            "fsm",
            "FSM",
            ("disadvantaged", "pupil_premium", "fsm_pupil_premium", "fsm_or_pupil_premium"),
            holds=f"Free school meals or pupil premium: {BOOLEAN_FORMS}.",
            example="N",
        ),
        Column(
            "send",
            "SEND",
            ("sen", "sen_provision", "send_provision", "sen_status"),
            holds="N (none), K (SEN support) or E (EHC plan); blank is N.",
            example="N",
        ),
        Column(
            "entry_date",
            "Entry date",
            ("date_of_entry", "on_roll_from", "admission_date"),
            holds=f"Optional. The date the pupil joined: {DATE_FORMS}. Without it a new "
            "pupil is on roll from the start of the academic year.",
            example="04/09/2017",
        ),
    ),
)

_SEND = {
    "": SendProvision.NONE,
    "n": SendProvision.NONE,
    "none": SendProvision.NONE,
    "no": SendProvision.NONE,
    "k": SendProvision.SEN_SUPPORT,
    "sen support": SendProvision.SEN_SUPPORT,
    "sen_support": SendProvision.SEN_SUPPORT,
    "e": SendProvision.EHC_PLAN,
    "ehc": SendProvision.EHC_PLAN,
    "ehc plan": SendProvision.EHC_PLAN,
    "ehcp": SendProvision.EHC_PLAN,
    "ehc_plan": SendProvision.EHC_PLAN,
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    pupil_identifier: str
    upn_hash: str
    display_name: str
    year_group: int
    disadvantaged: bool
    send: str
    entry_date: str = ""  # ISO date, or "" when the file has none
    tutor_group: str | None = None  # None when the file has no group column: groups stay

    def as_dict(self):
        return asdict(self)


def parse_roster(text: str) -> tuple[list[RosterRow], list[LineError]]:
    """Rows and a LineError for each bad row. Lines count the header as 1."""
    rows, errors, _ = ROSTER_IMPORT.read(text, _RosterRule())
    if not rows and not errors:
        raise CsvFileError("The selected file has no pupils in it")
    return rows, errors


class _RosterRule:
    """The roster's row rule: one pupil per row, each pupil identifier and
    UPN once in the file. All of a line's problems make one sentence."""

    def __init__(self):
        self.seen_identifiers, self.seen_hashes = {}, {}

    def __call__(self, cell: RowCells) -> tuple[RosterRow | None, list[LineError]]:
        line = cell.line
        problems = []
        identifier = cell["pupil_identifier"]
        if not identifier:
            problems.append("enter the pupil identifier")
        elif len(identifier) > 30:
            problems.append("pupil identifier must be 30 characters or fewer")
        elif identifier in self.seen_identifiers:
            problems.append(
                f"pupil identifier {identifier} is also on line {self.seen_identifiers[identifier]}"
            )
        hashed = ""
        try:
            hashed = upn_hash(cell["upn"]) if cell["upn"] else ""
            if not hashed:
                problems.append("enter the UPN")
            elif hashed in self.seen_hashes:
                problems.append(f"the same UPN is also on line {self.seen_hashes[hashed]}")
        except InvalidUPN as error:
            problems.append(str(error))
        year_group = None
        try:
            year_group = year_group_cell(cell["year_group"])
        except CellError as error:
            problems.append(f"year group {error}")
        disadvantaged = False
        try:
            disadvantaged = boolean_cell(cell["fsm"])
        except CellError as error:
            problems.append(f"FSM {error}")
        send = _SEND.get(cell["send"].lower())
        if send is None:
            problems.append("SEND must be N (none), K (SEN support) or E (EHC plan)")
        entry = cell["entry_date"]
        entry_date = ""
        if entry:
            try:
                entry_date = date_cell(entry).isoformat()
            except CellError as error:
                problems.append(cell_problem("entry date", entry, error))
        name = cell["name"]
        if len(name) > 100:
            problems.append("name must be 100 characters or fewer")
        tutor_group = " ".join(cell["tutor_group"].split()) if "tutor_group" in cell else None
        if tutor_group and len(tutor_group) > TUTOR_GROUP_MAX:
            problems.append(f"group must be {TUTOR_GROUP_MAX} characters or fewer")
        if problems:
            return None, [LineError(line, _sentence(problems))]
        self.seen_identifiers[identifier] = line
        self.seen_hashes[hashed] = line
        row = RosterRow(
            line=line,
            pupil_identifier=identifier,
            upn_hash=hashed,
            display_name=name,
            year_group=year_group,
            disadvantaged=disadvantaged,
            send=str(send),
            entry_date=entry_date,
            tutor_group=tutor_group,
        )
        return row, []


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[:1].upper() + text[1:]
