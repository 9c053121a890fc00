"""core/ is the bottom layer: every app may import it, and it imports no app
(ADR 0015). Models it needs are named by string (a ForeignKey's "areas.Area",
django.apps.apps.get_model), which is not an import."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

CORE = Path(settings.BASE_DIR) / "core"
PROJECT_APPS = {
    "areas",
    "plans",
    "partners",
    "encounters",
    "reports",
    "dashboard",
    "releases",
    "evidence",
    "demo",
}


def _modules():
    return sorted(CORE.rglob("*.py"))


def _imported_apps(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in PROJECT_APPS]
    return found


def test_every_project_app_is_named():
    """A new app must be added to PROJECT_APPS, or core could import it unseen."""
    local_apps = {
        name
        for name in settings.INSTALLED_APPS
        if (Path(settings.BASE_DIR) / name).is_dir() and name != "core"
    }
    assert local_apps == PROJECT_APPS


def test_there_are_modules_to_check():
    assert len(_modules()) > 20


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_imports_no_app(path):
    assert _imported_apps(path) == []


def test_the_check_sees_every_form_of_import(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "import areas\n"
        "import plans.models as pm\n"
        "from encounters import selectors\n"
        "from reports.services import report_generate\n"
        "from . import roles\n"
        "from django.db import models\n"
        "def late():\n"
        "    from demo.users import seed_users\n"
    )
    assert _imported_apps(module) == [
        (1, "areas"),
        (2, "plans.models"),
        (3, "encounters"),
        (4, "reports.services"),
        (8, "demo.users"),
    ]
