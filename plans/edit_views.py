"""Pages for changing a plan: versions, the draft and its content, publishing,
comparing versions, and CSV imports.

Every form acts on the area's draft only: rows are looked up within the
draft, so an address naming a row of a published or superseded version is a
404 and nothing changes. Writes go through plans.services (history is
recorded there); the models refuse any change to a published version as a
last line of defence.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from core.csv_export import csv_download
from core.forms import form_errors_from as _form_errors_from
from core.upload_previews import (
    UploadPreviewGone,
    upload_preview_apply,
    upload_preview_for,
    upload_preview_store,
)

from . import imports, selectors, services
from .edit_forms import (
    DEFAULT_TOLERANCE_PERCENT,
    ActionForm,
    CsvUploadForm,
    IndicatorForm,
    PriorityForm,
    TargetForm,
    VersionCompareForm,
)
from .models import Action, Indicator, PlanStatus, Priority, Target
from .selectors import plan_published
from .versions import plan_versions_compare
from .views_base import PlanPageMixin, PlanPageView


class VersionListView(PlanPageView):
    template_name = "plans/edit/version_list.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.plan_versions(user=self.request.user, area=self.area))
        version_of = {plan.pk: plan.version for plan in versions}
        for plan in versions:
            plan.based_on_version = version_of.get(plan.based_on_id)
        return super().get_context_data(
            **kwargs,
            versions=versions,
            draft=next((v for v in versions if v.status == PlanStatus.DRAFT), None),
        )


class VersionCompareView(PlanPageView):
    """?from=<version>&to=<version>; without them, the draft (or the
    published version) against the version it was based on."""

    template_name = "plans/edit/version_compare.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.plan_versions(user=self.request.user, area=self.area))
        by_number = {plan.version: plan for plan in versions}
        form = VersionCompareForm(self._query(versions), versions=versions)
        comparison = None
        if form.is_valid():
            comparison = plan_versions_compare(
                before=by_number[form.cleaned_data["from"]],
                after=by_number[form.cleaned_data["to"]],
            )
        return super().get_context_data(
            **kwargs, form=form, comparison=comparison, versions=versions
        )

    def _query(self, versions):
        if "from" in self.request.GET or "to" in self.request.GET:
            return self.request.GET
        newest = versions[0] if versions else None
        if newest is None or len(versions) < 2:
            return None
        based_on = next((v for v in versions if v.pk == newest.based_on_id), versions[1])
        return {"from": based_on.version, "to": newest.version}


# --- The draft -----------------------------------------------------------------


class DraftMixin(PlanPageMixin):
    """Pages of the draft: the area lead (and administrators) only."""

    write_permission = "edit"

    def get_draft(self):
        if not hasattr(self, "_draft"):
            self._draft = selectors.plan_draft(user=self.request.user, area=self.area)
        return self._draft

    def require_draft(self):
        draft = self.get_draft()
        if draft is None:
            raise Http404("There is no draft of this plan")
        return draft

    def draft_url(self, anchor=""):
        url = reverse("plans:draft", kwargs={"slug": self.area.slug})
        return f"{url}#{anchor}" if anchor else url


class DraftView(DraftMixin, TemplateView):
    template_name = "plans/edit/draft.html"

    def get_context_data(self, **kwargs):
        draft = self.get_draft()
        return super().get_context_data(
            **kwargs,
            draft=draft,
            published=plan_published(user=self.request.user, area=self.area),
            priorities=selectors.draft_contents(plan=draft) if draft else [],
        )


class DraftStartView(DraftMixin, View):
    """POST: start a draft copied from the published version (or open the
    one already started)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        existing = self.get_draft()
        draft = services.plan_draft_start(area=self.area, user=request.user)
        if existing is None:
            messages.success(request, f"Draft version {draft.version} started")
        return redirect(self.draft_url())


class DraftContentFormView(DraftMixin, FormView):
    """Add (no pk) or change (pk of a row in the draft) one row of the draft."""

    template_name = "plans/edit/content_form.html"
    model = None
    noun = ""

    def content_queryset(self, draft):
        return self.model.objects.filter(plan=draft)

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.content_queryset(self.require_draft()), pk=self.kwargs["pk"])

    def new_object(self, draft):
        return self.model(plan=draft)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.require_draft(), "instance": self.object}

    def get_context_data(self, **kwargs):
        adding = self.object is None
        article = "an" if self.noun[0] in "aeiou" else "a"
        return super().get_context_data(
            **kwargs,
            draft=self.require_draft(),
            object=self.object,
            heading=f"Add {article} {self.noun}" if adding else f"Change {self.noun}",
            button=f"Add {self.noun}" if adding else "Save changes",
            back_url=self.draft_url(),
        )

    def form_valid(self, form):
        obj = self.object or self.new_object(self.require_draft())
        try:
            services.plan_content_save(obj=obj, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.noun.capitalize()} {'added' if self.object is None else 'changed'}: {obj}",
        )
        return redirect(self.draft_url(self.anchor(obj)))

    def anchor(self, obj):
        return f"{self.model._meta.model_name}-{obj.pk}"


class PriorityFormView(DraftContentFormView):
    model = Priority
    form_class = PriorityForm
    noun = "priority"

    def get_initial(self):
        if self.object is None:
            return {"number": self.require_draft().priorities.count() + 1}
        return super().get_initial()


class IndicatorFormView(DraftContentFormView):
    model = Indicator
    form_class = IndicatorForm
    noun = "indicator"

    def get_initial(self):
        if self.object is None:
            return {
                "priority": self.request.GET.get("priority"),
                "tolerance": DEFAULT_TOLERANCE_PERCENT,
            }
        return super().get_initial()


class TargetFormView(DraftContentFormView):
    """Add: pk is the indicator's (in the draft). Change: pk is the target's."""

    model = Target
    form_class = TargetForm
    noun = "target"
    adding = False

    def content_queryset(self, draft):
        return Target.objects.filter(indicator__plan=draft).select_related("indicator")

    def get_object(self):
        draft = self.require_draft()
        if self.adding:
            self.indicator = get_object_or_404(
                Indicator.objects.filter(plan=draft), pk=self.kwargs["pk"]
            )
            return None
        target = get_object_or_404(self.content_queryset(draft), pk=self.kwargs["pk"])
        self.indicator = target.indicator
        return target

    def new_object(self, draft):
        return Target(indicator=self.indicator)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.indicator}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, caption=self.indicator.name)


class ActionFormView(DraftContentFormView):
    model = Action
    form_class = ActionForm
    noun = "action"

    def get_initial(self):
        if self.object is None:
            return {"priority": self.request.GET.get("priority"), "budget": 0}
        return super().get_initial()


class DraftContentRemoveView(DraftMixin, TemplateView):
    """GET: are you sure? POST: remove the row (and what belongs to it) from
    the draft, each removal recorded in the history."""

    template_name = "plans/edit/content_remove.html"
    model = None
    noun = ""

    def get_object(self):
        draft = self.require_draft()
        if self.model is Target:
            queryset = Target.objects.filter(indicator__plan=draft).select_related("indicator")
        else:
            queryset = self.model.objects.filter(plan=draft)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        contents = selectors.plan_content_dependents(obj=obj)
        return super().get_context_data(
            **kwargs,
            object=obj,
            noun=self.noun,
            indicators=[c for c in contents if isinstance(c, Indicator)],
            actions=[c for c in contents if isinstance(c, Action)],
            targets=[c for c in contents if isinstance(c, Target)],
            back_url=self.draft_url(),
        )

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        services.plan_content_remove(obj=obj, user=request.user)
        messages.success(request, f"{self.noun.capitalize()} removed: {obj}")
        return redirect(self.draft_url())


class DraftPublishView(DraftMixin, TemplateView):
    template_name = "plans/edit/publish.html"

    def get_context_data(self, **kwargs):
        draft = self.require_draft()
        return super().get_context_data(
            **kwargs,
            draft=draft,
            published=plan_published(user=self.request.user, area=self.area),
            counts={
                "priorities": draft.priorities.count(),
                "indicators": draft.indicators.count(),
                "actions": draft.actions.count(),
            },
        )

    def post(self, request, *args, **kwargs):
        draft = self.require_draft()
        try:
            plan = services.plan_publish(plan=draft, user=request.user)
        except ValidationError as error:
            context = self.get_context_data(**kwargs, errors=error.messages)
            return self.render_to_response(context)
        messages.success(request, f"Version {plan.version} published")
        return redirect("plans:version-list", slug=self.area.slug)


# --- CSV imports -------------------------------------------------------------------


class CsvImportMixin(PlanPageMixin):
    """Upload, preview and confirm for one kind of CSV import.

    Between preview and confirm the file's text waits in the one preview
    store (core.upload_previews), for this user, area and kind; confirming
    claims it once and checks it again from the start, and the confirm form
    carries the digest of the text previewed so that a file replaced in
    another tab is never imported unseen."""

    spec = None  # the import's core.imports.ImportSpec
    rows_noun = ""  # what the file's rows are, as its pages name them: "actions"
    upload_url_name = ""
    preview_url_name = ""

    def stored_file(self):
        return upload_preview_for(kind=self.spec.name, user=self.request.user, area=self.area)

    def store_file(self, name, text):
        upload_preview_store(
            kind=self.spec.name,
            user=self.request.user,
            area=self.area,
            file_name=name,
            content={"text": text},
        )

    def url(self, name):
        return reverse(f"plans:{name}", kwargs={"slug": self.area.slug})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, rows_noun=self.rows_noun)

    def preview(self, text):
        raise NotImplementedError

    def run_import(self, text):
        raise NotImplementedError


class CsvUploadView(CsvImportMixin, FormView):
    form_class = CsvUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            import_columns=self.spec.columns,
            template_url=self.url(self.template_url_name),
        )

    def form_valid(self, form):
        self.store_file(form.cleaned_data["file"].name, form.text)
        return HttpResponseRedirect(self.url(self.preview_url_name))


class CsvTemplateView(CsvImportMixin, View):
    """The import's template file: its header and an example row."""

    def get(self, request, *args, **kwargs):
        return csv_download(self.spec.template_file_name, *self.spec.template_rows())


class CsvPreviewView(CsvImportMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None:
            return HttpResponseRedirect(self.url(self.upload_url_name))
        return self.render_preview(stored)

    def render_preview(self, stored, *, errors=None):
        try:
            preview = self.preview(stored.content["text"])
            file_error = None
        except imports.CsvFileError as error:
            preview, file_error = None, str(error)
        if preview is not None and errors is not None:
            preview.errors = errors
        context = self.get_context_data(
            preview=preview,
            errors=preview.errors if preview is not None else None,
            can_confirm=preview is not None and preview.is_valid,
            file_error=file_error,
            file_name=stored.file_name,
            digest=stored.digest,
            upload_url=self.url(self.upload_url_name),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        stored = self.stored_file()
        if stored is None or request.POST.get("digest") != stored.digest:
            messages.info(
                request, "The file you checked is no longer waiting to be imported. Upload it again"
            )
            return HttpResponseRedirect(self.url(self.upload_url_name))
        try:
            result = upload_preview_apply(
                preview=stored, apply=lambda preview: self.run_import(preview.content["text"])
            )
        except UploadPreviewGone:
            messages.info(request, "The file you checked has already been imported")
            return HttpResponseRedirect(self.done_url())
        except imports.CsvImportError as error:
            return self.render_preview(stored, errors=error.errors)
        except imports.CsvFileError:
            return self.render_preview(stored)
        messages.success(
            request,
            f"{self.done_message}: {result.created} new, {result.changed} changed, "
            f"{result.unchanged} unchanged",
        )
        return HttpResponseRedirect(self.done_url())


class MeasurementImportMixin(CsvImportMixin):
    write_permission = "log"
    spec = imports.MEASUREMENT_IMPORT
    rows_noun = "measurements"
    upload_url_name = "measurements-import"
    preview_url_name = "measurements-import-preview"
    template_url_name = "measurements-import-template"
    done_message = "Measurements imported"

    def preview(self, text):
        return imports.measurements_csv_preview(area=self.area, text=text)

    def run_import(self, text):
        return imports.measurements_csv_import(area=self.area, user=self.request.user, text=text)

    def done_url(self):
        return self.url("plan")


class MeasurementImportView(MeasurementImportMixin, CsvUploadView):
    template_name = "plans/edit/measurements_import.html"

    def get_context_data(self, **kwargs):
        plan = plan_published(user=self.request.user, area=self.area)
        return super().get_context_data(
            **kwargs,
            plan=plan,
            indicators=plan.indicators.select_related("priority") if plan else [],
        )


class MeasurementImportPreviewView(MeasurementImportMixin, CsvPreviewView):
    template_name = "plans/edit/measurements_import_preview.html"


class MeasurementImportTemplateView(MeasurementImportMixin, CsvTemplateView):
    pass


class ActionImportMixin(CsvImportMixin):
    write_permission = "edit"
    spec = imports.ACTION_IMPORT
    rows_noun = "actions"
    upload_url_name = "actions-import"
    preview_url_name = "actions-import-preview"
    template_url_name = "actions-import-template"
    done_message = "Actions imported into the draft"

    def get_draft(self):
        return selectors.plan_draft(user=self.request.user, area=self.area)

    def preview(self, text):
        return imports.actions_csv_preview(plan=self.get_draft(), text=text)

    def run_import(self, text):
        return imports.actions_csv_import(plan=self.get_draft(), user=self.request.user, text=text)

    def done_url(self):
        return self.url("draft")


class ActionImportView(ActionImportMixin, CsvUploadView):
    template_name = "plans/edit/actions_import.html"

    def get_context_data(self, **kwargs):
        draft = self.get_draft()
        return super().get_context_data(
            **kwargs, draft=draft, priorities=draft.priorities.all() if draft else []
        )

    def post(self, request, *args, **kwargs):
        if self.get_draft() is None:
            return redirect("plans:draft", slug=self.area.slug)
        return super().post(request, *args, **kwargs)


class ActionImportPreviewView(ActionImportMixin, CsvPreviewView):
    template_name = "plans/edit/actions_import_preview.html"


class ActionImportTemplateView(ActionImportMixin, CsvTemplateView):
    pass
