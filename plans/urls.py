from django.urls import include, path

from . import neighbour_views, views

app_name = "plans"

urlpatterns = [
    path("how-we-judge-progress/", views.HowWeJudgeProgressView.as_view(), name="how-we-judge"),
    path(
        "comparator-groups/",
        neighbour_views.ComparatorGroupListView.as_view(),
        name="comparator-groups",
    ),
    path(
        "comparator-groups/import/",
        neighbour_views.ComparatorGroupImportView.as_view(),
        name="comparator-groups-import",
    ),
    path(
        "comparator-groups/import/check/",
        neighbour_views.ComparatorGroupImportConfirmView.as_view(),
        name="comparator-groups-import-preview",
    ),
    path(
        "comparator-groups/import/template.csv",
        neighbour_views.ComparatorGroupImportTemplateView.as_view(),
        name="comparator-groups-import-template",
    ),
    path("areas/<slug:slug>/plan/", views.PlanView.as_view(), name="plan"),
    path("areas/<slug:slug>/indicators/<int:pk>/", views.IndicatorView.as_view(), name="indicator"),
    path(
        "areas/<slug:slug>/indicators/<int:pk>/measurements.csv",
        views.IndicatorDataView.as_view(part="data"),
        name="indicator-csv",
    ),
    path(
        "areas/<slug:slug>/indicators/<int:pk>/measurements.meta.csv",
        views.IndicatorDataView.as_view(part="meta"),
        name="indicator-meta",
    ),
    path(
        "areas/<slug:slug>/indicators/<int:pk>/measurements.zip",
        views.IndicatorDataView.as_view(part="zip"),
        name="indicator-zip",
    ),
    path(
        "areas/<slug:slug>/indicators/<int:pk>/neighbours.csv",
        views.IndicatorComparisonCsvView.as_view(),
        name="indicator-neighbours-csv",
    ),
    path(
        "areas/<slug:slug>/indicators/<int:pk>/measurements/new/",
        views.MeasurementCreateView.as_view(),
        name="measurement-new",
    ),
    path("areas/<slug:slug>/actions/<int:pk>/", views.ActionView.as_view(), name="action"),
    path(
        "areas/<slug:slug>/actions/<int:pk>/updates/new/",
        views.ActionUpdateCreateView.as_view(),
        name="action-update-new",
    ),
    path(
        "areas/<slug:slug>/actions/<int:pk>/updates/<int:update>/evidence/<str:name>",
        views.ActionEvidenceView.as_view(),
        name="action-evidence",
    ),
    path("areas/<slug:slug>/funding/", views.FundingView.as_view(), name="funding"),
    path("areas/<slug:slug>/funding.csv", views.FundingCsvView.as_view(), name="funding-csv"),
    path("", include("plans.edit_urls")),
    path("", include("plans.phase_urls")),
]
