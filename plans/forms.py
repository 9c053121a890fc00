from django import forms
from django.core.validators import FileExtensionValidator

from core.forms import GovUKDateField, NumberField
from core.numbers import POUNDS

from .models import EVIDENCE_EXTENSIONS, ActionStatus, FigureStatus, validate_evidence_size


class MeasurementForm(forms.Form):
    date = GovUKDateField(
        label="Date",
        help_text="The date, or last day of the period, the figure is for. For example, 31 8 2019",
        not_in_future=True,
    )
    value = NumberField(
        label="Value",
        max_digits=12,
        decimal_places=3,
        error_messages={
            "required": "Enter the value",
            "max_decimal_places": "Value must have 3 decimal places or fewer",
            "max_digits": "Value is too large",
            "max_whole_digits": "Value is too large",
        },
    )
    status = forms.ChoiceField(
        label="Is this figure provisional, final or revised?",
        choices=FigureStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the figure is provisional, final or revised"},
    )
    source = forms.CharField(
        label="Source (optional)",
        required=False,
        max_length=200,
        help_text="For example, DfE EYFS profile statistics 2019",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, number_unit="", **kwargs):
        """`number_unit`: the indicator's (Indicator.number_unit)."""
        super().__init__(*args, **kwargs)
        self.fields["value"].unit = number_unit


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status"},
    )
    narrative = forms.CharField(
        label="What has happened since the last update?",
        help_text="Progress, problems and what happens next.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter what has happened since the last update",
            "max_length": "Update must be 5,000 characters or fewer",
        },
    )
    spend_to_date = NumberField(
        label="Spend to date, in pounds",
        name="Spend to date",
        unit=POUNDS,
        help_text="The total spent on this action so far, not just since the last update.",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": "Enter the spend to date",
            "min_value": "Spend to date must be 0 or more",
            "max_decimal_places": "Spend to date must have 2 decimal places or fewer",
            "max_digits": "Spend to date is too large",
            "max_whole_digits": "Spend to date is too large",
        },
    )
    correction_reason = forms.CharField(
        label="Correction reason (only if spend to date is lower than last time)",
        help_text="A lower figure corrects the earlier ones: say why they were too high.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"max_length": "Correction reason must be 2,000 characters or fewer"},
    )
    date = GovUKDateField(label="Date of the update", not_in_future=True)
    evidence_url = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a link in the correct format, like https://example.org/a"
        },
    )
    evidence_file = forms.FileField(
        label="Upload evidence (optional)",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, CSV, PNG or JPEG, under 10MB.",
        validators=[
            FileExtensionValidator(
                EVIDENCE_EXTENSIONS,
                message="The selected file must be a PDF, Word, Excel, PowerPoint, "
                "OpenDocument, CSV, PNG or JPEG",
            ),
            validate_evidence_size,
        ],
    )
