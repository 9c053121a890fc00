from django import forms

from core.forms import GovUKDateField, WholeNumberField
from plans.models import LifeStage

from .models import (
    COST_RANGE,
    EVIDENCE_STRENGTH_RANGE,
    IMPACT_MONTHS_RANGE,
    EvidenceStrand,
    ImplementationStage,
    StrandPhase,
)


def _bounded(label, name, low, high, hint):
    return WholeNumberField(
        label=label,
        name=name,
        min_value=low,
        max_value=high,
        help_text=hint,
        width_class="govuk-input--width-3",
        error_messages={
            "required": f"Enter the {name.lower()}",
            "min_value": f"{name} must be between {low} and {high}",
            "max_value": f"{name} must be between {low} and {high}",
        },
    )


class StrandRatingForm(forms.Form):
    impact_months = _bounded(
        "Impact, in months of additional progress",
        "Impact",
        *IMPACT_MONTHS_RANGE,
        "A whole number; negative where the Toolkit shows harm. For example, 6",
    )
    cost = _bounded("Cost rating", "Cost rating", *COST_RANGE, "From 1 (very low) to 5 (very high)")
    evidence_strength = _bounded(
        "Evidence strength, in padlocks",
        "Evidence strength",
        *EVIDENCE_STRENGTH_RANGE,
        "From 0 to 5",
    )
    rated_on = GovUKDateField(
        label="Date the rating was taken",
        help_text="The date you read it in the Toolkit. For example, 14 3 2026",
        not_in_future=True,
    )


class ActionEvidenceForm(forms.Form):
    strands = forms.ModelMultipleChoiceField(
        label="Evidence strands this action uses",
        queryset=EvidenceStrand.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. Select none to remove the action's evidence.",
    )
    stage = forms.ChoiceField(
        label="Implementation stage",
        choices=ImplementationStage.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strands"].label_from_instance = lambda strand: strand.label

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("strands") and not cleaned.get("stage"):
            self.add_error("stage", "Select the action's implementation stage")
        return cleaned


class LibraryFilterForm(forms.Form):
    """The library's filters, from the query string; every one optional."""

    phase = forms.ChoiceField(
        label="Phase", choices=[("", "All phases"), *StrandPhase.choices], required=False
    )
    life_stage = forms.ChoiceField(
        label="Life stage of the priority",
        choices=[("", "All life stages"), *LifeStage.choices],
        required=False,
    )
    strand = forms.ModelChoiceField(
        label="Strand",
        queryset=EvidenceStrand.objects.all(),
        empty_label="All strands",
        required=False,
        error_messages={"invalid_choice": "Select a strand from the list"},
    )
    strand.label_from_instance = lambda strand: strand.label
    stage = forms.ChoiceField(
        label="Implementation stage",
        choices=[("", "All stages"), *ImplementationStage.choices],
        required=False,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}
