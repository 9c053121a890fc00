"""The form for what became of an action at the end of a programme phase."""

from django import forms

from .models import PhaseOutcome


class ActionPhaseOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happens to this action after the phase?",
        choices=PhaseOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the action is carried on, mainstreamed or stopped"
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation that continues it (if mainstreamed)",
        help_text="It continues the action without programme funding.",
        queryset=None,
        required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    reason = forms.CharField(
        label="Why it stopped (if stopped)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, organisations, **kwargs):
        """`organisations`: those the area lead may name (selector's choice)."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
