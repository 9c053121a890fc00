"""Pages for evidence strands, an action's evidence and the what-works
library (ADR 0023). The library's pages are for EVIDENCE_LIBRARY_ROLES;
strands are maintained by administrators; an action's evidence is edited
by its area's lead."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from core.csv_export import csv_download
from core.history import history_for
from core.imports import CsvFileError
from core.roles import EVIDENCE_LIBRARY_ROLES, Role
from core.upload_previews import content_digest
from core.views import ScopedViewMixin
from plans import selectors as plan_selectors
from plans.edit_forms import CsvUploadForm
from plans.models import ActionLineage
from plans.views_base import PlanPageMixin

from . import selectors, services
from .forms import ActionEvidenceForm, LibraryFilterForm, StrandRatingForm
from .imports import STRAND_IMPORT, strands_csv_preview


class LibraryPageMixin(ScopedViewMixin):
    """The library's pages: EVIDENCE_LIBRARY_ROLES only. `admin_only` pages
    (maintaining the strands) are for administrators."""

    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if user.role not in EVIDENCE_LIBRARY_ROLES:
                raise PermissionDenied(
                    "The what-works library is for partnership boards, area leads and DfE. "
                    "Your school's figures are on your school's pages."
                )
            if self.admin_only and user.role != Role.ADMINISTRATOR:
                raise PermissionDenied("Only administrators can change the evidence strands.")
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, can_maintain=self.request.user.role == Role.ADMINISTRATOR
        )


class LibraryView(LibraryPageMixin, TemplateView):
    template_name = "evidence/library.html"

    def get_context_data(self, **kwargs):
        form = LibraryFilterForm(self.request.GET or None)
        filters = form.filters()
        rows = selectors.library(today=self.today, **filters)
        return super().get_context_data(
            **kwargs,
            form=form,
            filtered=bool(filters),
            # Filtered, only the strands with matching actions are worth a heading.
            strands=[row for row in rows if row.actions or not filters],
        )


class LibraryActionView(LibraryPageMixin, TemplateView):
    """An action as every area may read it, so a lead can find a peer."""

    template_name = "evidence/library_action.html"

    def get_context_data(self, **kwargs):
        item = selectors.library_action(lineage_id=kwargs["pk"], today=self.today)
        user = self.request.user
        own = user.role == Role.ADMINISTRATOR or user.area_id == item.area.pk
        return super().get_context_data(**kwargs, item=item, action=item.action, own_area=own)


class StrandListView(LibraryPageMixin, TemplateView):
    template_name = "evidence/strand_list.html"

    def get_context_data(self, **kwargs):
        rows = [(strand, selectors.current_rating(strand)) for strand in selectors.strands()]
        return super().get_context_data(**kwargs, rows=rows)


class StrandDetailView(LibraryPageMixin, FormView):
    """A strand's ratings, newest first; administrators record a new one."""

    template_name = "evidence/strand_detail.html"
    form_class = StrandRatingForm

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            self.admin_only = True
        return super().dispatch(request, *args, **kwargs)

    def get_strand(self):
        if not hasattr(self, "_strand"):
            self._strand = selectors.strand_detail(pk=self.kwargs["pk"])
        return self._strand

    def get_context_data(self, **kwargs):
        strand = self.get_strand()
        return super().get_context_data(
            **kwargs,
            strand=strand,
            ratings=list(strand.ratings.all()),
            history=history_for(strand),
        )

    def form_valid(self, form):
        strand = self.get_strand()
        try:
            services.strand_rating_record(
                strand=strand, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, f"Rating recorded for {strand.name}")
        return redirect("evidence:strand", pk=strand.pk)


class StrandImportMixin(LibraryPageMixin):
    """The checked file waits in the administrator's session, not in
    core.upload_previews: a preview there belongs to an area or a school,
    and strands belong to neither (ADR 0023). Importing a file twice is
    harmless: its rows are then unchanged."""

    admin_only = True
    rows_noun = "strands"
    session_key = "evidence-strands-import"

    def stored_file(self):
        return self.request.session.get(self.session_key)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, rows_noun=self.rows_noun)


class StrandImportView(StrandImportMixin, FormView):
    template_name = "evidence/import_upload.html"
    form_class = CsvUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            import_columns=STRAND_IMPORT.columns,
            template_url=reverse("evidence:strands-import-template"),
        )

    def form_valid(self, form):
        self.request.session[self.session_key] = {
            "file_name": form.cleaned_data["file"].name[:200],
            "text": form.text,
            "digest": content_digest({"text": form.text}),
        }
        return HttpResponseRedirect(reverse("evidence:strands-import-preview"))


class StrandImportTemplateView(StrandImportMixin, View):
    def get(self, request, *args, **kwargs):
        return csv_download(STRAND_IMPORT.template_file_name, *STRAND_IMPORT.template_rows())


class StrandImportPreviewView(StrandImportMixin, TemplateView):
    template_name = "evidence/import_preview.html"

    def get(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None:
            return HttpResponseRedirect(reverse("evidence:strands-import"))
        return self.render_preview(stored)

    def render_preview(self, stored):
        try:
            preview, file_error = strands_csv_preview(stored["text"]), None
        except CsvFileError as error:
            preview, file_error = None, str(error)
        return self.render_to_response(
            self.get_context_data(
                preview=preview,
                errors=preview.errors if preview is not None else None,
                can_confirm=preview is not None and preview.is_valid,
                file_error=file_error,
                file_name=stored["file_name"],
                digest=stored["digest"],
                upload_url=reverse("evidence:strands-import"),
            )
        )

    def post(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None or request.POST.get("digest") != stored["digest"]:
            messages.info(
                request, "The file you checked is no longer waiting to be imported. Upload it again"
            )
            return HttpResponseRedirect(reverse("evidence:strands-import"))
        try:
            result = services.strands_import_file(text=stored["text"], user=request.user)
        except (ValidationError, CsvFileError):
            return self.render_preview(stored)
        request.session.pop(self.session_key, None)
        messages.success(
            request,
            f"Strands imported: {result.created} new, {result.changed} with a new rating, "
            f"{result.unchanged} unchanged",
        )
        return HttpResponseRedirect(reverse("evidence:strands"))


class ActionEvidenceEditView(PlanPageMixin, FormView):
    """The area lead tags an action with strands and its stage."""

    template_name = "evidence/action_evidence_form.html"
    form_class = ActionEvidenceForm
    write_permission = "edit"

    def get_item(self):
        if not hasattr(self, "_item"):
            self._item, _ = plan_selectors.action_detail(
                user=self.request.user,
                area=self.area,
                lineage_id=self.kwargs["pk"],
                today=self.today,
            )
        return self._item

    def get_initial(self):
        evidence, tags = selectors.action_evidence(lineage_id=self.get_item().action.lineage_id)
        if evidence is None:
            return {}
        return {"strands": [t.strand for t in tags], "stage": evidence.stage}

    def get_context_data(self, **kwargs):
        item = self.get_item()
        return super().get_context_data(**kwargs, item=item, action=item.action)

    def form_valid(self, form):
        action = self.get_item().action
        lineage = ActionLineage.objects.select_related("area").get(pk=action.lineage_id)
        try:
            services.action_evidence_set(
                lineage=lineage,
                user=self.request.user,
                strands=form.cleaned_data["strands"],
                stage=form.cleaned_data["stage"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "Evidence saved")
        return redirect("plans:action", slug=self.area.slug, pk=action.lineage_id)
