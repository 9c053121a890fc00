from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("areas/<slug:slug>/board/", views.BoardView.as_view(), name="board"),
]
