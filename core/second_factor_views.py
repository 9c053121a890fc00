"""The second factor's pages (ADR 0012): entering a code after the password,
setting up an authenticator app, and recovery codes.

Recovery codes are shown once, in the response to the form that made them
(never stored in clear, put in the session or a message, and sent with
no-store), as API tokens are. Every page reads only the signed-in user's
own devices.
"""

from base64 import b32encode
from functools import cached_property

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from . import services
from .forms import RecoveryCodeForm, SecondFactorCodeForm
from .views import ScopedViewMixin

# Few enough left that the user should be told to get new ones.
RECOVERY_CODES_RUNNING_LOW = 3


class SecondFactorViewMixin(ScopedViewMixin):
    """A user's own second factor: no service data, so read-only roles may
    POST here, as on the API token pages."""

    read_only_roles_may_post = True

    def next_url(self):
        candidate = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return reverse("home")

    def url_with_next(self, name):
        return f"{reverse(name)}?{urlencode({'next': self.next_url()})}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.next_url())


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SignInCodeView(SecondFactorViewMixin, FormView):
    """After the password: "Enter the code from your app"."""

    allowed_before_second_factor = True
    template_name = "core/second_factor/sign_in_code.html"
    form_class = SecondFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not services.second_factor_outstanding(request):
                return redirect(self.next_url())
            if not services.has_second_factor(request.user):
                return redirect(self.url_with_next("second-factor:set-up"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "accept": lambda code: services.second_factor_sign_in_with_app(
                request=self.request, code=code
            ),
        }

    def form_valid(self, form):
        return redirect(self.next_url())


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SignInRecoveryCodeView(SignInCodeView):
    template_name = "core/second_factor/sign_in_recovery_code.html"
    form_class = RecoveryCodeForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "accept": lambda code: services.second_factor_sign_in_with_recovery_code(
                request=self.request, code=code
            ),
        }

    def form_valid(self, form):
        left = form.result
        if left <= RECOVERY_CODES_RUNNING_LOW:
            messages.warning(
                self.request,
                f"You have {left} recovery code{'' if left == 1 else 's'} left. "
                "Get new recovery codes from ‘Your second factor’.",
            )
        return redirect(self.next_url())


class SecondFactorView(SecondFactorViewMixin, TemplateView):
    """What the user has set up, and how to change it."""

    template_name = "core/second_factor/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        codes = services.recovery_codes_for(user)
        return super().get_context_data(
            **kwargs,
            authenticator=services.authenticator_for(user),
            recovery_codes_left=codes.token_set.count() if codes else 0,
        )


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SetUpView(SecondFactorViewMixin, FormView):
    """Scan a QR code (or type the key), then enter a code from the app.
    A session that owes a code may come here only while the user has no
    app yet: with one, it must enter a code from it first."""

    allowed_before_second_factor = True
    template_name = "core/second_factor/set_up.html"
    form_class = SecondFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and services.second_factor_outstanding(request)
            and services.has_second_factor(request.user)
        ):
            return redirect(self.url_with_next("second-factor:sign-in"))
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def device(self):
        return services.authenticator_set_up_start(user=self.request.user)

    def get_form_kwargs(self):
        device = self.device
        return {
            **super().get_form_kwargs(),
            "accept": lambda code: services.authenticator_confirm(
                request=self.request, device=device, code=code
            ),
        }

    def get_context_data(self, **kwargs):
        device = self.device
        key = b32encode(device.bin_key).decode()
        return super().get_context_data(
            **kwargs,
            key_groups=[key[i : i + 4] for i in range(0, len(key), 4)],
            qr_code=segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
            required=self.request.user.second_factor_required,
        )

    def form_valid(self, form):
        return show_recovery_codes(self.request, form.result, next_url=self.next_url())


class RecoveryCodesView(SecondFactorViewMixin, TemplateView):
    """GET asks to confirm; POST replaces the recovery codes and shows the
    new ones once."""

    template_name = "core/second_factor/recovery_codes_replace.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.has_second_factor(request.user):
            return redirect("second-factor:set-up")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, recovery_code_count=settings.RECOVERY_CODE_COUNT)

    def post(self, request, *args, **kwargs):
        codes = services.recovery_codes_replace(user=request.user)
        return show_recovery_codes(request, codes, next_url=reverse("second-factor:overview"))


def show_recovery_codes(request, codes, *, next_url):
    response = TemplateResponse(
        request,
        "core/second_factor/recovery_codes.html",
        {"codes": codes, "next": next_url},
    )
    add_never_cache_headers(response)
    return response
