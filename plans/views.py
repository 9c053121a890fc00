from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from core.csv_export import csv_download
from core.ees import DataSetDownloadMixin
from core.history import history_for_objects
from core.roles import EVIDENCE_LIBRARY_ROLES
from core.views import PublicViewMixin
from evidence import selectors as evidence_selectors
from partners import selectors as partner_selectors
from releases import selectors as release_selectors

from . import method, reminders, selectors, services
from .forms import ActionUpdateForm, MeasurementForm
from .models import ActionLineage, IndicatorLineage
from .views_base import PlanPageMixin, PlanPageView


class PlanView(PlanPageView):
    template_name = "plans/plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = selectors.plan_published(user=self.request.user, area=self.area)
        phases = list(selectors.area_phases(user=self.request.user, area=self.area))
        phase = next((p for p in phases if str(p.pk) == self.request.GET.get("phase")), None)
        action_lineages = (
            selectors.phase_action_lineages(area_phase=phase) if phase is not None else None
        )
        context.update(
            plan=plan,
            phases=phases,
            phase=phase,
            priorities=selectors.plan_progress(
                plan=plan, today=self.today, action_lineages=action_lineages
            )
            if plan
            else [],
            reminders=reminders.updates_due(area=self.area, today=self.today) if plan else [],
            overdue_decisions=list(
                partner_selectors.decisions_overdue(
                    user=self.request.user, area=self.area, today=self.today
                )
            ),
            latest_releases=[
                release
                for release in [release_selectors.latest_published(area=self.area)]
                if release
            ],
        )
        return context


class IndicatorView(PlanPageView):
    template_name = "plans/indicator.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = selectors.indicator_detail(
            user=self.request.user, area=self.area, lineage_id=kwargs["pk"], today=self.today
        )
        context.update(
            item=item,
            indicator=item.indicator,
            chart=selectors.indicator_chart(item),
            comparison=selectors.indicator_neighbour_comparison(item, area=self.area),
            history=history_for_objects(
                [*item.indicator.lineage.versions.all(), *item.measurements]
            ),
            comparator_status_changes=selectors.comparator_status_changes(
                user=self.request.user, lineage_id=item.indicator.lineage_id
            ),
        )
        return context


class IndicatorDataView(PlanPageMixin, DataSetDownloadMixin, View):
    """The indicator's baseline and measurements as open data, beside its chart."""

    def get_data_sets(self):
        return [
            selectors.indicator_measurements_data_set(
                user=self.request.user,
                area=self.area,
                lineage_id=self.kwargs["pk"],
                today=self.today,
            )
        ]


class IndicatorComparisonCsvView(PlanPageMixin, View):
    """The area against its comparator and comparator group: the three-line
    chart's table as CSV."""

    def get(self, request, *args, **kwargs):
        item = selectors.indicator_detail(
            user=request.user, area=self.area, lineage_id=kwargs["pk"], today=self.today
        )
        comparison = selectors.indicator_neighbour_comparison(item, area=self.area)
        if comparison is None:
            raise Http404("This indicator has no comparator group.")
        return csv_download(
            f"{self.area.slug}-indicator-{kwargs['pk']}-neighbours.csv",
            comparison.CSV_HEADER,
            comparison.csv_rows(),
        )


class MeasurementCreateView(PlanPageMixin, FormView):
    template_name = "plans/measurement_form.html"
    form_class = MeasurementForm
    write_permission = "log"

    def get_item(self):
        if not hasattr(self, "_item"):
            self._item = selectors.indicator_detail(
                user=self.request.user,
                area=self.area,
                lineage_id=self.kwargs["pk"],
                today=self.today,
            )
        return self._item

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "number_unit": self.get_item().indicator.number_unit}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, indicator=self.get_item().indicator)

    def form_valid(self, form):
        indicator = self.get_item().indicator
        lineage = IndicatorLineage.objects.get(pk=indicator.lineage_id)
        try:
            services.measurement_record(
                lineage=lineage, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Measurement recorded for {indicator.name}")
        return redirect(
            reverse("plans:indicator", kwargs={"slug": self.area.slug, "pk": indicator.lineage_id})
        )


class ActionView(PlanPageView):
    template_name = "plans/action.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, updates = selectors.action_detail(
            user=self.request.user, area=self.area, lineage_id=kwargs["pk"], today=self.today
        )
        lineage = item.action.lineage
        context.update(
            item=item,
            action=item.action,
            updates=updates,
            history=history_for_objects([lineage, *lineage.versions.all(), *updates]),
        )
        # The evidence strands it uses and other areas' actions on them (ADR 0023).
        evidence, tags = evidence_selectors.action_evidence(lineage_id=lineage.pk)
        can_use_library = self.request.user.role in EVIDENCE_LIBRARY_ROLES
        context.update(
            evidence=evidence,
            evidence_tags=tags,
            can_use_library=can_use_library,
            others_doing_this=evidence_selectors.others_doing_this(
                lineage=lineage, today=self.today
            )
            if can_use_library
            else [],
        )
        return context


class ActionEvidenceView(PlanPageMixin, View):
    """An action update's evidence file, from whichever storage holds it,
    to someone who can see the action."""

    def get(self, request, *args, **kwargs):
        update = selectors.action_update_evidence(
            user=request.user,
            area=self.area,
            lineage_id=kwargs["pk"],
            update_id=kwargs["update"],
            name=kwargs["name"],
        )
        return FileResponse(
            update.evidence_file.open("rb"),
            as_attachment=True,
            filename=update.evidence_display_name,
        )


class ActionUpdateCreateView(PlanPageMixin, FormView):
    template_name = "plans/action_update_form.html"
    form_class = ActionUpdateForm
    write_permission = "log"

    def get_action(self):
        if not hasattr(self, "_action"):
            self._action, _ = selectors.action_detail(
                user=self.request.user,
                area=self.area,
                lineage_id=self.kwargs["pk"],
                today=self.today,
            )
        return self._action

    def get_initial(self):
        item = self.get_action()
        return {"status": item.status, "spend_to_date": item.spend_to_date, "date": self.today}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, item=self.get_action(), action=self.get_action().action
        )

    def form_valid(self, form):
        action = self.get_action().action
        lineage = ActionLineage.objects.get(pk=action.lineage_id)
        try:
            services.action_update_log(lineage=lineage, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "Update added to the log")
        return redirect(
            reverse("plans:action", kwargs={"slug": self.area.slug, "pk": action.lineage_id})
        )


class FundingView(PlanPageView):
    template_name = "plans/funding.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = selectors.funding_summary(user=self.request.user, area=self.area)
        context.update(summary, chart=selectors.funding_chart(summary))
        return context


class FundingCsvView(PlanPageMixin, View):
    """The funding page's table, as CSV."""

    def get(self, request, *args, **kwargs):
        summary = selectors.funding_summary(user=request.user, area=self.area)
        return csv_download(
            f"{self.area.slug}-funding.csv",
            selectors.FUNDING_CSV_HEADER,
            selectors.funding_csv_rows(summary),
        )


class HowWeJudgeProgressView(PublicViewMixin, TemplateView):
    """Public, like the methodology of official statistics: anyone reading a
    published figure can see how it was judged."""

    template_name = "plans/how_we_judge_progress.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **method.progress_method())
