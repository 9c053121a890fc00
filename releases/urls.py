from django.urls import path

from . import views

app_name = "releases"

release = "releases/<slug:slug>/<str:period>/"
version = f"{release}version-<int:version>/"

urlpatterns = [
    path("releases/", views.ReleaseListView.as_view(), name="list"),
    path("areas/<slug:slug>/releases/new/", views.ReleasePrepareView.as_view(), name="prepare"),
    path(release, views.ReleaseView.as_view(), name="release"),
    path(version, views.ReleaseView.as_view(), name="version"),
    path(f"{version}files/<str:name>", views.ReleaseFileView.as_view(), name="file"),
    path(f"{version}correct/", views.ReleaseCorrectView.as_view(), name="correct"),
    path(f"{version}pre-release/", views.PreReleaseGrantView.as_view(), name="pre_release"),
    path(
        f"{version}pre-release/<int:pk>/remove/",
        views.PreReleaseRevokeView.as_view(),
        name="pre_release_remove",
    ),
]
