"""Programme phases of an area: the list, the phase's end (what became of
each open action), and its legacy three and five years on (ADR 0024)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from core.history import history_for_objects

from . import selectors, services
from .models import ActionLineage
from .phase_forms import ActionPhaseOutcomeForm
from .views_base import PlanPageMixin, PlanPageView


class PhaseListView(PlanPageView):
    template_name = "plans/phases.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            phases=list(selectors.area_phases(user=self.request.user, area=self.area)),
            legacy_years=selectors.LEGACY_YEARS,
        )


class PhaseMixin(PlanPageMixin):
    def get_area_phase(self):
        if not hasattr(self, "_area_phase"):
            self._area_phase = selectors.area_phase_detail(
                user=self.request.user, area=self.area, pk=self.kwargs["phase"]
            )
        return self._area_phase


class PhaseEndView(PhaseMixin, PlanPageView):
    template_name = "plans/phase_end.html"

    def get_context_data(self, **kwargs):
        area_phase = self.get_area_phase()
        if area_phase.end_date is None:
            raise Http404("This phase has not ended")
        rows = selectors.phase_open_actions(area_phase=area_phase)
        return super().get_context_data(
            **kwargs,
            area_phase=area_phase,
            next_phase=selectors.area_phase_next(area_phase),
            rows=rows,
            history=history_for_objects([row.outcome for row in rows if row.outcome]),
        )


class ActionPhaseOutcomeView(PhaseMixin, FormView):
    template_name = "plans/phase_outcome_form.html"
    form_class = ActionPhaseOutcomeForm
    write_permission = "edit"

    def get_row(self):
        if not hasattr(self, "_row"):
            self._row = selectors.phase_open_action_row(
                area_phase=self.get_area_phase(), lineage_id=self.kwargs["pk"]
            )
        return self._row

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": selectors.phase_outcome_organisations(area=self.area),
        }

    def get_initial(self):
        outcome = self.get_row().outcome
        if outcome is None:
            return {}
        return {
            "outcome": outcome.outcome,
            "organisation": outcome.organisation,
            "reason": outcome.reason,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, area_phase=self.get_area_phase(), row=self.get_row()
        )

    def form_valid(self, form):
        area_phase = self.get_area_phase()
        lineage = ActionLineage.objects.get(pk=self.get_row().action.lineage_id)
        try:
            services.action_phase_outcome_record(
                area_phase=area_phase, lineage=lineage, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Recorded what becomes of {self.get_row().action.title}")
        return redirect(
            reverse("plans:phase-end", kwargs={"slug": self.area.slug, "phase": area_phase.pk})
        )


class PhaseLegacyView(PhaseMixin, PlanPageView):
    template_name = "plans/phase_legacy.html"

    def get_context_data(self, **kwargs):
        legacy = selectors.phase_legacy(
            area_phase=self.get_area_phase(), years=self.kwargs["years"], today=self.today
        )
        return super().get_context_data(**kwargs, legacy=legacy, area_phase=legacy.area_phase)
