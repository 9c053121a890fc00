from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("areas/", views.AreaListView.as_view(), name="list"),
    path("membership-rules/", views.MembershipRulesView.as_view(), name="membership-rules"),
    path("areas/<slug:slug>/", views.AreaDetailView.as_view(), name="detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:urn>/", views.SchoolDetailView.as_view(), name="school"),
]
