"""Plan editing, version comparison and CSV imports. Included by plans/urls.py
into the "plans" namespace."""

from django.urls import path

from . import comparator_views
from . import edit_views as views
from .models import Action, Indicator, Priority, Target

PLAN = "areas/<slug:slug>/plan/"
DRAFT = PLAN + "draft/"


def _content_routes(segment, form_view, model, noun):
    """Add, change and remove routes for one kind of draft content."""
    return [
        path(f"{DRAFT}{segment}/new/", form_view.as_view(), name=f"draft-{noun}-new"),
        path(
            f"{DRAFT}{segment}/<int:pk>/change/",
            form_view.as_view(),
            name=f"draft-{noun}-change",
        ),
        path(
            f"{DRAFT}{segment}/<int:pk>/remove/",
            views.DraftContentRemoveView.as_view(model=model, noun=noun),
            name=f"draft-{noun}-remove",
        ),
    ]


urlpatterns = [
    path(f"{PLAN}versions/", views.VersionListView.as_view(), name="version-list"),
    path(f"{PLAN}compare/", views.VersionCompareView.as_view(), name="version-compare"),
    path(DRAFT, views.DraftView.as_view(), name="draft"),
    path(f"{DRAFT}start/", views.DraftStartView.as_view(), name="draft-start"),
    path(f"{DRAFT}publish/", views.DraftPublishView.as_view(), name="draft-publish"),
    *_content_routes("priorities", views.PriorityFormView, Priority, "priority"),
    *_content_routes("indicators", views.IndicatorFormView, Indicator, "indicator"),
    path(
        f"{DRAFT}indicators/<int:pk>/targets/new/",
        views.TargetFormView.as_view(adding=True),
        name="draft-target-new",
    ),
    path(
        f"{DRAFT}targets/<int:pk>/change/",
        views.TargetFormView.as_view(),
        name="draft-target-change",
    ),
    path(
        f"{DRAFT}targets/<int:pk>/remove/",
        views.DraftContentRemoveView.as_view(model=Target, noun="target"),
        name="draft-target-remove",
    ),
    *_content_routes("actions", views.ActionFormView, Action, "action"),
    path(
        f"{PLAN}import/measurements/",
        views.MeasurementImportView.as_view(),
        name="measurements-import",
    ),
    path(
        f"{PLAN}import/measurements/check/",
        views.MeasurementImportPreviewView.as_view(),
        name="measurements-import-preview",
    ),
    path(
        f"{PLAN}import/measurements/template.csv",
        views.MeasurementImportTemplateView.as_view(),
        name="measurements-import-template",
    ),
    path(f"{PLAN}import/actions/", views.ActionImportView.as_view(), name="actions-import"),
    path(
        f"{PLAN}import/actions/template.csv",
        views.ActionImportTemplateView.as_view(),
        name="actions-import-template",
    ),
    path(
        f"{PLAN}import/actions/check/",
        views.ActionImportPreviewView.as_view(),
        name="actions-import-preview",
    ),
    path(
        "areas/<slug:slug>/comparators/import/",
        comparator_views.ComparatorUploadView.as_view(),
        name="comparators-import",
    ),
    path(
        "areas/<slug:slug>/comparators/import/choose/",
        comparator_views.ComparatorChooseView.as_view(),
        name="comparators-import-choose",
    ),
    path(
        "areas/<slug:slug>/comparators/imports/<int:pk>/",
        comparator_views.ComparatorImportDoneView.as_view(),
        name="comparators-import-done",
    ),
]
