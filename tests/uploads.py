"""Uploaded files for tests and bench/fuzz_imports.py: one file written the
ways real tools write it, and files broken the ways real files break.

`same_file_variants` gives a file with each kind of line ending (and a
byte-order mark), which every import must read as the same file.
`mutated` breaks a good file at random: line endings, byte-order marks,
encodings, NUL and control bytes, over-long cells, stray quotes, ragged
rows, truncation, binary data and odd values. The fuzz test drives it from
hypothesis (so failures shrink and replay); the bench script drives it from
a seeded random.Random, fast enough for a million inputs.
"""

import codecs
import random
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from areas import gias
from areas.models import Area, School
from areas.services import school_import_gias
from core.imports import CELL_MAX_CHARACTERS, CsvFileError, upload_text
from core.models import Role, UploadPreview
from encounters import services as encounter_services
from encounters.attendance_files import attendance_rows, pseudonymise_attendance, resolve_attendance
from encounters.models import (
    Attendance,
    AttendanceUpload,
    Encounter,
    Pupil,
    UploadStatus,
)
from encounters.pseudonymisation import upn_hash
from encounters.roster_files import parse_roster
from plans import imports as plan_imports
from plans import services as plan_services
from plans.models import Action, Measurement
from tests.encounters.factories import make_upn
from tests.factories import SchoolFactory, UserFactory
from tests.plans.factories import published_plan_with


def same_file_variants(crlf: bytes, *, bom: bool = True) -> dict[str, bytes]:
    """The same file, written with CR LF as given, and with LF, CR (older
    Excel for Mac), a mix, and (for UTF-8 files) a byte-order mark."""
    assert b"\r\n" in crlf
    assert b"\r" not in crlf.replace(b"\r\n", b"")
    lf = crlf.replace(b"\r\n", b"\n")
    lines = lf.split(b"\n")
    mixed = b"".join(
        line + (b"\r\n", b"\n", b"\r")[number % 3] for number, line in enumerate(lines[:-1])
    )
    variants = {
        "CR LF": crlf,
        "LF": lf,
        "CR": lf.replace(b"\n", b"\r"),
        "mixed": mixed + lines[-1],
    }
    if bom:
        variants["BOM and CR LF"] = codecs.BOM_UTF8 + crlf
        variants["BOM and CR"] = codecs.BOM_UTF8 + variants["CR"]
    return variants


def written_by_each(variants: dict[str, bytes], load, written) -> dict[str, object]:
    """{variant: what `written()` reads back after `load(data)`}, each
    variant imported into the database as it was, then rolled back."""
    outcome = {}
    for name, data in variants.items():
        with transaction.atomic():
            load(data)
            outcome[name] = written()
            transaction.set_rollback(True)
    return outcome


# Values that have broken parsers, or that look like what a cell holds.
ODD_VALUES = (
    "",
    " ",
    '"',
    '""',
    '"unclosed',
    "\\.",
    "NaN",
    "inf",
    "-0",
    "1e999",
    "9" * 40,
    "£1,000",
    "12%",
    "31/02/2020",
    "2019-13-01",
    "31-08-2019",
    "0000-00-00",
    "R",
    "Y",
    "EHC",
    "Year 14",
    "A1234567890123",
    "S890000000901",
    "U89000000090S",
    "line\nbreak",
    "tab\there",
    "\u2028",
    "\x85",
    "\ufeff",
    "é",
    "😀",
    "SUPP",
    "=cmd|' /C calc'!A0",
    "NULL",
    "None",
    "line",
    "x" * 300,
)
LINE_ENDINGS = ("\r\n", "\n", "\r")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le")
BINARY_STARTS = (
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # xlsx, zip
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",  # xls
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\x1f\x8b\x08\x00",  # gzip
)


def _cells_mutated(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    number = rng.randrange(len(lines))
    cells = lines[number].split(",")
    kind = rng.randrange(6)
    cell = rng.randrange(len(cells))
    if kind == 0:
        cells[cell] = rng.choice(ODD_VALUES)
    elif kind == 1:
        cells.append(rng.choice(ODD_VALUES) or "extra")
    elif kind == 2 and len(cells) > 1:
        del cells[cell]
    elif kind == 3:
        cells[cell] = '"' + cells[cell].replace('"', '""') + '"'
    elif kind == 4:
        cells[cell] = cells[cell].upper() if rng.random() < 0.5 else cells[cell].swapcase()
    else:
        cells[cell] = cells[cell] + rng.choice(ODD_VALUES)
    lines[number] = ",".join(cells)
    return "\n".join(lines)


def _lines_mutated(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    number = rng.randrange(len(lines))
    kind = rng.randrange(5)
    if kind == 0:
        lines.insert(number, lines[number])
    elif kind == 1 and len(lines) > 1:
        del lines[number]
    elif kind == 2:
        lines.insert(number, rng.choice(("", " ", ",,,", " , ,")))
    elif kind == 3:
        rng.shuffle(lines)
    else:
        lines[number] = lines[number][: rng.randrange(len(lines[number]) + 1)]
    return "\n".join(lines)


def _text_mutated(rng: random.Random, text: str) -> str:
    kind = rng.randrange(10)
    if kind in (0, 1):
        return _cells_mutated(rng, text)
    if kind == 2:
        return _lines_mutated(rng, text)
    if kind == 3:
        endings = LINE_ENDINGS if rng.random() < 0.5 else (rng.choice(LINE_ENDINGS),)
        return (
            "".join(line + rng.choice(endings) for line in text.split("\n")[:-1])
            + text.split("\n")[-1]
        )
    position = rng.randrange(len(text) + 1)
    if kind == 4:
        inserted = rng.choice(('"', ",", "\x00", "\x1b", "\x7f", "\r", "\n", "\ufeff", "\u2028"))
    elif kind == 5:
        inserted = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 8)))
        inserted = inserted.encode("utf-8", "replace").decode("utf-8", "replace")
    elif kind == 6:
        # Long cells; rarely (they are slow to read) just under, at and over
        # the csv module's limit, sometimes quoted, sometimes never closed.
        length = 1000
        if rng.random() < 0.05:
            length = rng.choice((CELL_MAX_CHARACTERS, CELL_MAX_CHARACTERS + 1, 200_000))
        inserted = rng.choice(("", '"')) + "x" * length
    elif kind == 7:
        return text[:position]
    elif kind == 8:
        inserted = rng.choice(ODD_VALUES)
    else:
        inserted = "," * rng.randrange(1, 4)
    return text[:position] + inserted + text[position:]


def _bytes_mutated(rng: random.Random, data: bytes) -> bytes:
    kind = rng.randrange(6)
    position = rng.randrange(len(data) + 1)
    if kind == 0:
        return rng.choice((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) + data
    if kind == 1:
        return data[:position] + bytes([rng.randrange(256)]) + data[position + 1 :]
    if kind == 2:
        return data[:position] + rng.randbytes(rng.randrange(1, 16)) + data[position:]
    if kind == 3:
        return rng.choice(BINARY_STARTS) + rng.randbytes(rng.randrange(0, 200))
    if kind == 4:
        return rng.randbytes(rng.randrange(0, 300))
    return data[:position]


def mutated(rng: random.Random, good: str, *, encoding: str = "utf-8") -> bytes:
    """A file made from the good file's text by one to three random breakages
    of its text, then encoded (usually as the import expects), and sometimes
    broken as bytes too."""
    text = good
    for _ in range(rng.randrange(1, 4)):
        text = _text_mutated(rng, text)
    chosen = encoding if rng.random() < 0.8 else rng.choice(ENCODINGS)
    data = text.encode(chosen, "replace")
    if rng.random() < 0.25:
        data = _bytes_mutated(rng, data)
    return data


# --- Good files, and reading them without writing anything -----------------


def gias_file_text() -> str:
    """A GIAS extract of two open Blackpool schools, as text."""
    rows = [
        {
            gias.URN: urn,
            gias.LA_CODE: 890,
            gias.LA_NAME: "Blackpool",
            gias.ESTABLISHMENT_NUMBER: 2000 + urn % 1000,
            gias.ESTABLISHMENT_NAME: f"St Mary’s {urn}",
            gias.ESTABLISHMENT_STATUS: "Open",
            gias.PHASE: "Primary",
            gias.NUMBER_OF_PUPILS: 210,
            gias.PERCENTAGE_FSM: "23.5",
            gias.DISTRICT: "Blackpool",
            gias.POSTCODE: "FY1 1AA",
        }
        for urn in (990001, 990002)
    ]
    return gias.gias_csv_bytes(rows, extra_columns=False).decode(gias.DEFAULT_ENCODING)


def roster_file_text() -> str:
    """Three pupils, F1 to F3, with the UPNs make_upn(901) to make_upn(903)."""
    return (
        "UPN,Pupil identifier,Name,Year group,FSM,SEND,Entry date\r\n"
        f"{make_upn(901)},F1,Zoë Ng,9,Y,N,04/09/2017\r\n"
        f'{make_upn(902)},F2,"Smith, Al",Year 10,N,K,2017-09-04\r\n'
        f"{make_upn(903)},F3,,R,,E,\r\n"
    )


def attendance_file_text() -> str:
    """Two encounters for the roster file's pupils, named both ways."""
    return (
        "Pupil identifier,UPN,Date,Type,Employer,Title\r\n"
        "F1,,2018-03-14,Employer talk,,Banking careers\r\n"
        f",{make_upn(902)},14/03/2018,employer-talk,,Banking careers\r\n"
        'F3,,2018-02-01,Workplace visit,,"Port visit, Year 10"\r\n'
    )


def measurements_file_text(indicator_names: list[str]) -> str:
    return "indicator,date,value,status\r\n" + "".join(
        f'"{name}",31/08/2019,{61 + n},final\r\n' for n, name in enumerate(indicator_names)
    )


def actions_file_text() -> str:
    return (
        "priority,title,owner,budget,start date,due date\r\n"
        '1,Fuzzed mentoring,Owner,"£1,000",01/09/2020,31/07/2021\r\n'
        "2,Fuzzed hubs,Hub lead,45000,2020-09-01,2021-07-31\r\n"
    )


@dataclass(frozen=True)
class Reader:
    """One import's reading side: how its good file is encoded, and a call
    that reads a file without writing, returning normally or raising
    CsvFileError (GIAS: GiasFileError)."""

    name: str
    encoding: str
    refusals: tuple[type[Exception], ...]

    def read(self, data: bytes, *, context: dict) -> object:
        return _READS[self.name](data, context)


def _read_gias(data, context):
    return gias.gias_csv_parse(data, encoding=context.get("gias_encoding", gias.DEFAULT_ENCODING))


def _read_roster(data, context):
    return parse_roster(upload_text(data))


def _read_attendance(data, context):
    text = upload_text(data)
    attendance_rows(text)
    return resolve_attendance(
        school=None,
        text=pseudonymise_attendance(text),
        today=date(2018, 8, 31),
        lookups=context["attendance_lookups"],
    )


def _read_plan_file(spec):
    def read(data, context):
        return plan_imports.read_records(plan_imports.csv_text_decode(data), spec)

    return read


_READS = {
    "gias": _read_gias,
    "roster": _read_roster,
    "attendance": _read_attendance,
    "measurements": _read_plan_file(plan_imports.MEASUREMENT_IMPORT),
    "actions": _read_plan_file(plan_imports.ACTION_IMPORT),
}
READERS = (
    Reader("gias", gias.DEFAULT_ENCODING, (gias.GiasFileError,)),
    Reader("roster", "utf-8", (CsvFileError,)),
    Reader("attendance", "utf-8", (CsvFileError,)),
    Reader("measurements", "utf-8", (CsvFileError,)),
    Reader("actions", "utf-8", (CsvFileError,)),
)


def good_file_text(name: str, *, indicator_names: list[str]) -> str:
    return {
        "gias": gias_file_text,
        "roster": roster_file_text,
        "attendance": attendance_file_text,
        "measurements": lambda: measurements_file_text(indicator_names),
        "actions": actions_file_text,
    }[name]()


# --- Importing through the services and the pages ------------------------
# `setup` holds the area, school, draft plan and the users who import
# ("staff", "lead"); `clients` test clients signed in as them.


def importing_setup() -> dict:
    """What the good files import into: a school with the roster file's pupils
    (on roll since 2015), a published plan with two indicators and a draft,
    and a member of staff and an area lead to import them."""
    area = Area.objects.get(slug="blackpool")
    school = SchoolFactory(area=area, name="Fuzz Academy")
    for n in (1, 2, 3):
        Pupil.objects.create(
            school=school,
            pupil_identifier=f"F{n}",
            upn_hash=upn_hash(make_upn(900 + n)),
            year_group=9,
            year_group_on=date(2017, 9, 1),
            reception_year=Pupil.derive_reception_year(9, date(2017, 9, 1)),
            on_roll_from=date(2015, 9, 1),
        )
    plan = published_plan_with(area, priorities=2, indicators_per_priority=1)
    staff = UserFactory(role=Role.SCHOOL_STAFF, schools=[school])
    lead = UserFactory(role=Role.AREA_LEAD, area=area)
    draft = plan_services.plan_draft_start(area=area, user=lead)
    return {
        "area": area,
        "school": school,
        "staff": staff,
        "lead": lead,
        "draft": draft,
        "indicator_names": list(plan.indicators.values_list("name", flat=True)),
    }


def written_tables(name):
    """The models an import of `name` writes to."""

    return {
        "gias": (School,),
        "roster": (Pupil, UploadPreview),
        "attendance": (AttendanceUpload, Encounter, Attendance),
        "measurements": (Measurement,),
        "actions": (Action,),
    }[name]


def snapshot(models):
    """Every row of the models, to tell whether anything was written."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in models}


def changed_tables(before, after) -> str:
    return ", ".join(name for name in before if before[name] != after[name])


def through_service(name, data, setup) -> bool:
    """Import through the service; whether the file was refused."""
    try:
        if name == "gias":
            school_import_gias(data=data)
        elif name == "roster":
            preview = encounter_services.roster_import_preview(
                school=setup["school"],
                user=setup["staff"],
                file_name="roster.csv",
                data=data,
                full_roster=len(data) % 2 == 0,
            )
            encounter_services.roster_import_confirm(preview=preview, user=setup["staff"])
        elif name == "attendance":
            upload = encounter_services.attendance_upload_create(
                school=setup["school"], user=setup["staff"], file_name="a.csv", data=data
            )
            return upload.status == UploadStatus.FAILED
        elif name == "measurements":
            plan_imports.measurements_csv_import(
                area=setup["area"], user=setup["lead"], text=plan_imports.csv_text_decode(data)
            )
        else:
            plan_imports.actions_csv_import(
                plan=setup["draft"], user=setup["lead"], text=plan_imports.csv_text_decode(data)
            )
    except (
        CsvFileError,
        gias.GiasFileError,
        plan_imports.CsvImportError,
        encounter_services.RosterFileInvalid,
        ValidationError,
    ):
        return True
    return False


def through_pages(name, data, setup, clients) -> bool:
    """Post the file to the upload page (and confirm it where there is a
    check page); whether the file was refused."""

    def answer(response):
        if response.status_code >= 500:
            raise AssertionError(f"HTTP {response.status_code}")
        return response

    school, area = setup["school"], setup["area"]
    upload = SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv")
    if name in ("roster", "attendance"):
        client = clients["staff"]
        url = f"/schools/{school.urn}/" + (
            "pupils/import/" if name == "roster" else "encounters/upload/"
        )
        response = answer(client.post(url, {"file": upload, "full_roster": "on"}))
        if response.status_code != 302:
            return True
        if name == "attendance":
            pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
            return AttendanceUpload.objects.get(pk=pk).status == UploadStatus.FAILED
        return answer(client.post(response["Location"])).status_code != 302
    client = clients["lead"]
    base = f"/areas/{area.slug}/plan/import/{name}/"
    if answer(client.post(base, {"file": upload})).status_code != 302:
        return True
    check = answer(client.get(f"{base}check/"))
    digest = check.context.get("digest") if check.context else None
    if digest is None or check.context.get("file_error"):
        return True
    return answer(client.post(f"{base}check/", {"digest": digest})).status_code != 302
