from django.urls import path

from . import views

app_name = "partners"

BOARD = "areas/<slug:slug>/board/"

urlpatterns = [
    path(BOARD, views.BoardView.as_view(), name="board"),
    path(f"{BOARD}members/new/", views.MembershipFormView.as_view(), name="member-new"),
    path(f"{BOARD}members/<int:pk>/", views.MembershipFormView.as_view(), name="member-edit"),
    path(f"{BOARD}invitations/new/", views.InvitationView.as_view(), name="invite"),
    path(f"{BOARD}meetings/new/", views.MeetingFormView.as_view(), name="meeting-new"),
    path(f"{BOARD}meetings/<int:pk>/", views.MeetingFormView.as_view(), name="meeting-edit"),
    path(
        f"{BOARD}meetings/<int:pk>/decisions/new/",
        views.DecisionFormView.as_view(adding=True),
        name="decision-new",
    ),
    path(f"{BOARD}decisions/<int:pk>/", views.DecisionFormView.as_view(), name="decision-edit"),
    path(
        f"{BOARD}meetings/<int:pk>/declarations/new/",
        views.DeclarationFormView.as_view(adding=True),
        name="declaration-new",
    ),
    path(
        f"{BOARD}declarations/<int:pk>/",
        views.DeclarationFormView.as_view(),
        name="declaration-edit",
    ),
    path(
        "invitations/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
]
