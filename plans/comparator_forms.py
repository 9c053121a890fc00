"""Forms of the EES comparator import (plans.comparator_imports)."""

from django import forms
from django.core.validators import FileExtensionValidator

from core.imports import CsvFileError, upload_text

from . import comparator_imports as ci
from .imports import CsvImportError
from .models import Unit


class EesUploadForm(forms.Form):
    data_file = forms.FileField(
        label="EES data file",
        help_text="The tidy CSV file downloaded from Explore Education Statistics.",
        validators=[FileExtensionValidator(["csv"], message="The data file must be a CSV file")],
        error_messages={"required": "Select the EES data file", "empty": "The data file is empty"},
    )
    meta_file = forms.FileField(
        label="Metadata file (optional)",
        help_text="The file ending .meta.csv that comes with it. Without it, a column of "
        "numbers is taken as an indicator and any other column as a filter.",
        required=False,
        validators=[
            FileExtensionValidator(["csv"], message="The metadata file must be a CSV file")
        ],
    )

    line_errors = ()

    def clean(self):
        cleaned = super().clean()
        data, meta = cleaned.get("data_file"), cleaned.get("meta_file")
        if data is None:
            return cleaned
        if data.size > ci.EES_IMPORT_MAX_BYTES:
            self.add_error("data_file", "The data file must be smaller than 20MB")
            return cleaned
        try:
            self.data_text = upload_text(data.read(), ci.EES_UPLOAD_FORMAT)
            self.meta_text = (
                upload_text(meta.read(), ci.META_UPLOAD_FORMAT) if meta is not None else None
            )
            self.ees_file = ci.ees_text_read(self.data_text, self.meta_text)
        except CsvFileError as error:
            self.add_error("data_file", str(error))
        except CsvImportError as error:
            self.line_errors = error.errors
            self.add_error(
                "data_file",
                f"The file has {len(error.errors)} "
                f"{'line' if len(error.errors) == 1 else 'lines'} with errors: see the list below",
            )
        return cleaned


def _period_value(period):
    return f"{period[0]}|{period[1]}"


class EesSelectionForm(forms.Form):
    """What to import from a checked file: the choices are the file's own,
    and the locations only those the user may import."""

    def __init__(self, *args, ees_file: ci.EesFile, allowed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.ees_file, self.allowed = ees_file, allowed
        self.fields["indicator"] = forms.ChoiceField(
            label="Indicator",
            choices=[(c.name, f"{c.label} ({c.name})") for c in ees_file.indicators],
            initial=ees_file.indicators[0].name,
            widget=forms.RadioSelect,
            error_messages={"required": "Select the indicator to import"},
        )
        self.filter_fields = []
        for column in ees_file.filters:
            name = f"filter_{column.name}"
            self.fields[name] = forms.ChoiceField(
                label=f"{column.label} ({column.name})",
                choices=[(v, v) for v in column.values],
                initial="Total" if "Total" in column.values else column.values[0],
                error_messages={"required": f"Select a value of {column.label}"},
            )
            self.filter_fields.append((column.name, name))
        self.fields["locations"] = forms.MultipleChoiceField(
            label="Locations",
            help_text="Choose locations of one geographic level.",
            choices=[
                (f"{level}|{code}", f"{level}: {name} ({code})")
                for level, places in allowed.items()
                for code, name in places.items()
            ],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select at least one location"},
        )
        self.fields["periods"] = forms.MultipleChoiceField(
            label="Time periods",
            help_text="Each is dated on the last day of its period: an academic year on "
            "31 August, a financial year on 31 March, a calendar year on 31 December.",
            choices=[
                (_period_value(p), f"{p[0]} {p[1]} ({ci.period_date(*p):%d/%m/%Y})")
                for p in ees_file.periods
            ],
            initial=[_period_value(p) for p in ees_file.periods],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select at least one time period"},
        )
        self.fields["unit"] = forms.ChoiceField(
            label="Unit of the series",
            choices=Unit.choices,
            initial=ci.unit_for(ees_file.indicators[0]),
            error_messages={"required": "Select the unit"},
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        chosen = [value.split("|", 1) for value in cleaned["locations"]]
        levels = {level for level, _ in chosen}
        if len(levels) > 1:
            self.add_error("locations", "Select locations of one geographic level only")
            return cleaned
        self.selection = ci.Selection(
            indicator=cleaned["indicator"],
            filters={column: cleaned[field] for column, field in self.filter_fields},
            level=levels.pop(),
            locations=tuple(code for _, code in chosen),
            periods=tuple(tuple(value.split("|", 1)) for value in cleaned["periods"]),
            unit=cleaned["unit"],
        )
        problems = ci.selection_problems(
            ees_file=self.ees_file, selection=self.selection, allowed=self.allowed
        )
        for name, message in problems.items():
            self.add_error(name if name in self.fields else "locations", message)
        return cleaned
