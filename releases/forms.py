from datetime import datetime, time

from django import forms
from django.utils import timezone

from core.forms import GovUKDateField
from reports.periods import month_containing, period_label, previous_month


class PublicationTimeForm(forms.Form):
    """The date and time a release is published (UK time)."""

    publish_date = GovUKDateField(label="Publication date", help_text="For example, 5 11 2026")
    publish_time = forms.CharField(
        label="Publication time",
        help_text="UK time, on the 24-hour clock. Official statistics are usually published "
        "at 09:30",
        max_length=5,
        initial="09:30",
    )

    def clean_publish_time(self):
        text = self.cleaned_data["publish_time"].strip()
        hours, _, minutes = text.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise forms.ValidationError(
                "Enter the publication time as hours and minutes, like 09:30"
            )
        if int(hours) > 23 or int(minutes) > 59:
            raise forms.ValidationError("Publication time must be a real time, like 09:30")
        return time(int(hours), int(minutes))

    def publish_at(self):
        moment = datetime.combine(
            self.cleaned_data["publish_date"], self.cleaned_data["publish_time"]
        )
        return timezone.make_aware(moment)


def _month_choices(today, months=12):
    choices = []
    day = today
    for _ in range(months):
        start, end = previous_month(day)
        choices.append((start.isoformat(), period_label(start, end)))
        day = start
    return choices


class ReleasePrepareForm(PublicationTimeForm):
    period = forms.ChoiceField(label="Period", help_text="A whole month that has ended")

    field_order = ["period", "publish_date", "publish_time"]

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _month_choices(today)

    def period_dates(self):
        start = datetime.fromisoformat(self.cleaned_data["period"]).date()
        return month_containing(start)


class ReleaseCorrectForm(PublicationTimeForm):
    what_changed = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what changed"},
    )
    why_changed = forms.CharField(
        label="Why it changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why it changed"},
    )
    effect_of_change = forms.CharField(
        label="The effect of the change",
        help_text="Which figures moved, and by how much",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the effect of the change"},
    )

    field_order = [
        "what_changed",
        "why_changed",
        "effect_of_change",
        "publish_date",
        "publish_time",
    ]


class PreReleaseGrantForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The person must already be able to sign in",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
