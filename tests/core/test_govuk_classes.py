"""Every govuk- class the service uses is one GOV.UK Frontend defines.

GOV.UK Frontend drops and renames classes between major versions (version 6
has no govuk-tag--blue and no govuk-table__caption--s); an undefined class
fails silently, so the page loses its styling without an error. A class is
defined when the installed dist CSS styles it or GOV.UK Frontend's own
templates write it (govuk-table__row and govuk-template__header are markup
GOV.UK does not style), so upgrading the package re-checks every template."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

DIST = settings.BASE_DIR / "node_modules/govuk-frontend/dist/govuk"
# The site templates and every app of the project's own (a new app is
# checked as soon as it is installed).
SOURCE_DIRS = ["templates"] + [
    Path(config.path).relative_to(settings.BASE_DIR)
    for config in apps.get_app_configs()
    if Path(config.path).is_relative_to(settings.BASE_DIR)
    and ".venv" not in Path(config.path).parts
]

# A class attribute's value: template tags inside it may hold quotes.
CLASS_ATTRIBUTE = re.compile(r"""\bclass="((?:[^"{]|\{[%{#].*?[%}#]\}|\{)*)\"""", re.DOTALL)
GOVUK_CLASS = re.compile(r"govuk-[\w!-]*")
TEMPLATE_CODE = re.compile(r"\{[%{#].*?[%}#]\}", re.DOTALL)
# Classes built from a variable, each with the values the variable takes.
BUILT_CLASSES = {
    "govuk-{{ kind }}": ["govuk-radios", "govuk-checkboxes"],
    "govuk-{{ kind }}__item": ["govuk-radios__item", "govuk-checkboxes__item"],
    "govuk-{{ kind }}__label": ["govuk-radios__label", "govuk-checkboxes__label"],
    "govuk-input--width-{{ sub.width }}": ["govuk-input--width-2", "govuk-input--width-4"],
    'govuk-input--width-{% cycle "2" "2" "4" %}': ["govuk-input--width-2", "govuk-input--width-4"],
}


def defined_classes():
    css = (DIST / "govuk-frontend.min.css").read_text()
    styled = {name.replace("\\", "") for name in re.findall(r"\.(govuk-(?:[\w-]|\\!)+)", css)}
    written = set()
    for template in [DIST / "template.njk", *DIST.glob("components/*/template.njk")]:
        # The generic header writes its classes under a namespace: "govuk".
        markup = template.read_text().replace("{{ namespace }}", "govuk")
        written |= {name for name, _ in _classes_in_markup(markup)}
    return styled | written


def _source_files(suffix):
    for directory in SOURCE_DIRS:
        yield from (settings.BASE_DIR / directory).rglob(f"*{suffix}")


def _classes_in_markup(text):
    """(class, how it is written) for each govuk- class in class="..."."""
    for value in CLASS_ATTRIBUTE.findall(text):
        for built, expansions in BUILT_CLASSES.items():
            if built in value:
                value = value.replace(built, "")
                yield from ((name, built) for name in expansions)
        for name in GOVUK_CLASS.findall(TEMPLATE_CODE.sub(" ", value)):
            yield name, name


def _classes_in_python(path):
    """Strings that are class lists (widget attrs, tag colours) or markup."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if 'class="' in node.value:
            yield from _classes_in_markup(node.value)
        elif node.value.split() and all(t.startswith("govuk-") for t in node.value.split()):
            yield from ((name, name) for name in node.value.split())


def used_classes():
    """{class: [where it is used]}."""
    uses = {}
    for path in _source_files(".html"):
        for name, written in _classes_in_markup(path.read_text()):
            uses.setdefault(name, []).append(f"{path.relative_to(settings.BASE_DIR)}: {written}")
    for path in _source_files(".py"):
        for name, written in _classes_in_python(path):
            uses.setdefault(name, []).append(f"{path.relative_to(settings.BASE_DIR)}: {written}")
    return uses


def test_the_dist_css_defines_the_classes_we_expect():
    defined = defined_classes()
    assert {"govuk-table", "govuk-tag--green", "govuk-!-text-break-word"} <= defined
    assert {"govuk-table__row", "govuk-header__container"} <= defined
    assert not {"govuk-tag--blue", "govuk-table__caption--s", "govuk-caption-s"} & defined


def test_templates_use_classes_from_many_components():
    assert len(used_classes()) > 100


def test_every_govuk_class_used_is_defined_by_govuk_frontend():
    defined = defined_classes()
    undefined = {name: places for name, places in used_classes().items() if name not in defined}
    assert not undefined, "\n".join(
        f"{name}: {', '.join(places[:3])}" for name, places in sorted(undefined.items())
    )


@pytest.mark.parametrize(
    "markup",
    [
        '<strong class="govuk-tag govuk-tag--blue">',
        '<caption class="govuk-table__caption {% if x == "y" %}govuk-table__caption--s{% endif %}"',
    ],
)
def test_the_scan_finds_an_undefined_class_inside_template_code(markup):
    names = {name for name, _ in _classes_in_markup(markup)}
    assert names - defined_classes()
