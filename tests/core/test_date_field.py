"""The one GOV.UK date field (core.forms.GovUKDateField): GOV.UK's date input
pattern messages, the same on every form that asks for a date."""

import datetime

import pytest
import time_machine
from django import forms

from core.forms import GovUKDateField
from encounters.forms import EncounterForm


class WhenForm(forms.Form):
    when = GovUKDateField(label="Date of the visit", not_in_future=True)


def errors_for(day, month, year):
    form = WhenForm(data={"when_0": day, "when_1": month, "when_2": year})
    assert not form.is_valid()
    return form.errors["when"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "8", "19", "Year must include 4 numbers"),
        ("31", "8", "20190", "Year must include 4 numbers"),
        ("", "", "", "Enter the date of the visit"),
        ("", "8", "2019", "Date of the visit must include a day"),
        ("31", "", "", "Date of the visit must include a month and a year"),
        ("31", "2", "2019", "Date of the visit must be a real date"),
        ("31", "13", "2019", "Date of the visit must be a real date"),
        ("x", "8", "2019", "Date of the visit must be a real date"),
    ],
)
def test_govuk_date_input_messages(day, month, year, message):
    assert errors_for(day, month, year) == [message]


@time_machine.travel(datetime.datetime(2019, 9, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_not_in_future_refuses_tomorrow_and_accepts_today():
    assert errors_for("2", "9", "2019") == ["Date of the visit must be today or in the past"]
    form = WhenForm(data={"when_0": "1", "when_1": "9", "when_2": "2019"})
    assert form.is_valid()
    assert form.cleaned_data["when"] == datetime.date(2019, 9, 1)


def test_encounter_form_uses_the_core_field():
    assert type(EncounterForm.base_fields["date"]) is GovUKDateField
