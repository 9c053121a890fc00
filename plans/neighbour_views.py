"""Comparator groups (statistical neighbours, ADR 0019): the list that DfE
staff and administrators read, and the CSV import administrators use to load
or replace groups. Groups are shared reference data, like comparator series;
administrators also edit them one by one in the admin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from core.csv_export import csv_download
from core.imports import CsvFileError
from core.roles import REFERENCE_DATA_ROLES, Role
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
    """Upload, preview, confirm. Groups belong to no area, so the file's text
    is not kept in the upload preview store (which is per area or school):
    the preview page sends it back with the confirmation, and the import
    checks it again from the start, all or nothing."""

    admin_only = True

    def render_preview(self, *, text, file_name, errors=None):
        try:
            preview = neighbour_imports.comparator_groups_csv_preview(text=text)
            file_error = None
        except CsvFileError as error:
            preview, file_error = None, str(error)
        if preview is not None and errors is not None:
            preview.errors = errors
        return TemplateResponse(
            self.request,
            "plans/comparator_groups/import_preview.html",
            {
                "preview": preview,
                "errors": preview.errors if preview is not None else None,
                "can_confirm": preview is not None and preview.is_valid,
                "file_error": file_error,
                "file_name": file_name,
                "text": text,
                "upload_url": reverse("plans:comparator-groups-import"),
            },
        )


class ComparatorGroupImportView(GroupImportMixin, FormView):
    template_name = "plans/comparator_groups/import_upload.html"
    form_class = CsvUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            import_columns=neighbour_imports.GROUP_IMPORT.columns,
            template_url=reverse("plans:comparator-groups-import-template"),
        )

    def form_valid(self, form):
        return self.render_preview(text=form.text, file_name=form.cleaned_data["file"].name)


class ComparatorGroupImportTemplateView(GroupImportMixin, View):
    def get(self, request, *args, **kwargs):
        spec = neighbour_imports.GROUP_IMPORT
        return csv_download(spec.template_file_name, *spec.template_rows())


class ComparatorGroupImportConfirmView(GroupImportMixin, View):
    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("plans:comparator-groups-import"))

    def post(self, request, *args, **kwargs):
        text = request.POST.get("text", "")
        file_name = request.POST.get("file_name", "")[:200]
        try:
            preview = neighbour_imports.comparator_groups_csv_import(text=text, user=request.user)
        except neighbour_imports.GroupImportError as error:
            return self.render_preview(text=text, file_name=file_name, errors=error.errors)
        except CsvFileError:
            return self.render_preview(text=text, file_name=file_name)
        messages.success(
            request, f"Comparator groups imported: {len(preview.groups)} groups in the file"
        )
        return HttpResponseRedirect(reverse("plans:comparator-groups"))
