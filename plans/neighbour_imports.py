"""Comparator groups (such as statistical neighbours) from a CSV file.

One row per member: the group's name, the LA's code and name, and
optionally the group's description. A group named in the file gets exactly
the members the file lists for it (members it had and the file leaves out
are removed); groups the file does not name are left alone. Like the other
imports, the preview reads and checks every line without writing, and the
import writes all of it or nothing, with history.
"""

from dataclasses import dataclass, field

from django.db import transaction

from core.history import change_record, snapshot
from core.imports import (
    CellError,
    Column,
    CsvFileError,
    ImportSpec,
    LineError,
    UploadFormat,
    cell_problem,
    code_cell,
    upload_text,
)
from core.models import ChangeAction

from .imports import IMPORT_MAX_BYTES
from .models import ComparatorGroup, ComparatorGroupMember

LA_CODE_MAX = 999

GROUP_IMPORT = ImportSpec(
    name="comparator-groups",
    upload_format=UploadFormat(max_bytes=IMPORT_MAX_BYTES),
    other_columns=False,
    columns=(
        Column(
            "group",
            "group",
            aliases=("group name", "comparator group"),
            required=True,
            holds="The group's name, the same on every row of one group",
            example="Derby and its statistical neighbours",
        ),
        Column(
            "la_code",
            "la_code",
            aliases=("old la code", "LA (code)", "LA code"),
            required=True,
            holds="The member LA's three-digit code",
            example="831",
        ),
        Column(
            "la_name",
            "la_name",
            aliases=("LA (name)", "LA name"),
            required=True,
            holds="The member LA's name",
            example="Derby",
        ),
        Column(
            "description",
            "description",
            holds="Optional: what the group is, for example where its members come from",
            example="DfE children's services statistical neighbours, 2019",
        ),
    ),
)


@dataclass
class GroupChange:
    name: str
    description: str
    members: dict[int, str]
    change: str  # "created", "changed" or "unchanged"
    first_line: int


@dataclass
class GroupImportPreview:
    groups: list[GroupChange] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.groups)


class GroupImportError(Exception):
    """Some lines are invalid, so nothing was imported."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problems in the file")


def group_csv_text(data: bytes) -> str:
    return upload_text(data, GROUP_IMPORT.upload_format)


def _row(cells):
    errors = []
    name = cells["group"]
    if not name:
        errors.append(LineError(cells.line, "group is blank"))
    elif len(name) > ComparatorGroup._meta.get_field("name").max_length:
        errors.append(LineError(cells.line, "group must be 200 characters or fewer"))
    code = None
    try:
        code = code_cell(cells["la_code"], positive=True, maximum=LA_CODE_MAX)
    except CellError as error:
        errors.append(LineError(cells.line, cell_problem("la_code", cells["la_code"], error)))
    la_name = cells["la_name"]
    if not la_name:
        errors.append(LineError(cells.line, "la_name is blank"))
    elif len(la_name) > ComparatorGroupMember._meta.get_field("la_name").max_length:
        errors.append(LineError(cells.line, "la_name must be 100 characters or fewer"))
    return (cells.line, name, code, la_name, cells["description"]), errors


def comparator_groups_csv_preview(*, text: str) -> GroupImportPreview:
    """What importing `text` would do to each group it names; every line's
    problems. Raises CsvFileError for a file that cannot be read."""
    rows, errors, _ = GROUP_IMPORT.read(text, _row)
    if not rows and not errors:
        raise CsvFileError("The selected file has a header but no rows")
    read: dict[str, GroupChange] = {}
    for line, name, code, la_name, description in rows:
        group = read.setdefault(name, GroupChange(name, "", {}, "", line))
        if code in group.members:
            errors.append(LineError(line, f"LA {code} is listed twice for the group '{name}'"))
            continue
        group.members[code] = la_name
        if description:
            if group.description and group.description != description:
                errors.append(
                    LineError(
                        line, f"the group '{name}' has a different description on another line"
                    )
                )
            group.description = description
    stored = {g.name: g for g in ComparatorGroup.objects.prefetch_related("members")}
    for group in read.values():
        existing = stored.get(group.name)
        if existing is None:
            group.change = "created"
            continue
        if not group.description:
            group.description = existing.description
        same = {m.la_code: m.la_name for m in existing.members.all()} == group.members
        group.change = (
            "unchanged" if same and existing.description == group.description else "changed"
        )
    errors.sort(key=lambda error: error.line)
    return GroupImportPreview(list(read.values()), errors)


@transaction.atomic
def comparator_groups_csv_import(*, text: str, user) -> GroupImportPreview:
    """Write every group in `text` or none (GroupImportError names the
    lines). Each created or changed group gets a history record."""
    preview = comparator_groups_csv_preview(text=text)
    if preview.errors:
        raise GroupImportError(preview.errors)
    for change in preview.groups:
        if change.change == "unchanged":
            continue
        group = ComparatorGroup.objects.filter(name=change.name).first()
        before = None
        if group is None:
            group = ComparatorGroup(name=change.name)
        else:
            before = _group_snapshot(group)
        group.description = change.description
        group.save()
        group.members.exclude(la_code__in=change.members).delete()
        held = set(group.members.values_list("la_code", flat=True))
        for code, la_name in change.members.items():
            if code in held:
                group.members.filter(la_code=code).update(la_name=la_name)
            else:
                ComparatorGroupMember.objects.create(group=group, la_code=code, la_name=la_name)
        change_record(
            obj=group,
            user=user,
            action=ChangeAction.CREATED if before is None else ChangeAction.UPDATED,
            before=before,
            after=_group_snapshot(group),
        )
    return preview


def _group_snapshot(group) -> dict:
    return {
        **snapshot(group),
        "members": ", ".join(
            f"{m.la_name} ({m.la_code})" for m in group.members.order_by("la_code")
        ),
    }
