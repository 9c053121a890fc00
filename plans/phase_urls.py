from django.urls import path

from . import phase_views

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
        "areas/<slug:slug>/phases/<int:phase>/legacy/<int:years>-years/",
        phase_views.PhaseLegacyView.as_view(),
        name="phase-legacy",
    ),
]
