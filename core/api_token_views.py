"""The "API tokens" pages: a user creates personal API tokens for the
systems that call the API for them, sees them listed, and revokes them.

A new token is shown once, in the response to the form that created it
(never stored, put in the session or a message, and sent with no-store so
the browser does not keep the page). Tokens are personal: each page reads
only the signed-in user's own tokens, so another user's token is a 404.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.generic import FormView, ListView, TemplateView

from .models import ApiToken
from .tokens import api_token_create, api_token_revoke
from .views import ScopedViewMixin

EXPIRY_CHOICES = [
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In 1 year"),
    ("never", "Never (revoke it when it is no longer needed)"),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="What the token is for, so you recognise it later. For example, school MIS.",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Name must be 100 characters or fewer",
        },
    )
    expiry = forms.ChoiceField(
        label="When should the token stop working?",
        choices=EXPIRY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when the token should stop working"},
    )

    def expires_at(self, now):
        days = self.cleaned_data["expiry"]
        return None if days == "never" else now + timedelta(days=int(days))


class ApiTokenViewMixin(ScopedViewMixin):
    """A user's own tokens. An ApiToken's scope is its owner, so these views
    read ``ApiToken.objects.filter(user=...)`` rather than an area or school
    scope. Read-only roles may POST here: a token is the user's own
    credential (it can do no more than they can), not service data."""

    read_only_roles_may_post = True

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)


class ApiTokenListView(ApiTokenViewMixin, ListView):
    template_name = "core/api_tokens/list.html"
    context_object_name = "tokens"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, now=timezone.now())


class ApiTokenCreateView(ApiTokenViewMixin, FormView):
    template_name = "core/api_tokens/new.html"
    form_class = ApiTokenForm

    def form_valid(self, form):
        token, raw = api_token_create(
            user=self.request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(timezone.now()),
        )
        response = TemplateResponse(
            self.request, "core/api_tokens/created.html", {"token": token, "raw_token": raw}
        )
        add_never_cache_headers(response)
        return response


class ApiTokenRevokeView(ApiTokenViewMixin, TemplateView):
    """GET asks to confirm; POST revokes. Only the user's own tokens that are
    not revoked yet."""

    template_name = "core/api_tokens/revoke.html"

    def get_token(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"], revoked_at=None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, token=self.get_token())

    def post(self, request, *args, **kwargs):
        token = api_token_revoke(token=self.get_token(), user=request.user)
        messages.success(request, f"Token ‘{token.name}’ revoked")
        return redirect("api-tokens:list")
