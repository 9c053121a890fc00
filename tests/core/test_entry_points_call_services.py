"""Entry points translate and call services; they do not write (ADR 0015).

Every view, form, serializer/API, task and admin module of every app is read
with ast. It fails on a transaction (``atomic`` in any form: a with block, a
decorator, a reference) and on a model write: ``.save()``, ``.delete()``,
``.bulk_create()``, ``.bulk_update()``, or ``create`` / ``get_or_create`` /
``update_or_create`` on a manager. Such work belongs in the app's
``services.py`` (writes) and the entry point calls it, so a rule written there
holds for every caller.

``cache.delete(...)`` is the cache, not the database, and is not a write here.
Where a library requires a write in an entry point (a Django admin hook, a
django-otp device form), add it to ALLOWED with the reason.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
ENTRY_POINT = re.compile(
    r"^(views\w*|\w+_views|forms|\w+_forms|api\w*|\w+_api|serializers|tasks|admin)\.py$"
)
WRITES = {"save", "delete", "bulk_create", "bulk_update"}
MANAGER_WRITES = {"create", "get_or_create", "update_or_create"}
NOT_THE_DATABASE = {"cache"}

# {(path, line): reason}. Keep each entry's reason to the library that forces it.
ALLOWED: dict[tuple[str, int], str] = {}


def _apps():
    return [
        name
        for name in settings.INSTALLED_APPS
        if (BASE / name).is_dir() and (BASE / name / "__init__.py").exists()
    ]


def _entry_points():
    return sorted(
        path
        for app in _apps()
        for path in (BASE / app).rglob("*.py")
        if ENTRY_POINT.match(path.name) and "migrations" not in path.parts
    )


def _receiver(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _through_a_manager(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _names_atomic(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "atomic") or (
        isinstance(node, ast.Name) and node.id == "atomic"
    )


def findings(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if _names_atomic(node):
            found.append((node.lineno, "a transaction (atomic)"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, target = node.func.attr, node.func.value
            if method in WRITES and _receiver(target) not in NOT_THE_DATABASE:
                found.append((node.lineno, f"a model write (.{method}())"))
            elif method in MANAGER_WRITES and _through_a_manager(target):
                found.append((node.lineno, f"a model write (.objects…{method}())"))
    return sorted(set(found))


def test_there_are_entry_points_to_check():
    names = {str(path.relative_to(BASE)) for path in _entry_points()}
    assert {"plans/edit_views.py", "encounters/api.py", "core/tasks.py"} <= names
    assert len(names) > 30


@pytest.mark.parametrize("path", _entry_points(), ids=lambda p: str(p.relative_to(BASE)))
def test_entry_point_calls_services_rather_than_writing(path):
    relative = str(path.relative_to(BASE))
    problems = [
        f"{relative}:{line}: {what}"
        for line, what in findings(path.read_text())
        if (relative, line) not in ALLOWED
    ]
    assert problems == [], "move these into the app's services.py and call that"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("with transaction.atomic():\n    pass\n", [(1, "a transaction (atomic)")]),
        ("from django.db.transaction import atomic\nwith atomic():\n    pass\n", None),
        ("@transaction.atomic\ndef post(self):\n    pass\n", [(1, "a transaction (atomic)")]),
        ("form.save()\n", [(1, "a model write (.save())")]),
        ("self.object.delete()\n", [(1, "a model write (.delete())")]),
        ("Pupil.objects.filter(a=1).delete()\n", [(1, "a model write (.delete())")]),
        ("Attendance.objects.bulk_create(rows)\n", [(1, "a model write (.bulk_create())")]),
        ("Area.objects.create(name='x')\n", [(1, "a model write (.objects…create())")]),
        ("cache.delete(key)\n", []),
        ("context.update(a=1)\n", []),
        ("serializer.create(data)\n", []),
    ],
)
def test_the_check_finds_writes_and_transactions(source, expected):
    found = findings(source)
    if expected is None:
        assert found
        assert {what for _, what in found} == {"a transaction (atomic)"}
    else:
        assert found == expected
