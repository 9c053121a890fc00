"""The base of a plan's pages under /areas/<slug>/: core's area page with the
plan's write permissions. The area is looked up through scoping (404 outside
scope) and write permission is checked before any handler runs."""

from django.views.generic import TemplateView

from core.views import AreaPageMixin

from .permissions import can_edit_plan, can_import_comparators, can_log_progress


class PlanPageMixin(AreaPageMixin):
    """write_permission: None (read only page), "log" (board members and lead)
    or "edit" (area lead)."""

    write_permission = None
    write_refusal = "You cannot change this area's plan."

    def write_allowed(self, user, area) -> bool:
        check = {"log": can_log_progress, "edit": can_edit_plan}.get(self.write_permission)
        return check is None or check(user, area)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            can_log_progress=can_log_progress(user, self.area),
            can_edit_plan=can_edit_plan(user, self.area),
            can_import_comparators=can_import_comparators(user, self.area),
        )


class PlanPageView(PlanPageMixin, TemplateView):
    pass
