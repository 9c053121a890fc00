"""Comparator groups (statistical neighbours, ADR 0019): the list that DfE
staff and administrators read, and the CSV import administrators use to load
or replace groups. Groups are shared reference data, like comparator series;
administrators also edit them one by one in the admin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView, TemplateView, View

from core.csv_export import csv_download
from core.imports import CsvFileError
from core.roles import REFERENCE_DATA_ROLES, Role
from core.upload_previews import (
    UploadPreviewGone,
    upload_preview_apply,
    upload_preview_for,
    upload_preview_store,
)
from core.views import ScopedViewMixin

from . import neighbour_imports, selectors
from .edit_forms import CsvUploadForm


class ComparatorGroupPageMixin(ScopedViewMixin):
    """DfE staff and administrators read the groups; only administrators
    (`admin_only`) import them."""

    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            allowed = {Role.ADMINISTRATOR} if self.admin_only else REFERENCE_DATA_ROLES
            if user.role not in allowed:
                raise PermissionDenied(
                    "Importing comparator groups is for administrators."
                    if self.admin_only
                    else "Comparator groups are for DfE staff and administrators."
                )
        return super().dispatch(request, *args, **kwargs)


class ComparatorGroupListView(ComparatorGroupPageMixin, TemplateView):
    template_name = "plans/comparator_groups/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            groups=selectors.comparator_groups(),
            can_edit=self.request.user.role == Role.ADMINISTRATOR,
        )


class GroupImportMixin(ComparatorGroupPageMixin):
    admin_only = True
    kind = neighbour_imports.GROUP_IMPORT.name
    upload_url = reverse_lazy("plans:comparator-groups-import")

    def stored_file(self):
        return upload_preview_for(kind=self.kind, user=self.request.user)


class ComparatorGroupImportView(GroupImportMixin, FormView):
    template_name = "plans/comparator_groups/import_upload.html"
    form_class = CsvUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            rows_noun="comparator groups",
            import_columns=neighbour_imports.GROUP_IMPORT.columns,
            template_url=reverse("plans:comparator-groups-import-template"),
        )

    def form_valid(self, form):
        upload_preview_store(
            kind=self.kind,
            user=self.request.user,
            file_name=form.cleaned_data["file"].name,
            content={"text": form.text},
        )
        return HttpResponseRedirect(reverse("plans:comparator-groups-import-preview"))


class ComparatorGroupImportTemplateView(GroupImportMixin, View):
    def get(self, request, *args, **kwargs):
        spec = neighbour_imports.GROUP_IMPORT
        return csv_download(spec.template_file_name, *spec.template_rows())


class ComparatorGroupImportPreviewView(GroupImportMixin, TemplateView):
    template_name = "plans/comparator_groups/import_preview.html"

    def get(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None:
            return HttpResponseRedirect(self.upload_url)
        return self.render_preview(stored)

    def render_preview(self, stored, *, errors=None):
        try:
            preview = neighbour_imports.comparator_groups_csv_preview(text=stored.content["text"])
            file_error = None
        except CsvFileError as error:
            preview, file_error = None, str(error)
        if preview is not None and errors is not None:
            preview.errors = errors
        return self.render_to_response(
            self.get_context_data(
                preview=preview,
                errors=preview.errors if preview is not None else None,
                can_confirm=preview is not None and preview.is_valid,
                file_error=file_error,
                file_name=stored.file_name,
                digest=stored.digest,
                upload_url=self.upload_url,
            )
        )

    def post(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None or request.POST.get("digest") != stored.digest:
            messages.info(
                request, "The file you checked is no longer waiting to be imported. Upload it again"
            )
            return HttpResponseRedirect(self.upload_url)
        try:
            preview = upload_preview_apply(
                preview=stored,
                apply=lambda held: neighbour_imports.comparator_groups_csv_import(
                    text=held.content["text"], user=request.user
                ),
            )
        except UploadPreviewGone:
            messages.info(request, "The file you checked has already been imported")
            return HttpResponseRedirect(reverse("plans:comparator-groups"))
        except neighbour_imports.GroupImportError as error:
            return self.render_preview(stored, errors=error.errors)
        except CsvFileError:
            return self.render_preview(stored)
        messages.success(request, f"Comparator groups imported: {len(preview.groups)} in the file")
        return HttpResponseRedirect(reverse("plans:comparator-groups"))
