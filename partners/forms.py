"""Forms for the partnership board's pages. Plain forms: the views pass
cleaned_data to partners.services, whose full_clean runs the models' rules;
the views put any error it raises back on the form."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Q

from core.forms import GovUKDateField
from core.models import Role
from plans.edit_forms import area_people, person_label

from .models import DecisionStatus, MembershipRole, Organisation
from .services import INVITABLE_ROLES


def _text(label, *, max_length=200, required=True, textarea=False, **kwargs):
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}) if textarea else forms.TextInput,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def _url(label):
    return forms.URLField(
        label=f"{label} (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": f"Enter the {label.lower()} as a web address, like https://"},
    )


def _account(label, help_text):
    return forms.ModelChoiceField(
        label=label,
        queryset=None,
        required=False,
        empty_label="None: a named person without an account",
        help_text=help_text,
    )


class BoardForm(forms.Form):
    """A form about one row of `area`'s board; `instance` is the row changed
    (None when adding), and gives the initial values."""

    def __init__(self, *args, area, instance=None, **kwargs):
        self.area = area
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {**self.initial_from(instance), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                field.queryset = area_people(area)
                field.label_from_instance = person_label
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                Q(area=None) | Q(area=area)
            )

    def initial_from(self, instance):
        return {name: getattr(instance, name, None) for name in self.base_fields}


class SeatFields(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        error_messages={"required": "Select the organisation the member comes from"},
    )
    role = forms.ChoiceField(
        label="Board role",
        choices=MembershipRole.choices,
        widget=forms.RadioSelect,
        initial=MembershipRole.MEMBER,
        error_messages={"required": "Select the member's role on the board"},
    )
    sector_represented = _text(
        "Sector represented", help_text="For example, early years, secondary schools, employers"
    )
    start_date = GovUKDateField(label="Term starts", help_text="For example, 1 9 2017")
    end_date = GovUKDateField(
        label="Term ends (optional)", required=False, help_text="For example, 31 8 2020"
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Term end must be the same as or after the term start")
        return cleaned


class MembershipForm(BoardForm, SeatFields):
    account = _account(
        "Member's account (optional)",
        "Choose an account of this area, or enter the name of a person without one",
    )
    contact_name = _text("Name", required=False, help_text="Needed when there is no account")
    contact_email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )

    field_order = ["account", "contact_name", "contact_email"]

    def initial_from(self, instance):
        return {**super().initial_from(instance), "account": instance.user}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("account") and not cleaned.get("contact_name"):
            self.add_error("contact_name", "Enter the member's name, or choose their account")
        return cleaned


class InvitationForm(BoardForm, SeatFields):
    first_name = _text("First name", max_length=150)
    last_name = _text("Last name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation, with a link to set a password, is sent here",
        error_messages={
            "required": "Enter the email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    account_role = forms.ChoiceField(
        label="Their role in the service",
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
        widget=forms.RadioSelect,
        initial=Role.BOARD_MEMBER,
        help_text="Board members log updates and measurements; area leads also edit the plan "
        "and the board",
        error_messages={"required": "Select their role in the service"},
    )

    field_order = ["first_name", "last_name", "email", "account_role"]


class MeetingForm(BoardForm):
    title = _text("Title", initial="Partnership board meeting")
    date = GovUKDateField(label="Date", help_text="For example, 14 3 2019")
    papers_url = _url("Link to the papers")
    minutes_url = _url("Link to the minutes")
    minutes = _text("Minutes", max_length=20000, required=False, textarea=True)
    attendees = forms.ModelMultipleChoiceField(
        label="Who attended (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members
        self.fields["attendees"].label_from_instance = lambda member: (
            f"{member.display_name}, {member.organisation.name}"
        )

    def initial_from(self, instance):
        return {**super().initial_from(instance), "attendees": list(instance.attendees.all())}


class DecisionForm(BoardForm):
    decision = _text("Decision", max_length=5000, textarea=True)
    owner = _text("Owner", help_text="The person accountable for carrying it out")
    owner_user = _account("Owner's account (optional)", "The owner is reminded when it is overdue")
    due_date = GovUKDateField(
        label="Due date (optional)", required=False, help_text="For example, 31 7 2019"
    )
    status = forms.ChoiceField(
        label="Status",
        choices=DecisionStatus.choices,
        widget=forms.RadioSelect,
        initial=DecisionStatus.OPEN,
        error_messages={"required": "Select the status"},
    )


class DeclarationForm(BoardForm):
    membership = forms.ModelChoiceField(
        label="Member",
        queryset=None,
        error_messages={"required": "Select the member who declared the interest"},
    )
    description = _text("Interest declared", max_length=5000, textarea=True)
    declared_on = GovUKDateField(label="Date declared", help_text="For example, 14 3 2019")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members
        self.fields["membership"].label_from_instance = lambda member: (
            f"{member.display_name}, {member.organisation.name}"
        )


class InvitationPasswordForm(SetPasswordForm):
    """Set the password of an invited account; the service saves it."""

    def save(self, commit=True):
        raise NotImplementedError("partners.services.invitation_accept saves the password")
