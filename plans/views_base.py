"""Base views for pages under /areas/<slug>/: the area is looked up through
scoping (404 outside scope) and write permission is checked before any
handler runs."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from areas.models import Area
from core.scoping import visible_to
from core.views import ScopedViewMixin

from .permissions import can_edit_plan, can_log_progress


class AreaScopedMixin(ScopedViewMixin):
    """Resolves self.area from the URL's slug within the user's scope.

    write_permission: None (read only page), "log" (board members and lead)
    or "edit" (area lead). Checked for every method when set, so forms are
    not even shown to users who cannot submit them."""

    model = Area
    write_permission = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.area = get_object_or_404(
            visible_to(Area.objects.all(), request.user), slug=kwargs["slug"]
        )
        self.today = timezone.localdate()
        check = {"log": can_log_progress, "edit": can_edit_plan}.get(self.write_permission)
        if check is not None and not check(request.user, self.area):
            raise PermissionDenied("You cannot change this area's plan.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            area=self.area,
            can_log_progress=can_log_progress(user, self.area),
            can_edit_plan=can_edit_plan(user, self.area),
        )


class AreaPageView(AreaScopedMixin, TemplateView):
    pass
