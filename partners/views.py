from django.views.generic import TemplateView

from core.views import AreaPageMixin

from . import selectors


class BoardView(AreaPageMixin, TemplateView):
    template_name = "partners/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = selectors.board_for_area(user=self.request.user, area=self.area)
        memberships = list(board.memberships.all()) if board else []
        context.update(
            board=board,
            current_members=[m for m in memberships if m.is_current],
            past_members=[m for m in memberships if not m.is_current],
            interests=[(m, i) for m in memberships for i in m.interests.all()],
            meetings=list(board.meetings.all()) if board else [],
        )
        return context
