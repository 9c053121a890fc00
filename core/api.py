"""What every API view shares: scoping, authentication, errors, pages.

The API is as safe as the pages because it is built the same way:

- Every API view inherits ``ScopedAPIMixin``. Its ``get_queryset`` applies
  ``core.scoping.visible_to`` to whatever the view's ``base_queryset`` returns
  (a selector or a plain QuerySet), so a row outside the user's scope is a
  404 and never appears in a list, a filter or a count. Views do not override
  ``get_queryset``; tests/core/test_url_scoping.py fails for one that does.
- Read-only roles (DfE staff) get 403 for any method but GET, HEAD and
  OPTIONS, as on the pages.
- Authentication (settings.REST_FRAMEWORK, classes in core.tokens): a
  personal API token (``Authorization: Bearer oat_...``) or the browser
  session (with Django's CSRF check). An unknown, revoked or expired token is
  401 with a WWW-Authenticate header. Requests made with a token are
  throttled per token.
- Every error has one shape (``ApiErrorSerializer``): status, code, message
  and a list of field errors whose ``field`` is a dotted path, so a bulk
  endpoint's error for the fourth record's date reads ``records.3.date``.
- Lists are paginated (``page``, ``page_size``), filtered with django-filter
  and ordered with ``ordering``; the primary key breaks ties so pages are
  stable.
"""

import json

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.fields import get_error_detail
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .numbers import PERCENT, POUNDS, NumberError, number_from_text, number_messages
from .scoping import visible_to

# --- Authentication ---------------------------------------------------------------


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from the 'API tokens' page, sent as "
                "'Authorization: Bearer oat_...'."
            ),
        }


class VerifiedSessionScheme(SessionScheme):
    """The browser session as drf-spectacular describes Django's own."""

    target_class = "core.tokens.VerifiedSessionAuthentication"


# --- Errors -------------------------------------------------------------------


class ApiFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="Dotted path to the field (records.3.date), or null for the whole request.",
    )
    code = serializers.CharField()
    message = serializers.CharField()


class ApiErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A stable code: not_found, invalid, throttled, ...")
    message = serializers.CharField(help_text="What went wrong, for a person to read.")
    errors = ApiFieldErrorSerializer(many=True, help_text="Field errors; empty unless 400.")


INVALID_MESSAGE = "The request is not valid: see errors."
NOT_FOUND_MESSAGE = "Not found."
NON_FIELD_KEYS = frozenset({api_settings.NON_FIELD_ERRORS_KEY, "__all__"})


def api_exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError (raised by services and
    model validation) as a 400, and every body in the one error format. A 404
    never says what was not found: outside scope and absent read the same."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=get_error_detail(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND_MESSAGE)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message, errors = "invalid", INVALID_MESSAGE, list(_field_errors(exc.detail))
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        message = str(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
        errors = []
    response.data = {
        "status": response.status_code,
        "code": code,
        "message": message,
        "errors": errors,
    }
    return response


def _field_errors(detail, path=()):
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _field_errors(value, path if key in NON_FIELD_KEYS else (*path, str(key)))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            yield from _field_errors(item, (*path, str(index)) if nested else path)
    else:
        yield {
            "field": ".".join(path) or None,
            "code": getattr(detail, "code", None) or "invalid",
            "message": str(detail),
        }


# --- Requests and lists ---------------------------------------------------------


class StrictJSONParser(JSONParser):
    """JSON whose strings PostgreSQL can store: a lone surrogate ("\\ud800")
    is valid JSON but not UTF-8, and would fail in the database."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError as error:
            raise exceptions.ParseError("The JSON holds text that is not valid Unicode.") from error
        return data


class OptionalURLField(serializers.URLField):
    """A URL, or null for none. Models store "none" as an empty string, which
    is not a URL; the API says null, and takes null or "" for none."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, allow_blank=True, required=False, **kwargs)

    def run_validation(self, data=serializers.empty):
        if data is None or data == "":
            return ""
        return super().run_validation(data)

    def to_representation(self, value):
        return value or None


class _WrittenNumberInput:
    """Reads a string input as people write numbers, as the forms and imports
    do (core.numbers): "1,200", and with its unit's mark "£12,500" or
    "61.5%" where `unit` (core.numbers.PERCENT or POUNDS) allows it. A JSON
    number is read as before; the answer is written as before."""

    whole = False

    def __init__(self, *, unit="", **kwargs):
        self.unit = unit
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = self.number(data, unit=self.unit)
        return super().to_internal_value(data)

    def number(self, text, *, unit):
        """The number `text` writes in `unit`, or a ValidationError in this
        field's words ("Value must be a number, like 1,200 or 61.5")."""
        try:
            number = number_from_text(text, unit=unit, whole=self.whole)
        except NumberError as error:
            name = (self.field_name or "value").replace("_", " ").capitalize()
            message = number_messages(name, unit=unit, whole=self.whole)[error.code]
            raise serializers.ValidationError(message, code=error.code) from None
        return int(number) if self.whole else number


class NumberField(_WrittenNumberInput, serializers.DecimalField):
    """A decimal input: a JSON number or a written string."""


class WholeNumberField(_WrittenNumberInput, serializers.IntegerField):
    """A whole-number input: a JSON integer or a written string ("1,200")."""

    whole = True


class NumberFieldSchema(OpenApiSerializerFieldExtension):
    """A number input takes a JSON number or a written string; it answers as
    DRF writes it (a decimal string, an integer)."""

    target_class = _WrittenNumberInput
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction != "request":
            return auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        marks = {
            PERCENT: " A % may follow it where the figure is a percentage ('61.5%').",
            POUNDS: " A £ may lead it ('£12,500').",
        }
        written = "A number as people write it, commas allowed ('1,200')."
        return {
            "oneOf": [
                {"type": "integer" if self.target.whole else "number"},
                {"type": "string", "description": written + marks.get(self.target.unit, "")},
            ]
        }


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose number fields read inputs as the forms and
    imports do (NumberField, WholeNumberField); give a field its unit in
    Meta.extra_kwargs ({"spend_to_date": {"unit": POUNDS}})."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumberField,
        models.IntegerField: WholeNumberField,
        models.PositiveIntegerField: WholeNumberField,
        models.PositiveSmallIntegerField: WholeNumberField,
        models.SmallIntegerField: WholeNumberField,
    }


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A filter on a whole number, such as an id (NumberFilter would accept 1.5)."""

    field_class = forms.IntegerField


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StableOrderingFilter(OrderingFilter):
    """``ordering=name,-date``; the primary key breaks ties, so a row never
    shows on two pages or none."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            return [*ordering, "pk"]
        return ordering


# --- OpenAPI ----------------------------------------------------------------------


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema with the error responses every operation can
    give, in the one error format."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in self._error_statuses():
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    OpenApiResponse(response=ApiErrorSerializer, description=description),
                    str(status),
                    direction=direction,
                ),
            )
        return responses

    def _error_statuses(self):
        statuses = []
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.append((400, "The request is not valid; errors lists each problem."))
            statuses.append((415, "The body is not JSON."))
        elif self._is_list_view() and getattr(self.view, "filterset_class", None):
            statuses.append((400, "A filter value is not valid."))
        statuses.append((401, "No credentials, or a token that is unknown, revoked or expired."))
        statuses.append((403, "The user's role may not do this (or the CSRF check failed)."))
        if "{" in self.path or self._is_list_view():
            statuses.append((404, "Not found, or outside the user's scope; or no such page."))
        statuses.append((429, "Too many requests with this token; see Retry-After."))
        return statuses


COMPOSITIONS = ("oneOf", "anyOf", "allOf")


def nullable_with_a_type_hook(result, generator, request, public):
    """Write every nullable schema so that OpenAPI 3.0 allows its null.

    OpenAPI 3.0.3 says ``nullable: true`` adds null "only if type is
    explicitly defined within the same Schema Object". drf-spectacular puts
    it beside ``allOf`` (a nullable nested serializer) or ``oneOf`` (a
    nullable URL field that also takes ""), where strict validators and
    generated clients then refuse null. For OpenAPI 3.1 drf-spectacular adds
    a null alternative instead; this does the same in 3.0's terms: the
    alternative is its own schema with a type, nullable, whose only value is
    null.
    """
    _give_null_a_type(result)
    return result


def _give_null_a_type(node):
    if isinstance(node, list):
        for item in node:
            _give_null_a_type(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _give_null_a_type(value)
    if node.get("nullable") is not True or "type" in node:
        return
    composition = next((key for key in COMPOSITIONS if key in node), None)
    if composition is None:
        return
    del node["nullable"]
    alternatives = node.pop(composition)
    if composition == "allOf":
        alternatives = [alternatives[0] if len(alternatives) == 1 else {"allOf": alternatives}]
    only_null = {"type": alternatives[0].get("type", "object"), "nullable": True, "enum": [None]}
    node["anyOf" if composition == "anyOf" else "oneOf"] = [*alternatives, only_null]


# --- Scoping and permissions ------------------------------------------------------


class ReadOnlyRolesMayNotWrite(BasePermission):
    """DfE staff may read everything but change nothing, as on the pages."""

    message = "Your role can view but not change data."

    def has_permission(self, request, view):
        return (
            request.method in SAFE_METHODS
            or not request.user.is_read_only
            or getattr(view, "read_only_roles_may_post", False)
        )


class ScopedAPIMixin:
    """The base of every API view: signed-in users only, rows cut to the
    user's scope, read-only roles refused for unsafe methods.

    Subclasses set ``queryset`` (the model) and may override
    ``base_queryset`` to start from a selector; they never override
    ``get_queryset``. ``read_only_roles_may_post`` is for a POST that asks
    for work rather than changing data, as on ScopedViewMixin.

    DRF exempts its views from Django's LoginRequiredMiddleware (a token is
    read inside the view, after the middleware has run); IsAuthenticated
    answers 401 to a request without valid credentials instead.
    """

    scoping = "scoped"
    read_only_roles_may_post = False
    permission_classes = [IsAuthenticated, ReadOnlyRolesMayNotWrite]
    parser_classes = [StrictJSONParser]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    pagination_class = ApiPagination
    schema = ApiAutoSchema()

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return self.queryset.none()
        return visible_to(self.base_queryset(), self.request.user)


class ScopedReadOnlyViewSet(
    ScopedAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and detail of rows in the user's scope."""


class ApiNotFoundView(ScopedAPIMixin, APIView):
    """Any address under /api/ that names no operation: a 404 in the API's
    error format (signed-in users; others get 401 like everywhere else)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound(NOT_FOUND_MESSAGE)

    post = put = patch = delete = get


# --- The OpenAPI document and its documentation page -------------------------------


class ApiSchemaView(SpectacularAPIView):
    """The OpenAPI document. Signed-in users and tokens only; it describes
    the API and holds no data."""

    scoping = "signed-in"
    permission_classes = [IsAuthenticated]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar package (served from
    /static/, no CDN). The split view serves its start-up script from this
    same address (``?script``), so the page runs under the service's
    Content-Security-Policy, which allows no inline script or style. A page
    for people: signed-out visitors are sent to sign-in."""

    scoping = "signed-in"
    permission_classes = [IsAuthenticated]
    template_name = "core/api_docs.html"
    url_name = "api-schema"

    @classmethod
    def as_view(cls, **initkwargs):
        view = never_cache(super().as_view(**initkwargs))
        view.login_required = True  # DRF turns it off; this is a page, not an API call
        return view
