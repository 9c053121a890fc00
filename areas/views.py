from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from core.roles import REFERENCE_DATA_ROLES, Role
from core.views import ScopedViewMixin

from . import selectors
from .forms import RulePreviewForm
from .models import Area, School


class HomeView(ScopedViewMixin, TemplateView):
    template_name = "areas/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **selectors.home_summary(user=self.request.user))


class AreaListView(ScopedViewMixin, ListView):
    model = Area
    template_name = "areas/area_list.html"

    def get_queryset(self):
        return selectors.area_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, can_see_rules=self.request.user.role in REFERENCE_DATA_ROLES
        )


class AreaDetailView(ScopedViewMixin, DetailView):
    model = Area
    template_name = "areas/area_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.area_summary(user=self.request.user, area=self.object))
        return context


class SchoolListView(ScopedViewMixin, ListView):
    model = School
    template_name = "areas/school_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.school_list(user=self.request.user)


class SchoolDetailView(ScopedViewMixin, DetailView):
    model = School
    template_name = "areas/school_detail.html"
    slug_field = "urn"
    slug_url_kwarg = "urn"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, profile=self.object.profile())


class MembershipRulesView(ScopedViewMixin, TemplateView):
    """Which schools each area's membership rules include (ADR 0017): DfE
    staff and administrators only; administrators edit the rules in the admin."""

    template_name = "areas/membership_rules.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role not in REFERENCE_DATA_ROLES:
            raise PermissionDenied(
                "The areas' membership rules are for DfE staff and administrators."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        trying = "value" in self.request.GET or "local_authority" in self.request.GET
        form = RulePreviewForm(self.request.GET if trying else None)
        tried = None
        if trying and form.is_valid():
            rule = form.cleaned_data["rule"]
            tried = {
                "rule": rule,
                "schools": selectors.rule_preview(user=self.request.user, rule=rule),
            }
        return super().get_context_data(
            **kwargs,
            **selectors.membership_rules_preview(user=self.request.user, on=timezone.localdate()),
            can_edit=self.request.user.role == Role.ADMINISTRATOR,
            form=form,
            tried=tried,
        )
