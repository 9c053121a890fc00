"""Forms for editing a draft plan and importing CSV files.

Plain forms, not ModelForms: the views pass cleaned_data to
plans.services.plan_content_save, whose full_clean runs the models' own rules
(Target.clean, Action.clean) once, and the views put any error it raises
back on the form. Rules the forms check themselves are the ones that need
the draft (numbers and dates already used) to give a clear message.
"""

from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.db.models import Q

from core.forms import GovUKDateField, NumberField, WholeNumberField
from core.models import Role, User
from core.numbers import PERCENT, POUNDS
from partners.models import Organisation

from .imports import IMPORT_MAX_BYTES, CsvFileError, csv_text_decode
from .models import (
    ComparatorGroup,
    ComparatorSeries,
    Frequency,
    FundingStream,
    LifeStage,
    Polarity,
    TargetBasis,
    Unit,
    unit_mark,
)
from .progress import DEFAULT_TOLERANCE

DEFAULT_TOLERANCE_PERCENT = int(DEFAULT_TOLERANCE * 100)


def _decimal(label, *, decimal_places, min_value=None, name=None, **kwargs):
    """A figure typed as people write it (core.forms.NumberField); `name`
    words its messages where the label says more ("Budget, in pounds")."""
    name = name or label
    return NumberField(
        label=label,
        name=name,
        max_digits=12,
        decimal_places=decimal_places,
        min_value=min_value,
        error_messages={
            "required": f"Enter the {name.lower()}",
            "max_decimal_places": f"{name} must have {decimal_places} decimal places or fewer",
            "max_digits": f"{name} is too large",
            "max_whole_digits": f"{name} is too large",
            "min_value": f"{name} must be {min_value} or more",
        },
        **kwargs,
    )


def _text(label, *, max_length=200, required=True, textarea=False, **kwargs):
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 4}) if textarea else forms.TextInput,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def _priority():
    """The priority a row belongs to: one of the draft's (DraftContentForm)."""
    return forms.ModelChoiceField(
        label="Priority",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Select the priority"},
    )


def area_people(area):
    """The accounts that may own an area's items: its active lead and board members."""
    return User.objects.filter(
        role__in=[Role.AREA_LEAD, Role.BOARD_MEMBER], area=area, is_active=True
    )


def person_label(user):
    return f"{user.get_full_name()} ({user.email})" if user.get_full_name() else user.email


def _owner_user(reminded_of):
    return forms.ModelChoiceField(
        label="Owner's account (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="None: a named person without an account",
        help_text=f"The owner is reminded when {reminded_of} is due. "
        "Without an account, the area lead is reminded",
    )


class DraftContentForm(forms.Form):
    """A form for one row of the draft `plan`; `instance` is the row being
    changed (None when adding). Initial values come from the instance."""

    def __init__(self, *args, plan, instance=None, **kwargs):
        self.plan = plan
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {**self.initial_from(instance), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if "priority" in self.fields:
            self.fields["priority"].queryset = plan.priorities.all()
        if "owner_user" in self.fields:
            self.fields["owner_user"].queryset = area_people(plan.area)
            self.fields["owner_user"].label_from_instance = person_label

    def initial_from(self, instance):
        return {name: getattr(instance, name) for name in self.base_fields}


class PriorityForm(DraftContentForm):
    number = WholeNumberField(
        label="Priority number",
        min_value=1,
        max_value=99,
        width_class="govuk-input--width-2",
        error_messages={
            "required": "Enter the priority number",
            "invalid": "Priority number must be a whole number, like 2",
            "whole": "Priority number must be a whole number, like 2",
            "min_value": "Priority number must be 1 or more",
            "max_value": "Priority number must be 99 or less",
        },
    )
    title = _text("Title", help_text="For example, Strengthen early years outcomes")
    life_stage = forms.ChoiceField(
        label="Life stage",
        choices=LifeStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the life stage"},
    )
    description = _text("Description", max_length=5000, required=False, textarea=True)

    def clean_number(self):
        number = self.cleaned_data["number"]
        taken = self.plan.priorities.filter(number=number)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"Priority {number} already exists in this draft. Choose another number"
            )
        return number


class IndicatorForm(DraftContentForm):
    priority = _priority()
    name = _text("Name", help_text="For example, Children reaching a good level of development")
    unit = forms.ChoiceField(
        label="Unit",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the unit"},
    )
    polarity = forms.ChoiceField(
        label="Which way is better?",
        choices=Polarity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether higher or lower is better"},
    )
    baseline_value = _decimal("Baseline value", decimal_places=3)
    baseline_date = GovUKDateField(
        label="Baseline date",
        help_text="The date the baseline figure is for. For example, 31 7 2016",
    )
    frequency_days = forms.TypedChoiceField(
        label="Reporting frequency",
        choices=Frequency.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often the indicator is reported"},
    )
    tolerance = _decimal(
        "Tolerance",
        unit=PERCENT,
        decimal_places=0,
        min_value=0,
        max_value=100,
        initial=DEFAULT_TOLERANCE_PERCENT,
        help_text=(
            "The shortfall allowed before 'at risk' becomes 'off track', "
            f"as a percentage of the planned change. Usually {DEFAULT_TOLERANCE_PERCENT}"
        ),
    )
    source = _text("Source", required=False, help_text="For example, DfE EYFS profile statistics")
    comparator = forms.ModelChoiceField(
        label="Comparator (optional)",
        queryset=ComparatorSeries.objects.all(),
        required=False,
        empty_label="None",
        help_text="A series to compare against, needed for targets set as a gap, like "
        "'at least the national figure'",
    )
    owner = _text("Owner", required=False, help_text="The person who records its measurements")
    owner_user = _owner_user("a measurement")
    comparator_group = forms.ModelChoiceField(
        label="Comparator group (optional)",
        queryset=ComparatorGroup.objects.all(),
        required=False,
        empty_label="None",
        help_text="A group of local authorities, such as the area's statistical neighbours, "
        "for targets set as a gap to the group's figure. The group's figure is worked out "
        "from its members' series of the comparator's measure",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The baseline is in the unit chosen on this form (or held, when not sent).
        unit = self.data.get(self.add_prefix("unit")) if self.is_bound else None
        if unit is None and self.instance is not None:
            unit = self.instance.unit
        self.fields["baseline_value"].unit = unit_mark(unit or "")
        self.fields["tolerance"].error_messages.update(
            max_value="Tolerance must be 100 or less",
            max_decimal_places="Tolerance must be a whole number, like 25",
        )

    def initial_from(self, instance):
        initial = super().initial_from(instance)
        initial["tolerance"] = int(instance.tolerance * 100)
        return initial

    def clean_tolerance(self):
        return self.cleaned_data["tolerance"] / Decimal(100)


class TargetForm(DraftContentForm):
    """A target of `indicator` (in the draft)."""

    date = GovUKDateField(label="Target date", help_text="For example, 31 7 2021")
    value = _decimal(
        "Target value",
        decimal_places=3,
        help_text="For a gap, the indicator minus the comparator: 0 means "
        "'at least the comparator'",
    )
    basis = forms.ChoiceField(
        label="What is the target?",
        choices=TargetBasis.choices,
        widget=forms.RadioSelect,
        initial=TargetBasis.ABSOLUTE,
        error_messages={"required": "Select whether the target is a value or a gap"},
    )
    description = _text("Description", required=False, help_text="For example, National average")

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        self.fields["value"].unit = indicator.number_unit

    def clean_date(self):
        day = self.cleaned_data["date"]
        taken = self.indicator.targets.filter(date=day)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if day and taken.exists():
            raise forms.ValidationError(
                f"This indicator already has a target for {day.day} {day:%B %Y}"
            )
        return day


class ActionForm(DraftContentForm):
    priority = _priority()
    title = _text("Title", help_text="For example, Train early years practitioners")
    description = _text("Description", max_length=5000, required=False, textarea=True)
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation (optional)",
        queryset=None,
        required=False,
        empty_label="None",
    )
    owner = _text("Owner", help_text="The person accountable for the action")
    owner_user = _owner_user("an update")
    funding_stream = forms.ModelChoiceField(
        label="Funding stream (optional)",
        queryset=FundingStream.objects.all(),
        required=False,
        empty_label="None",
    )
    budget = _decimal(
        "Budget, in pounds", name="Budget", unit=POUNDS, decimal_places=2, min_value=0, initial=0
    )
    start_date = GovUKDateField(label="Start date", help_text="For example, 1 9 2017")
    due_date = GovUKDateField(label="Due date", help_text="For example, 31 7 2019")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.plan.area
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(
            Q(area=None) | Q(area=area)
        )

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "Due date must be the same as or after the start date")
        return cleaned


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        validators=[
            FileExtensionValidator(["csv"], message="The selected file must be a CSV file")
        ],
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {IMPORT_MAX_BYTES // 1024}KB"
            )
        try:
            self.text = csv_text_decode(upload.read())
        except CsvFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class VersionCompareForm(forms.Form):
    """Two versions to compare, as ?from=<version>&to=<version>."""

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(plan.version, _version_label(plan)) for plan in versions]
        for name, label in (("from", "Compare version"), ("to", "with version")):
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                error_messages={
                    "required": f"Select the version to compare {name}",
                    "invalid_choice": f"Select a version of this plan to compare {name}",
                },
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from") is not None and cleaned.get("from") == cleaned.get("to"):
            self.add_error("to", "Select two different versions to compare")
        return cleaned


def _version_label(plan):
    return f"Version {plan.version} ({plan.get_status_display().lower()})"
