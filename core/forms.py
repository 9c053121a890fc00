"""GOV.UK Design System rendering for every Django form.

settings.FORM_RENDERER points at GovUKFormRenderer, so `{{ form }}` and
`{{ form.field.as_field_group }}` produce GOV.UK form groups, and
`{{ form.field }}` alone produces a widget with the GOV.UK classes. Forms need
no base class or mixin.
"""

from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from . import services
from .numbers import NumberError, number_from_text, number_messages

# GOV.UK class on the widget, and the extra class when the field has an
# error (None: the component marks errors on its form group only).
_WIDGET_CLASSES = {
    "checkbox": ("govuk-checkboxes__input", None),
    "checkboxes": ("govuk-checkboxes__input", None),
    "radios": ("govuk-radios__input", None),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "input": ("govuk-input", "govuk-input--error"),
}


def form_errors_from(form, error):
    """Put a service's ValidationError on the form: on its field when the
    form has it, otherwise in the error summary."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def govuk_kind(widget):
    """Which GOV.UK component a widget is rendered as (see field.html)."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, widgets.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, widgets.RadioSelect):
        return "radios"
    if widget.use_fieldset:
        # Several inputs for one value (MultiWidget, SelectDateWidget): a
        # fieldset, as the GOV.UK date input does.
        return "fieldset"
    if isinstance(widget, widgets.CheckboxInput):
        return "checkbox"
    if isinstance(widget, widgets.Select):
        return "select"
    if isinstance(widget, widgets.Textarea):
        return "textarea"
    if isinstance(widget, widgets.FileInput):
        return "file"
    return "input"


def _input_kind(widget):
    """The kind whose classes go on the widget's inputs."""
    kind = govuk_kind(widget)
    if kind != "fieldset":
        return kind
    if isinstance(widget, widgets.SelectDateWidget):
        return "select"
    if isinstance(widget, widgets.MultiWidget) and widget.widgets:
        kind = _input_kind(widget.widgets[0])
        return kind if kind in _WIDGET_CLASSES else "input"
    return "input"


class GovUKBoundField(BoundField):
    """A BoundField with GOV.UK ids, classes and attributes.

    - The hint (help_text) has id `<auto_id>_hint` and each error message
      `<auto_id>_error`; aria-describedby lists them (after any
      aria-describedby the widget was given). Radios and checkboxes carry
      aria-describedby on their fieldset instead, as GOV.UK Frontend does.
    - No HTML `required` attribute, whatever form.use_required_attribute says:
      validation is server-side so that the error summary and error messages
      show, which browser validation would pre-empt.
    """

    @property
    def govuk_kind(self):
        return govuk_kind(self.field.widget)

    @property
    def hint_id(self):
        if self.auto_id and self.help_text and not self.is_hidden:
            return f"{self.auto_id}_hint"
        return ""

    @property
    def error_id(self):
        if self.auto_id and self.errors and not self.is_hidden:
            return f"{self.auto_id}_error"
        return ""

    @property
    def aria_describedby(self):
        ids = [
            self.field.widget.attrs.get("aria-describedby", ""),
            self.hint_id,
            self.error_id,
        ]
        return " ".join(id_ for id_ in ids if id_)

    @property
    def error_summary_href(self):
        """Fragment the error summary links to: the field's (first) input."""
        if self.govuk_kind in ("radios", "checkboxes"):
            # Django gives the group no id_for_label; GOV.UK links the first option.
            id_ = next((o.id_for_label for o in self.subwidgets if o.id_for_label), "")
        else:
            id_ = self.id_for_label
        return f"#{id_}" if id_ else ""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        attrs.pop("required", None)
        if isinstance(widget, widgets.MultiWidget):
            for subwidget in widget.widgets:
                subwidget.attrs.pop("required", None)
        kind = _input_kind(widget)
        if kind == "hidden":
            return attrs
        govuk_class, error_class = _WIDGET_CLASSES[kind]
        classes = [govuk_class]
        if self.errors and error_class:
            classes.append(error_class)
        classes += [widget.attrs.get("class", ""), attrs.get("class", "")]
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class GovUKFormRenderer(TemplatesSetting):
    """Renders forms and fields with the GOV.UK templates in
    core/templates/govuk/forms/. Templates come from settings.TEMPLATES, so
    Django's own widget templates must be findable there too ("django.forms"
    in INSTALLED_APPS with APP_DIRS on)."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovUKBoundField


class SignInForm(AuthenticationForm):
    """Email and password, with failed attempts throttled per account and per
    client address before a password is even checked."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password"

    error_messages = {
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "This account has been deactivated.",
        "throttled": (
            "There have been too many failed attempts to sign in. Wait %(wait)s and try again."
        ),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or self.data.get("username", "")
        address = services.client_address(self.request)
        wait = services.sign_in_wait_seconds(email=email, address=address)
        if wait:
            services.sign_in_refusal_record(email=email, address=address)
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"wait": services.wait_text(wait)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.sign_in_failure_record(email=email, address=address)
            raise
        if self.get_user() is not None:
            services.sign_in_success_record(user=self.get_user(), address=address)
        return cleaned


class SecondFactorCodeForm(forms.Form):
    """One code, checked by a service (``accept``) that raises
    ValidationError with the message to show."""

    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, accept, **kwargs):
        super().__init__(*args, **kwargs)
        self.accept = accept

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 numbers", code="format")
        self.result = self.accept(code)
        return code


class RecoveryCodeForm(SecondFactorCodeForm):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up your authenticator app, "
        "like abcd-efgh-ijkl-mnop",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
        error_messages={"required": "Enter a recovery code"},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        self.result = self.accept(code)
        return code


class GovUKDateInput(widgets.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in a fieldset."""

    template_name = "govuk/forms/date_input.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__([widgets.TextInput, widgets.TextInput, widgets.TextInput], attrs)

    def decompress(self, value):
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_):
        # The error summary links to the day box, as GOV.UK's date input does.
        return f"{id_}_0" if id_ else ""


class GovUKDateField(forms.MultiValueField):
    """A date from the GOV.UK date input, with GOV.UK's error messages."""

    widget = GovUKDateInput
    parts = ("day", "month", "year")

    def __init__(self, *, not_in_future=False, **kwargs):
        self.not_in_future = not_in_future
        fields = tuple(forms.CharField(required=False) for _ in self.parts)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        label = (self.label or "Date").capitalize()
        entered = [str(v or "").strip() for v in (value or ["", "", ""])]
        if not any(entered):
            if self.required:
                raise forms.ValidationError(f"Enter the {label.lower()}", code="required")
            return None
        missing = [part for part, text in zip(self.parts, entered, strict=True) if not text]
        if missing:
            raise forms.ValidationError(
                f"{label} must include a {' and a '.join(missing)}", code="incomplete"
            )
        day, month, year = entered
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{label} must be a real date", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            result = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{label} must be a real date", code="invalid") from None
        if self.not_in_future and result > timezone.localdate():
            raise forms.ValidationError(f"{label} must be today or in the past", code="future")
        self.run_validators(result)
        return result


class _WrittenNumber:
    """Reads a number as people write it (core.numbers.number_from_text), for
    NumberField and WholeNumberField. `unit` (core.numbers.PERCENT or POUNDS)
    allows that unit's mark, and may be set after the form is made where it
    depends on the form's object (a measurement's on its indicator); `name`
    words the messages ("Spend to date"; the label unless given)."""

    whole = False
    inputmode = "decimal"

    def __init__(self, *, unit="", name=None, width_class="govuk-input--width-10", **kwargs):
        self.unit = unit
        self.name = name or kwargs.get("label") or "The number"
        self.chosen_messages = kwargs.get("error_messages") or {}
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": width_class,
                    "inputmode": self.inputmode,
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return super().to_python(value)
        try:
            number = number_from_text(value, unit=self.unit, whole=self.whole)
        except NumberError as error:
            messages = number_messages(self.name, unit=self.unit, whole=self.whole)
            message = self.chosen_messages.get(error.code) or messages[error.code]
            raise forms.ValidationError(message, code=error.code) from None
        return int(number) if self.whole else number


class NumberField(_WrittenNumber, forms.DecimalField):
    """A decimal number as people write it: "1,200", "12,500.5", and with
    its unit's mark "£12,500" or "61.5%". Django's DecimalField checks the
    places, digits and bounds after it."""


class WholeNumberField(_WrittenNumber, forms.IntegerField):
    """A whole number as people write it ("1,200"); IntegerField checks the
    bounds after it."""

    whole = True
    inputmode = "numeric"
