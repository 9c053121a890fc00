from django import forms
from django.core.exceptions import ValidationError

from .models import AreaLocalAuthority, AreaRule


class RulePreviewForm(forms.Form):
    """A rule to try before writing it in the admin: which open schools it
    would include. Nothing is saved."""

    local_authority = forms.ModelChoiceField(
        label="Local authority",
        queryset=AreaLocalAuthority.objects.select_related("area").order_by(
            "area__name", "la_code"
        ),
        empty_label="Choose a local authority",
        error_messages={"required": "Choose the local authority the rule is for"},
    )
    kind = forms.ChoiceField(label="Kind of rule", choices=AreaRule.Kind.choices)
    value = forms.CharField(
        label="District or postcode",
        max_length=100,
        help_text='A district as GIAS names it, or a postcode district ("YO11") or sector '
        '("TA4 4").',
        error_messages={"required": "Enter the district or postcode the rule names"},
    )

    def clean(self):
        data = super().clean()
        if "local_authority" in data and "kind" in data and "value" in data:
            rule = AreaRule(
                local_authority=data["local_authority"], kind=data["kind"], value=data["value"]
            )
            try:
                rule.clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
            data["rule"] = rule
        return data
