from django.urls import path

from . import views

app_name = "reports"

run = "areas/<slug:slug>/reports/<int:pk>/"

urlpatterns = [
    path("areas/<slug:slug>/reports/", views.ReportListView.as_view(), name="list"),
    path(
        "areas/<slug:slug>/reports/generate/",
        views.ReportGenerateView.as_view(),
        name="generate",
    ),
    path(run, views.ReportRunView.as_view(), name="run"),
    path(f"{run}status.json", views.ReportRunStatusView.as_view(), name="status"),
    path(f"{run}report.pdf", views.ReportFileView.as_view(kind="pdf"), name="pdf"),
    path(f"{run}report.html", views.ReportFileView.as_view(kind="html"), name="html"),
    path(f"{run}report.zip", views.ReportDataView.as_view(part="zip"), name="zip"),
    path(f"{run}data/<slug:data_set>.csv", views.ReportDataView.as_view(part="data"), name="data"),
    path(
        f"{run}data/<slug:data_set>.meta.csv",
        views.ReportDataView.as_view(part="meta"),
        name="meta",
    ),
    path(f"{run}report.json", views.ReportFileView.as_view(kind="json"), name="json"),
]
