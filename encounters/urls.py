from django.urls import path

from . import views

app_name = "encounters"

urlpatterns = [
    path(
        "how-we-count-encounters/",
        views.HowWeCountEncountersView.as_view(),
        name="how-we-count",
    ),
    path("schools/<int:urn>/pupils/", views.PupilListView.as_view(), name="pupils"),
    path(
        "schools/<int:urn>/pupils/import/", views.RosterUploadView.as_view(), name="roster-upload"
    ),
    path(
        "schools/<int:urn>/pupils/import/template.csv",
        views.RosterTemplateView.as_view(),
        name="roster-template",
    ),
    path(
        "schools/<int:urn>/pupils/import/<int:pk>/",
        views.RosterPreviewView.as_view(),
        name="roster-preview",
    ),
    path("schools/<int:urn>/pupils/<int:pk>/", views.PupilDetailView.as_view(), name="pupil"),
    path("schools/<int:urn>/encounters/", views.EncounterListView.as_view(), name="list"),
    path(
        "schools/<int:urn>/encounters/encounters.csv",
        views.EncounterListCsvView.as_view(),
        name="list-csv",
    ),
    path("schools/<int:urn>/encounters/new/", views.EncounterCreateView.as_view(), name="new"),
    path(
        "schools/<int:urn>/encounters/upload/",
        views.AttendanceUploadView.as_view(),
        name="upload",
    ),
    path(
        "schools/<int:urn>/encounters/upload/template.csv",
        views.AttendanceTemplateView.as_view(),
        name="upload-template",
    ),
    path(
        "schools/<int:urn>/encounters/upload/<int:pk>/",
        views.AttendanceUploadStatusView.as_view(),
        name="upload-status",
    ),
    path(
        "schools/<int:urn>/encounters/<int:pk>/",
        views.EncounterDetailView.as_view(),
        name="encounter",
    ),
    path(
        "schools/<int:urn>/encounters/<int:pk>/edit/",
        views.EncounterUpdateView.as_view(),
        name="edit",
    ),
    path(
        "schools/<int:urn>/encounters/<int:pk>/delete/",
        views.EncounterDeleteView.as_view(),
        name="delete",
    ),
    path("schools/<int:urn>/coverage/", views.SchoolCoverageView.as_view(), name="coverage"),
    path(
        "schools/<int:urn>/coverage/coverage.csv",
        views.SchoolCoverageDataView.as_view(part="data"),
        name="coverage-csv",
    ),
    path(
        "schools/<int:urn>/coverage/coverage.meta.csv",
        views.SchoolCoverageDataView.as_view(part="meta"),
        name="coverage-meta",
    ),
    path(
        "schools/<int:urn>/coverage/coverage.zip",
        views.SchoolCoverageDataView.as_view(part="zip"),
        name="coverage-zip",
    ),
    path(
        "schools/<int:urn>/coverage/below-pledge.csv",
        views.PupilsBelowPledgeCsvView.as_view(),
        name="below-pledge-csv",
    ),
    path(
        "schools/<int:urn>/gatsby-benchmarks/",
        views.SchoolGatsbyView.as_view(),
        name="school-gatsby",
    ),
    path(
        "areas/<slug:slug>/gatsby-benchmarks/",
        views.AreaGatsbyView.as_view(),
        name="area-gatsby",
    ),
    path("gatsby-benchmarks/", views.ProgrammeGatsbyView.as_view(), name="programme-gatsby"),
    path(
        "areas/<slug:slug>/encounters/",
        views.AreaEncountersView.as_view(),
        name="area",
    ),
    path(
        "areas/<slug:slug>/encounters/coverage.csv",
        views.AreaCoverageDataView.as_view(part="data"),
        name="area-csv",
    ),
    path(
        "areas/<slug:slug>/encounters/coverage.meta.csv",
        views.AreaCoverageDataView.as_view(part="meta"),
        name="area-meta",
    ),
    path(
        "areas/<slug:slug>/encounters/coverage.zip",
        views.AreaCoverageDataView.as_view(part="zip"),
        name="area-zip",
    ),
    path("areas/<slug:slug>/employers/", views.AreaEmployersView.as_view(), name="employers"),
    path(
        "areas/<slug:slug>/employers/employers.csv",
        views.AreaEmployersCsvView.as_view(),
        name="employers-csv",
    ),
    path(
        "areas/<slug:slug>/employers/record/",
        views.EmployerContributionView.as_view(),
        name="employer-record",
    ),
    path(
        "areas/<slug:slug>/employers/<int:pk>/",
        views.EmployerView.as_view(),
        name="employer",
    ),
]
