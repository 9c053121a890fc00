from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/export.csv", views.DashboardDataView.as_view(part="data"), name="csv"),
    path("dashboard/export.meta.csv", views.DashboardDataView.as_view(part="meta"), name="meta"),
    path("dashboard/export.zip", views.DashboardDataView.as_view(part="zip"), name="zip"),
]
