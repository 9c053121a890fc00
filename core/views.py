"""Base views. Every view is either scoped (ScopedViewMixin) or public
(PublicViewMixin / @public_view); tests/core/test_url_scoping.py fails for a
URL whose view is neither. The page bases every app shares (an area's pages,
a school's pages, the dashboard's) are scoped views defined here."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import selectors, services
from .forms import SignInForm
from .health import service_health
from .roles import DASHBOARD_ROLES
from .scoping import visible_to

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopedViewMixin(LoginRequiredMixin):
    """Signed-in users only; the QuerySet is cut to the user's scope.

    Read-only roles (DfE staff) may not send anything but safe methods,
    except to a view that sets ``read_only_roles_may_post`` because its POST
    asks for work rather than changing data (generating a report).
    """

    scoping = "scoped"
    read_only_roles_may_post = False

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.method not in SAFE_METHODS
            and request.user.is_read_only
            and not self.read_only_roles_may_post
        ):
            raise PermissionDenied("Your role can view but not change data.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return visible_to(super().get_queryset(), self.request.user)


class AreaPageMixin(ScopedViewMixin):
    """Pages under /areas/<slug>/: ``self.area`` is the URL's area within the
    user's scope, found before any handler runs (404 outside the scope).

    ``area_roles``, when set, are the only roles the page is for; other
    roles get 404 too (school staff see their own school's figures on their
    school's pages). ``write_allowed`` is asked for every method, so a form
    is not even shown to a user who could not submit it.

    The area model is looked up by name (apps.get_model): core imports no
    app (ADR 0015)."""

    area_roles: frozenset | None = None
    write_refusal = "You cannot change this area's data."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        area_model = apps.get_model("areas", "Area")
        area = visible_to(area_model.objects.all(), user).filter(slug=kwargs["slug"]).first()
        if area is None or (self.area_roles is not None and user.role not in self.area_roles):
            raise Http404("No such area")
        self.area = area
        self.today = timezone.localdate()
        if not self.write_allowed(user, area):
            raise PermissionDenied(self.write_refusal)
        return super().dispatch(request, *args, **kwargs)

    def write_allowed(self, user, area) -> bool:
        """Whether the user may use this page in this area at all; read-only
        pages allow everyone who sees the area."""
        return True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, area=self.area)


class SchoolPageMixin(ScopedViewMixin):
    """Pages under /schools/<urn>/: ``self.school`` is the URL's school within
    the user's scope (404 outside it, and for roles outside ``school_roles``
    when set). Found on first use and kept on the view, so a mixin wrapping
    dispatch (the pupil data access log) can tell whether the page got as far
    as finding it."""

    school_roles: frozenset | None = None

    @cached_property
    def school(self):
        user = self.request.user
        school_model = apps.get_model("areas", "School")
        school = (
            visible_to(school_model.objects.select_related("area"), user)
            .filter(urn=self.kwargs["urn"])
            .first()
        )
        if school is None or (self.school_roles is not None and user.role not in self.school_roles):
            raise Http404("No such school")
        return school


class DashboardPageMixin(ScopedViewMixin):
    """The cross-area dashboard's pages and downloads: DASHBOARD_ROLES only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role not in DASHBOARD_ROLES:
            raise PermissionDenied(
                "The cross-area dashboard is for DfE staff and partnership boards. "
                "Your school's encounter coverage is on your school's pages."
            )
        return super().dispatch(request, *args, **kwargs)


class PublicViewMixin:
    """Pages anyone may see signed out: sign-in, the start page, health."""

    scoping = "public"

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.login_required = False
        return view


def public_view(view_func):
    view_func.scoping = "public"
    view_func.login_required = False
    return view_func


class StartView(PublicViewMixin, TemplateView):
    template_name = "core/start.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().get(request, *args, **kwargs)


class SignInView(PublicViewMixin, LoginView):
    """The password. A user who owes a second factor then goes on to "Enter
    the code from your app" (core.second_factor_views), keeping ``next``."""

    template_name = "core/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if services.second_factor_sign_in_start(request=self.request, user=form.get_user()):
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('second-factor:sign-in')}?{query}")
        return response


class SignOutView(PublicViewMixin, LogoutView):
    """POST only (Django's LogoutView); anyone may sign out, even before
    entering their second factor."""

    allowed_before_second_factor = True


class SignedOutView(PublicViewMixin, TemplateView):
    template_name = "core/signed_out.html"


class ServicePageView(PublicViewMixin, TemplateView):
    """The accessibility statement, privacy notice and cookies page, with the
    settings they quote."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            idle_minutes=settings.SESSION_COOKIE_AGE // 60,
            pupil_retention_days=settings.PUPIL_RETENTION_DAYS,
        )


class AccessibilityStatementView(ServicePageView):
    template_name = "core/accessibility_statement.html"


class PrivacyNoticeView(ServicePageView):
    template_name = "core/privacy_notice.html"


class CookiesView(ServicePageView):
    template_name = "core/cookies.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, cookies=selectors.essential_cookies())


@public_view
@never_cache
@require_GET
def healthz(request):
    health = service_health(connections["default"])
    return JsonResponse(health.as_dict(), status=200 if health.ok else 503)
