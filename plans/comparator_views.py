"""Pages of the EES comparator import (ADR 0018): upload a data file (and
its metadata), choose what to import, check the preview, confirm.

The pages live under an area, like every import's preview (core.upload_previews):
an area lead imports their own area's local authorities; DfE staff and
administrators reach the pages from any area and may import any level.
Confirming rereads the stored file and checks the choices again, so nothing
sent back by the browser is trusted."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from core.roles import COMPARATOR_IMPORT_ROLES
from core.upload_previews import (
    UploadPreviewGone,
    upload_preview_apply,
    upload_preview_for,
    upload_preview_store,
)
from core.views import AreaPageMixin

from . import comparator_imports as ci
from . import selectors
from .comparator_forms import EesSelectionForm, EesUploadForm
from .imports import CsvImportError
from .permissions import can_import_comparators

PREVIEW_KIND = "ees-comparators"


class ComparatorImportMixin(AreaPageMixin):
    area_roles = COMPARATOR_IMPORT_ROLES
    # DfE staff are read only elsewhere; here they import DfE's statistics.
    read_only_roles_may_post = True

    def write_allowed(self, user, area) -> bool:
        return can_import_comparators(user, area)

    def url(self, name, **kwargs):
        return reverse(f"plans:{name}", kwargs={"slug": self.area.slug, **kwargs})


class ComparatorUploadView(ComparatorImportMixin, FormView):
    template_name = "plans/comparators/upload.html"
    form_class = EesUploadForm

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form, errors=form.line_errors))

    def form_valid(self, form):
        upload_preview_store(
            kind=PREVIEW_KIND,
            user=self.request.user,
            area=self.area,
            file_name=form.cleaned_data["data_file"].name,
            content={"data": form.data_text, "meta": form.meta_text},
        )
        return HttpResponseRedirect(self.url("comparators-import-choose"))


class ComparatorChooseView(ComparatorImportMixin, TemplateView):
    """GET: the choices. POST: the preview of the choices, or with
    `confirm`, the import."""

    template_name = "plans/comparators/choose.html"

    def _stored(self):
        stored = upload_preview_for(kind=PREVIEW_KIND, user=self.request.user, area=self.area)
        if stored is None:
            return None, None
        return stored, ci.ees_text_read(stored.content["data"], stored.content["meta"])

    def _form(self, ees_file, data=None):
        allowed = ci.allowed_locations(user=self.request.user, area=self.area, ees_file=ees_file)
        return EesSelectionForm(data, ees_file=ees_file, allowed=allowed)

    def _render(self, stored, form, **context):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                file_name=stored.file_name,
                digest=stored.digest,
                upload_url=self.url("comparators-import"),
                nothing_allowed=not form.allowed,
                **context,
            )
        )

    def get(self, request, *args, **kwargs):
        stored, ees_file = self._stored()
        if stored is None:
            return HttpResponseRedirect(self.url("comparators-import"))
        return self._render(stored, self._form(ees_file))

    def post(self, request, *args, **kwargs):
        stored, ees_file = self._stored()
        if stored is None or request.POST.get("digest") != stored.digest:
            messages.info(
                request, "The file you checked is no longer waiting to be imported. Upload it again"
            )
            return HttpResponseRedirect(self.url("comparators-import"))
        form = self._form(ees_file, request.POST)
        if not form.is_valid():
            return self._render(stored, form)
        try:
            preview = ci.comparator_import_preview(ees_file=ees_file, selection=form.selection)
        except CsvImportError as error:
            return self._render(stored, form, errors=error.errors)
        if "confirm" not in request.POST or not preview.series:
            return self._render(stored, form, preview=preview)
        try:
            record = upload_preview_apply(
                preview=stored,
                apply=lambda p: ci.comparator_import_apply(
                    ees_file=ees_file,
                    selection=form.selection,
                    file_name=p.file_name,
                    user=request.user,
                ),
            )
        except UploadPreviewGone:
            messages.info(request, "The file you checked has already been imported")
            return HttpResponseRedirect(self.url("comparators-import"))
        except CsvImportError as error:
            return self._render(stored, form, errors=error.errors)
        messages.success(
            request,
            f"Comparator figures imported: {record.values_created} new, "
            f"{record.values_revised} revised, {record.values_unchanged} unchanged",
        )
        return HttpResponseRedirect(self.url("comparators-import-done", pk=record.pk))


class ComparatorImportDoneView(ComparatorImportMixin, TemplateView):
    """What an import did: its revisions, and the statuses they changed in
    the indicators the user may see."""

    template_name = "plans/comparators/done.html"

    def get_context_data(self, **kwargs):
        record = selectors.comparator_import_detail(pk=self.kwargs["pk"])
        if record is None:
            raise Http404("No such import")
        return super().get_context_data(
            **kwargs,
            record=record,
            revisions=record.revisions.select_related("series"),
            status_changes=selectors.comparator_status_changes(
                user=self.request.user, comparator_import=record
            ),
        )
