from django import forms

from core.forms import GovUKDateField, WholeNumberField
from partners.models import EMPLOYER_KINDS, Organisation

from .models import EncounterType, MeaningfulCriterion, Programme, Pupil, YearGroup
from .selectors import PupilFilter

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
        help_text="Choose one or more. To choose several without a mouse, hold Ctrl "
        "(or Cmd on a Mac) and press Space on each.",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(
            attrs={"size": 8, "data-employer-chooser": "", "class": "app-employer-select"}
        ),
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
    all_shown = forms.BooleanField(label="", required=False)
    pupils = PupilChoiceField(
        label="Pupils who took part",
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, school, pupils, shown, description="", **kwargs):
        """`pupils`: those a submission may name (any of the school's);
        `shown`: those the chooser's filter shows, one checkbox each, and
        everyone "all shown" adds; None when the filter is too wide to list."""
        super().__init__(*args, **kwargs)
        self.school = school
        self.shown = None if shown is None else list(shown)
        self.fields["pupils"].queryset = pupils
        self.fields["pupils"].widget.choices = [
            (pupil.pk, pupil.label) for pupil in self.shown or []
        ]
        self.fields["employers"].queryset = Organisation.objects.filter(
            kind__in=list(EMPLOYER_KINDS)
        ).filter(area__isnull=True) | Organisation.objects.filter(
            kind__in=list(EMPLOYER_KINDS), area=school.area_id
        )
        if not description or not self.shown:
            del self.fields["all_shown"]
        else:
            count = len(self.shown)
            self.fields[
                "all_shown"
            ].label = f"Everyone shown: {count} pupil{'s' if count != 1 else ''} {description}"
            self.fields["all_shown"].help_text = "Includes every pupil listed below, ticked or not."

    def kept_pupil_ids(self) -> list[int]:
        """Pupils chosen (already at the encounter, or ticked before the
        filter changed) whom the filter does not show: kept as hidden inputs
        so that narrowing the list does not drop them."""
        shown = {pupil.pk for pupil in self.shown or []}
        if self.is_bound:
            chosen = self.data.getlist(self.add_prefix("pupils"))
        else:
            chosen = self.initial.get("pupils") or []
        ids = []
        for value in chosen:
            pk = getattr(value, "pk", value)
            if str(pk).isdigit() and int(pk) not in shown and int(pk) not in ids:
                ids.append(int(pk))
        return ids

    def clean(self):
        cleaned = super().clean()
        pupils = list(cleaned.get("pupils") or [])
        if cleaned.get("all_shown"):
            chosen = {p.pk for p in pupils}
            pupils += [p for p in self.shown or [] if p.pk not in chosen]
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
    """The pupil chooser's filter, sent by GET so that it works without
    JavaScript: the shown pupils' checkboxes (and "everyone shown") follow."""

    year_group = forms.TypedChoiceField(
        label="Year group",
        choices=[("", "All year groups"), *YearGroup.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    group = forms.ChoiceField(
        label="Tutor or class group",
        choices=[("", "All groups")],
        required=False,
        error_messages={"invalid_choice": "Select a group from the list"},
    )
    name = forms.CharField(
        label="Name or identifier",
        help_text="Part of a pupil's name or identifier",
        max_length=100,
        required=False,
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All groups"), *((g, g) for g in groups)]
        if not groups:
            del self.fields["group"]

    def pupil_filter(self) -> PupilFilter:
        if not self.is_bound or not self.is_valid():
            return PupilFilter()
        data = self.cleaned_data
        return PupilFilter(
            year_group=data["year_group"],
            group=data.get("group", ""),
            name=" ".join(data["name"].split()),
        )

    def description(self) -> str:
        """How the shown pupils are chosen, for "Everyone shown: 28 pupils
        in Year 9, group 9R"."""
        chosen = self.pupil_filter()
        parts = []
        if chosen.year_group is not None:
            parts.append(f"in {YearGroup(chosen.year_group).label}")
        if chosen.group:
            parts.append(f"in group {chosen.group}")
        if chosen.name:
            parts.append(f"matching ‘{chosen.name}’")
        return ", ".join(parts)


class EmployerContributionForm(forms.Form):
    """What an employer gave the area in a year; the service checks and
    records it."""

    organisation = forms.ModelChoiceField(
        label="Employer",
        queryset=Organisation.objects.none(),
        empty_label="Select an employer",
        error_messages={
            "required": "Select an employer",
            "invalid_choice": "Select an employer from the list",
        },
    )
    academic_year = forms.TypedChoiceField(
        label="Academic year",
        coerce=int,
        choices=[],
        error_messages={
            "required": "Select the academic year",
            "invalid_choice": "Select an academic year from the list",
        },
    )

    def __init__(self, *args, employers, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = employers
        self.fields["academic_year"].choices = [(y.start_year, y.label) for y in years]
        for name, label in (
            ("volunteers", "Volunteers"),
            ("volunteer_hours", "Volunteer hours"),
            ("placements_offered", "Placements offered"),
            ("placements_taken", "Placements taken"),
            ("schools_reached", "Schools reached"),
        ):
            self.fields[name] = WholeNumberField(
                label=label,
                name=label,
                min_value=0,
                max_value=10_000_000,
                initial=0,
                width_class="govuk-input--width-10",
                error_messages={
                    "required": f"Enter the number of {label.lower()}, or 0",
                    "min_value": f"{label} must be 0 or more",
                },
            )
        self.fields["volunteer_hours"].help_text = "In whole hours"

    def clean(self):
        cleaned = super().clean()
        offered, taken = cleaned.get("placements_offered"), cleaned.get("placements_taken")
        if offered is not None and taken is not None and taken > offered:
            self.add_error(
                "placements_taken", "Placements taken must not be more than placements offered"
            )
        return cleaned
