"""Reading a MIS roster export: one row per pupil.

Columns (any order, header names forgiving): UPN, pupil identifier, name
(optional), year group, FSM, SEND, entry date (optional: without it a new
pupil is taken as on roll from the start of the academic year). The UPN is
hashed as soon as it is read and never kept or echoed in an error message.
"""

from dataclasses import asdict, dataclass

from core.imports import CellError, CsvFileError, CsvTable, LineError, date_cell

from .models import SendProvision
from .pseudonymisation import InvalidUPN, upn_hash

ROSTER_COLUMNS = {
    "upn": ("upn", "unique_pupil_number"),
    "pupil_identifier": (
        "pupil_identifier",
        "pupil_id",
        "identifier",
        "admission_number",
        "adno",
        "mis_id",
    ),
    "name": ("name", "display_name", "pupil_name", "preferred_name"),
    "year_group": ("year_group", "nc_year", "ncyear", "year", "national_curriculum_year"),
    "fsm": ("fsm", "disadvantaged", "pupil_premium", "fsm_pupil_premium", "fsm_or_pupil_premium"),
    "send": ("send", "sen", "sen_provision", "send_provision", "sen_status"),
    "entry_date": ("entry_date", "date_of_entry", "on_roll_from", "admission_date"),
}
REQUIRED = ("upn", "pupil_identifier", "year_group")

_YES = {"y", "yes", "true", "1", "t"}
_NO = {"", "n", "no", "false", "0", "f"}
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

    def as_dict(self):
        return asdict(self)


def parse_year_group(raw: str) -> int | None:
    text = raw.strip().lower().removeprefix("year").removeprefix("y").strip()
    if text in ("r", "reception", "rec"):
        return 0
    if text.isdigit() and 0 <= int(text) <= 13:
        return int(text)
    return None


def parse_roster(text: str) -> tuple[list[RosterRow], list[LineError]]:
    """Rows and a LineError for each bad row. Lines count the header as 1."""
    table = CsvTable(text, ROSTER_COLUMNS)
    missing = [name for name in REQUIRED if name not in table.positions]
    if missing:
        names = ", ".join(name.replace("_", " ") for name in missing)
        raise CsvFileError(f"The file must have a header row with the columns: {names}")

    rows, errors = [], []
    seen_identifiers, seen_hashes = {}, {}
    for record in table.rows():
        line = record.line
        width_problem = table.width_problem(record)
        if width_problem:
            errors.append(LineError(line, _sentence([width_problem])))
            continue

        def cell(column, record=record):
            return table.cell(record, column)

        problems = []
        identifier = cell("pupil_identifier")
        if not identifier:
            problems.append("enter the pupil identifier")
        elif len(identifier) > 30:
            problems.append("pupil identifier must be 30 characters or fewer")
        elif identifier in seen_identifiers:
            problems.append(
                f"pupil identifier {identifier} is also on line {seen_identifiers[identifier]}"
            )
        hashed = ""
        try:
            hashed = upn_hash(cell("upn")) if cell("upn") else ""
            if not hashed:
                problems.append("enter the UPN")
            elif hashed in seen_hashes:
                problems.append(f"the same UPN is also on line {seen_hashes[hashed]}")
        except InvalidUPN as error:
            problems.append(str(error))
        year_group = parse_year_group(cell("year_group"))
        if year_group is None:
            problems.append("year group must be Reception (R) or a number from 1 to 13")
        fsm = cell("fsm").lower()
        if fsm not in _YES | _NO:
            problems.append("FSM must be Y or N")
        send = _SEND.get(cell("send").lower())
        if send is None:
            problems.append("SEND must be N (none), K (SEN support) or E (EHC plan)")
        entry = cell("entry_date")
        entry_date = ""
        if entry:
            try:
                entry_date = date_cell(entry).isoformat()
            except CellError:
                problems.append("entry date must be a real date, like 2017-09-04 or 04/09/2017")
        name = cell("name")
        if len(name) > 100:
            problems.append("name must be 100 characters or fewer")
        if problems:
            errors.append(LineError(line, _sentence(problems)))
            continue
        seen_identifiers[identifier] = line
        seen_hashes[hashed] = line
        rows.append(
            RosterRow(
                line=line,
                pupil_identifier=identifier,
                upn_hash=hashed,
                display_name=name,
                year_group=year_group,
                disadvantaged=fsm in _YES,
                send=str(send),
                entry_date=entry_date,
            )
        )
    if not rows and not errors:
        raise CsvFileError("The selected file has no pupils in it")
    return rows, errors


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[:1].upper() + text[1:]
