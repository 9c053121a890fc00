from django import forms

from core.forms import GovUKDateField, WholeNumberField
from partners.models import EMPLOYER_KINDS, Organisation

from .models import EncounterType, MeaningfulCriterion, Programme, Pupil, YearGroup

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a roster file",
        help_text=(
            "A CSV file exported from your MIS with the columns UPN, pupil identifier, "
            "name (optional), year group, FSM and SEND, saved as CSV UTF-8."
        ),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )
    full_roster = forms.BooleanField(
        label="This is the full roster",
        required=False,
        help_text="Pupils on roll who are not in the file will be marked as off roll.",
    )

    def clean_file(self):
        return _checked_csv(self.cleaned_data["file"])


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload an attendance file",
        help_text=(
            "A CSV file with one row per pupil per encounter: pupil identifier or UPN, "
            "date, type, employer (optional) and title, saved as CSV UTF-8."
        ),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )

    def clean_file(self):
        return _checked_csv(self.cleaned_data["file"])


def _checked_csv(upload):
    if not upload.name.lower().endswith(".csv"):
        raise forms.ValidationError("The selected file must be a CSV")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError("The selected file must be smaller than 200MB")
    return upload


class PupilChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, pupil):
        return pupil.label


class EmployerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, organisation):
        if organisation.is_cornerstone:
            return f"{organisation.name} (cornerstone employer)"
        return organisation.name


class EncounterForm(forms.Form):
    date = GovUKDateField(
        label="Date of the encounter",
        help_text="For example, 14 3 2018",
        not_in_future=True,
    )
    encounter_type = forms.ModelChoiceField(
        label="Type of encounter",
        queryset=EncounterType.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the type of encounter"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Year 9 talk by a civil engineer",
        error_messages={"required": "Enter a title"},
    )
    employers = EmployerChoiceField(
        label="Employers (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    delivered_through = forms.ChoiceField(
        label="Delivered through",
        choices=Programme.choices,
        initial=Programme.SCHOOL,
        widget=forms.RadioSelect,
    )
    duration_minutes = WholeNumberField(
        label="Duration in minutes (optional)",
        name="Duration",
        min_value=1,
        max_value=60 * 24 * 30,
        required=False,
        width_class="govuk-input--width-5",
        error_messages={
            "invalid": "Duration must be a whole number of minutes",
            "whole": "Duration must be a whole number of minutes",
        },
    )
    # Gatsby Benchmarks 5 and 6 (ADR 0025).
    meaningful_criteria = forms.MultipleChoiceField(
        label="Which of these did the encounter do? (optional)",
        help_text=(
            "The Careers & Enterprise Company's criteria: it counts as meaningful toward "
            "Gatsby Benchmark 5 or 6 only if it did all four."
        ),
        choices=MeaningfulCriterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    whole_year_group = forms.BooleanField(label="", required=False)
    pupils = PupilChoiceField(
        label="Pupils who took part",
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school, pupils, year_group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.year_group = year_group
        self.fields["pupils"].queryset = pupils
        self.fields["employers"].queryset = Organisation.objects.filter(
            kind__in=list(EMPLOYER_KINDS)
        ).filter(area__isnull=True) | Organisation.objects.filter(
            kind__in=list(EMPLOYER_KINDS), area=school.area_id
        )
        if year_group is None:
            del self.fields["whole_year_group"]
        else:
            self.fields["whole_year_group"].label = f"Everyone in {YearGroup(year_group).label}"
            self.fields[
                "whole_year_group"
            ].help_text = "Includes every pupil on roll in the year group, ticked or not."

    def clean(self):
        cleaned = super().clean()
        pupils = list(cleaned.get("pupils") or [])
        if cleaned.get("whole_year_group"):
            chosen = {p.pk for p in pupils}
            pupils += [p for p in self.fields["pupils"].queryset if p.pk not in chosen]
        if not pupils and "pupils" not in self.errors:
            self.add_error("pupils", "Select the pupils who took part")
        date = cleaned.get("date")
        if date:
            off_roll = [p for p in pupils if not p.is_on_roll(date)]
            if off_roll:
                names = ", ".join(p.pupil_identifier for p in off_roll[:5])
                self.add_error("pupils", f"These pupils were not on roll on that date: {names}")
        cleaned["pupil_list"] = pupils
        return cleaned

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "date": data["date"],
            "encounter_type": data["encounter_type"],
            "title": data["title"],
            "employers": list(data["employers"]),
            "delivered_through": data["delivered_through"],
            "duration_minutes": data["duration_minutes"],
            "meaningful_criteria": data["meaningful_criteria"],
            "pupils": data["pupil_list"],
        }


class PupilFilterForm(forms.Form):
    year_group = forms.TypedChoiceField(
        label="Year group",
        choices=[("", "All year groups"), *YearGroup.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
