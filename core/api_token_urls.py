from django.urls import path

from . import api_token_views as views

app_name = "api-tokens"

urlpatterns = [
    path("api-tokens/", views.ApiTokenListView.as_view(), name="list"),
    path("api-tokens/new/", views.ApiTokenCreateView.as_view(), name="new"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="revoke"),
]
