from django.views.generic import DetailView, ListView, TemplateView

from core.views import ScopedViewMixin

from . import selectors
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
