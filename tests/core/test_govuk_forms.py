"""GOV.UK form rendering (core.forms.GovUKFormRenderer), the error summary,
the page template (base.html) and the error pages, asserted on their markup."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from core.forms import GovUKBoundField, GovUKFormRenderer
from core.models import Role
from tests.factories import UserFactory

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []
        self.content = []  # text and child elements, in document order

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self):
        parts = [part if isinstance(part, str) else part.text for part in self.content]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(
                element.attrs.get(name.rstrip("_").replace("_", "-")) == v
                for name, v in attrs.items()
            )
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> class={cls} {attrs} in <{self.tag}>"
        return found[0]

    def ancestor(self, cls):
        node = self.parent
        while node is not None and cls not in node.classes:
            node = node.parent
        return node

    def by_id(self, id_):
        found = [e for e in self.iter() if e.attrs.get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.content.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.current.content.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)


def parse(html):
    builder = _TreeBuilder()
    builder.feed(str(html))
    builder.close()
    return builder.root


def render(template_code, context=None, request=None):
    return engines["django"].from_string(template_code).render(context or {}, request)


CHOICES = [("planned", "Planned"), ("in_progress", "In progress"), ("done", "Done")]


class ExampleForm(forms.Form):
    title = forms.CharField(help_text="A short name for the action")
    email = forms.EmailField(help_text="We will send updates here")
    area = forms.ChoiceField(choices=[("", "Choose an area"), *CHOICES], help_text="The area")
    description = forms.CharField(widget=forms.Textarea, help_text="What will happen")
    status = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, help_text="Pick one")
    themes = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Select all that apply"
    )
    confirm = forms.BooleanField(help_text="You must confirm this")
    evidence = forms.FileField(help_text="A PDF or spreadsheet")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The plan has been changed by someone else")


BAD_DATA = {"title": "", "email": "not-an-email", "area": "nowhere", "status": "lost"}
FIELDS_WITH_INPUT_ID = {
    "title": "id_title",
    "email": "id_email",
    "area": "id_area",
    "description": "id_description",
    "status": "id_status_0",
    "themes": "id_themes_0",
    "confirm": "id_confirm",
    "evidence": "id_evidence",
}


@pytest.fixture
def bad_form():
    form = ExampleForm(data=BAD_DATA)
    assert not form.is_valid()
    return form


def test_the_govuk_renderer_is_the_default():
    form = ExampleForm()
    assert isinstance(form.renderer, GovUKFormRenderer)
    assert isinstance(form["title"], GovUKBoundField)


def test_django_widget_templates_resolve_through_settings_templates():
    # TemplatesSetting loads widget templates through settings.TEMPLATES:
    # "django.forms" must be in INSTALLED_APPS (with APP_DIRS on).
    get_template("django/forms/widgets/input.html")
    get_template("django/forms/widgets/radio_option.html")


def test_each_field_is_a_govuk_form_group_with_error_state(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))

    groups = page.find_all("div", cls="govuk-form-group")
    assert len(groups) == len(FIELDS_WITH_INPUT_ID)
    assert all("govuk-form-group--error" in group.classes for group in groups)

    for name, input_id in FIELDS_WITH_INPUT_ID.items():
        widget = page.by_id(input_id)
        group = widget.ancestor("govuk-form-group")
        assert group is not None, name
        error = group.find("p", cls="govuk-error-message")
        assert error.attrs["id"] == f"id_{name}_error"
        hidden = error.find("span", cls="govuk-visually-hidden")
        assert hidden.text == "Error:"
        assert error.text.startswith("Error: ")
        hint = group.find("div", cls="govuk-hint")
        assert hint.attrs["id"] == f"id_{name}_hint"
        assert hint.text == str(bad_form.fields[name].help_text)


@pytest.mark.parametrize(
    ("input_id", "tag", "expected_classes"),
    [
        ("id_title", "input", {"govuk-input", "govuk-input--error"}),
        ("id_email", "input", {"govuk-input", "govuk-input--error"}),
        ("id_area", "select", {"govuk-select", "govuk-select--error"}),
        ("id_description", "textarea", {"govuk-textarea", "govuk-textarea--error"}),
        ("id_evidence", "input", {"govuk-file-upload", "govuk-file-upload--error"}),
        ("id_confirm", "input", {"govuk-checkboxes__input"}),
        ("id_status_0", "input", {"govuk-radios__input"}),
        ("id_themes_0", "input", {"govuk-checkboxes__input"}),
    ],
)
def test_widgets_carry_govuk_classes(bad_form, input_id, tag, expected_classes):
    page = parse(render("{{ form }}", {"form": bad_form}))
    widget = page.by_id(input_id)
    assert widget.tag == tag
    assert expected_classes <= widget.classes


def test_labels_point_at_their_inputs(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))
    labels = page.find_all("label", cls="govuk-label")
    assert labels
    for label in labels:
        assert page.by_id(label.attrs["for"]).tag in {"input", "select", "textarea"}
    assert page.find("label", for_="id_title").text == "Title"


def test_aria_describedby_references_hint_and_error_that_exist(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))
    described = [e for e in page.iter() if "aria-describedby" in e.attrs]
    assert described
    for element in described:
        for id_ in element.attrs["aria-describedby"].split():
            page.by_id(id_)

    assert page.by_id("id_title").attrs["aria-describedby"] == "id_title_hint id_title_error"
    assert page.by_id("id_area").attrs["aria-describedby"] == "id_area_hint id_area_error"
    assert page.by_id("id_confirm").attrs["aria-describedby"] == "id_confirm_hint id_confirm_error"
    assert "_helptext" not in render("{{ form }}", {"form": bad_form})


def test_radios_and_checkboxes_are_fieldsets_described_by_hint_and_error(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))
    for name, component in [("status", "govuk-radios"), ("themes", "govuk-checkboxes")]:
        first = page.by_id(f"id_{name}_0")
        items = first.ancestor(component)
        assert items.attrs["data-module"] == component
        assert f"{component}__item" in first.parent.classes
        label = first.parent.find("label")
        assert label.attrs["for"] == f"id_{name}_0"
        assert f"{component}__label" in label.classes
        fieldset = first.ancestor("govuk-fieldset")
        assert fieldset.tag == "fieldset"
        assert fieldset.attrs["aria-describedby"] == f"id_{name}_hint id_{name}_error"
        legend = fieldset.find("legend", cls="govuk-fieldset__legend")
        assert legend.text == name.capitalize()
        assert "aria-describedby" not in first.attrs


def test_single_checkbox_is_a_govuk_checkbox(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))
    checkbox = page.by_id("id_confirm")
    assert checkbox.attrs["type"] == "checkbox"
    assert "govuk-checkboxes__item" in checkbox.parent.classes
    assert checkbox.ancestor("govuk-checkboxes").attrs["data-module"] == "govuk-checkboxes"
    assert "govuk-checkboxes__hint" in page.by_id("id_confirm_hint").classes


def test_no_required_attribute_anywhere(bad_form):
    html = render("{{ form }}{{ form.title }}{{ form.status }}", {"form": bad_form})
    assert not [e for e in parse(html).iter() if "required" in e.attrs]
    assert not [
        e
        for e in parse(render("{{ form }}", {"form": ExampleForm()})).iter()
        if "required" in e.attrs
    ]


def test_hidden_fields_have_no_form_group(bad_form):
    page = parse(render("{{ form }}", {"form": bad_form}))
    hidden = page.by_id("id_version")
    assert hidden.attrs["type"] == "hidden"
    assert hidden.ancestor("govuk-form-group") is None
    assert not hidden.classes


def test_non_field_errors_only_in_the_summary(bad_form):
    form_html = render("{{ form }}", {"form": bad_form})
    assert "changed by someone else" not in form_html
    summary_html = render(
        '{% include "govuk/error_summary.html" with form=form %}', {"form": bad_form}
    )
    assert "changed by someone else" in summary_html


def test_error_summary_lists_errors_and_links_to_existing_inputs(bad_form):
    html = render(
        '{% include "govuk/error_summary.html" with form=form %}{{ form }}', {"form": bad_form}
    )
    page = parse(html)
    summary = page.find("div", cls="govuk-error-summary")
    assert summary.attrs["data-module"] == "govuk-error-summary"
    assert summary.find("div", role="alert")
    assert summary.find("h2", cls="govuk-error-summary__title").text == "There is a problem"

    items = summary.find("ul", cls="govuk-error-summary__list").find_all("li")
    assert items[0].text == "The plan has been changed by someone else"
    assert not items[0].find_all("a")

    links = summary.find_all("a")
    hrefs = [link.attrs["href"] for link in links]
    assert hrefs == [f"#{input_id}" for input_id in FIELDS_WITH_INPUT_ID.values()]
    for link in links:
        target = page.by_id(link.attrs["href"][1:])
        assert target.tag in {"input", "select", "textarea"}
        error = target.ancestor("govuk-form-group").find("p", cls="govuk-error-message")
        assert link.text in error.text
    assert page.find("a", href="#id_email").text == "Enter a valid email address."


def test_error_summary_is_empty_without_errors():
    template = '{% include "govuk/error_summary.html" with form=form %}'
    assert render(template, {"form": ExampleForm()}).strip() == ""
    assert render(template, {"form": None}).strip() == ""


def test_unbound_form_has_no_error_markup():
    html = render("{{ form }}", {"form": ExampleForm()})
    assert "govuk-form-group--error" not in html
    assert "govuk-error-message" not in html
    assert "aria-invalid" not in html
    page = parse(html)
    assert page.by_id("id_title").attrs["aria-describedby"] == "id_title_hint"
    assert page.by_id("id_title").classes == {"govuk-input"}


def test_widget_classes_and_describedby_are_kept():
    class WidthForm(forms.Form):
        reference = forms.CharField(
            widget=forms.TextInput(
                attrs={"class": "govuk-input--width-10", "aria-describedby": "ref-help"}
            ),
            help_text="For example, OA-123",
        )

    page = parse(render("<p id='ref-help'>x</p>{{ form }}", {"form": WidthForm(data={})}))
    reference = page.by_id("id_reference")
    assert reference.classes == {"govuk-input", "govuk-input--error", "govuk-input--width-10"}
    assert reference.attrs["aria-describedby"] == "ref-help id_reference_hint id_reference_error"


def _scripts_and_styles_are_external(page):
    scripts = page.find_all("script")
    assert scripts
    for script in scripts:
        assert script.attrs.get("src", "").startswith("/static/")
        assert not script.text
    assert not page.find_all("style")
    assert not [e for e in page.iter() if "style" in e.attrs]
    assert not [e for e in page.iter() if any(name.startswith("on") for name in e.attrs)]


def test_500_page_renders_without_a_request_context():
    html = get_template("500.html").render({})
    page = parse(html)
    assert page.find("title").text == (
        "Sorry, there is a problem with the service – Opportunity Area Tracker – GOV.UK"
    )
    assert page.find("h1").text == "Sorry, there is a problem with the service"
    assert page.find("html").attrs == {"lang": "en-GB", "class": "govuk-template"}
    assert page.find("link", rel="stylesheet").attrs["href"] == "/static/css/application.css"
    assert page.find("a", cls="govuk-service-navigation__link").text == "Opportunity Area Tracker"
    _scripts_and_styles_are_external(page)


@pytest.fixture
def rf_request(db):
    request = RequestFactory().get("/areas/")
    request.user = UserFactory(email="lead@example.org", role=Role.DFE_STAFF)
    request.user.is_verified = lambda: True  # as django-otp's middleware marks a verified session
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


NAVIGATION = [
    {"text": "Home", "href": "/home/", "active": False},
    {"text": "Areas", "href": "/areas/", "active": True},
]


def test_base_template_is_the_govuk_page_template(rf_request):
    messages.success(rf_request, "Action updated")
    html = render(
        '{% extends "base.html" %}{% block page_title %}Areas{% endblock %}'
        '{% block before_content %}<a href="/" class="govuk-back-link">Back</a>{% endblock %}'
        '{% block content %}<h1 class="govuk-heading-l">Areas</h1>{% endblock %}',
        {"service_navigation": NAVIGATION},
        rf_request,
    )
    page = parse(html)

    assert page.find("title").text == "Areas – Opportunity Area Tracker – GOV.UK"
    body = page.find("body", cls="govuk-template__body")
    first_script = body.children[0]
    assert first_script.tag == "script"
    assert first_script.attrs["src"] == "/static/js/js-enabled.js"
    assert body.children[1].attrs == {
        "href": "#main-content",
        "class": "govuk-skip-link",
        "data-module": "govuk-skip-link",
    }
    module = body.find_all("script")[-1]
    assert module.attrs == {"type": "module", "src": "/static/js/application.mjs"}
    assert page.find("link", rel="manifest").attrs["href"] == "/static/govuk/assets/manifest.json"

    header = page.find("header", cls="govuk-template__header")
    assert header.find("svg", cls="govuk-header__logotype").attrs["aria-label"] == "GOV.UK"
    navigation = header.find("section", cls="govuk-service-navigation")
    assert navigation.attrs["data-module"] == "govuk-service-navigation"
    service = navigation.find("span", cls="govuk-service-navigation__service-name").find("a")
    assert (service.attrs["href"], service.text) == ("/", "Opportunity Area Tracker")
    items = navigation.find_all("li", cls="govuk-service-navigation__item")
    assert [item.text for item in items] == ["Home", "Areas"]
    assert "govuk-service-navigation__item--active" in items[1].classes
    assert items[1].find("a").attrs["aria-current"] == "page"
    assert "aria-current" not in items[0].find("a").attrs

    sign_out = navigation.find("form")
    assert (sign_out.attrs["method"], sign_out.attrs["action"]) == ("post", "/sign-out/")
    assert sign_out.find("input", name="csrfmiddlewaretoken")
    assert sign_out.find("button", type="submit").text == "Sign out"
    assert "lead@example.org" in navigation.text

    banner = header.find("div", cls="govuk-phase-banner")
    assert banner.find("strong", cls="govuk-tag").text == "Beta"
    assert "This is a new service." in banner.text

    # The back link is inside <main> (axe-core's "region" rule), before the
    # main wrapper that spaces it from the content.
    main = page.find("main")
    assert main.attrs == {"id": "main-content"}
    assert "govuk-width-container" in main.parent.classes
    back_link, wrapper = main.children
    assert back_link.classes == {"govuk-back-link"}
    assert wrapper.classes == {"govuk-main-wrapper"}
    notification = wrapper.children[0]
    assert notification.classes == {
        "govuk-notification-banner",
        "govuk-notification-banner--success",
    }
    assert notification.attrs["role"] == "alert"
    assert page.by_id(notification.attrs["aria-labelledby"]).text == "Success"
    assert notification.find("p", cls="govuk-notification-banner__heading").text == "Action updated"

    footer = page.find("footer", cls="govuk-template__footer")
    assert "Open Government Licence v3.0" in footer.text
    assert "© Crown copyright" in footer.text
    _scripts_and_styles_are_external(page)


def test_base_template_signed_out_has_no_account_controls(rf_request):
    rf_request.user = AnonymousUser()
    html = render(
        '{% extends "base.html" %}{% block page_title %}Sign in{% endblock %}',
        {"service_navigation": []},
        rf_request,
    )
    page = parse(html)
    assert not page.find_all("form")
    assert not page.find_all("nav")
    assert page.find("a", cls="govuk-service-navigation__link").text == "Opportunity Area Tracker"


def test_404_page_through_the_client(client, db):
    client.force_login(UserFactory(role=Role.DFE_STAFF))
    response = client.get("/no-such-page-anywhere/")
    assert response.status_code == 404
    page = parse(response.content.decode())
    assert page.find("h1").text == "Page not found"
    assert page.find("title").text == "Page not found – Opportunity Area Tracker – GOV.UK"
    _scripts_and_styles_are_external(page)


def test_403_page(rf_request):
    html = render_to_string(
        "403.html", {"exception": "Your role can view but not change data."}, rf_request
    )
    page = parse(html)
    assert page.find("h1").text == "You do not have permission to do this"
    assert "Your role can view but not change data." in page.find("main").text
    assert page.find("title").text == (
        "You do not have permission to do this – Opportunity Area Tracker – GOV.UK"
    )
    _scripts_and_styles_are_external(page)
