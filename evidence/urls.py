from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("what-works/", views.LibraryView.as_view(), name="library"),
    path("what-works/actions/<int:pk>/", views.LibraryActionView.as_view(), name="library-action"),
    path("what-works/strands/", views.StrandListView.as_view(), name="strands"),
    path("what-works/strands/<int:pk>/", views.StrandDetailView.as_view(), name="strand"),
    path("what-works/strands/import/", views.StrandImportView.as_view(), name="strands-import"),
    path(
        "what-works/strands/import/check/",
        views.StrandImportPreviewView.as_view(),
        name="strands-import-preview",
    ),
    path(
        "what-works/strands/import/template.csv",
        views.StrandImportTemplateView.as_view(),
        name="strands-import-template",
    ),
    path(
        "areas/<slug:slug>/actions/<int:pk>/evidence/",
        views.ActionEvidenceEditView.as_view(),
        name="action-evidence-edit",
    ),
]
