from django.urls import path, register_converter

from . import phase_views


class LegacyYears:
    regex = "3|5"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(LegacyYears, "legacy_years")

urlpatterns = [
    path("areas/<slug:slug>/phases/", phase_views.PhaseListView.as_view(), name="phases"),
    path(
        "areas/<slug:slug>/phases/<int:phase>/end/",
        phase_views.PhaseEndView.as_view(),
        name="phase-end",
    ),
    path(
        "areas/<slug:slug>/phases/<int:phase>/end/actions/<int:pk>/",
        phase_views.ActionPhaseOutcomeView.as_view(),
        name="phase-outcome",
    ),
    path(
        "areas/<slug:slug>/phases/<int:phase>/legacy/<legacy_years:years>-years/",
        phase_views.PhaseLegacyView.as_view(),
        name="phase-legacy",
    ),
]
