"""The partnership board's pages. Everyone who sees the area reads the board;
its lead (and administrators) change it: members, invitations, meetings,
decisions and the register of interests. Rows are looked up within the URL's
area through scoping, so another area's row is a 404. Writes go through
partners.services, which records the history."""

from django.contrib import messages
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core.forms import form_errors_from
from core.history import history_for_objects
from core.scoping import visible_to
from core.views import AreaPageMixin, PublicViewMixin
from plans.permissions import can_edit_plan

from . import selectors, services
from .forms import (
    DecisionForm,
    DeclarationForm,
    InvitationForm,
    InvitationPasswordForm,
    MeetingForm,
    MembershipForm,
)
from .models import BoardMeeting, BoardMembership, Decision, DeclaredInterest

BOARD_HISTORY_LIMIT = 20


class BoardView(AreaPageMixin, TemplateView):
    template_name = "partners/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = selectors.board_for_area(user=self.request.user, area=self.area)
        memberships = list(board.memberships.all()) if board else []
        meetings = list(board.meetings.all()) if board else []
        decisions = [decision for meeting in meetings for decision in meeting.decisions.all()]
        interests = [(m, i) for m in memberships for i in m.interests.all()]
        for decision in decisions:
            decision.overdue_days = decision.days_overdue_on(self.today)
        context.update(
            board=board,
            can_manage_board=can_edit_plan(self.request.user, self.area),
            current_members=[m for m in memberships if m.is_current],
            past_members=[m for m in memberships if not m.is_current],
            interests=interests,
            meetings=meetings,
            overdue_decisions=[d for d in decisions if d.overdue_days],
            history=list(
                history_for_objects(
                    [*([board] if board else []), *memberships, *meetings, *decisions]
                    + [interest for _, interest in interests]
                )[:BOARD_HISTORY_LIMIT]
            ),
        )
        return context


class BoardEditMixin(AreaPageMixin):
    """A page that changes the board: the area lead and administrators only
    (403 for the area's board members, 404 outside the area)."""

    write_refusal = "Only the area lead can change the board."
    template_name = "partners/board_form.html"
    noun = ""
    model = None

    def write_allowed(self, user, area) -> bool:
        return can_edit_plan(user, area)

    def board_rows(self, model, **lookups):
        return visible_to(model.objects.filter(**lookups), self.request.user)

    def members(self):
        return self.board_rows(BoardMembership, board__area=self.area).select_related(
            "user", "organisation"
        )

    def board_url(self, anchor=""):
        url = reverse("partners:board", kwargs={"slug": self.area.slug})
        return f"{url}#{anchor}" if anchor else url


class BoardRowFormView(BoardEditMixin, FormView):
    """Add (no pk) or change (pk) one row of the board."""

    lookup = None

    @cached_property
    def object(self):
        """The row changed (None when adding), found in the URL's area: 404 otherwise."""
        return self.get_object()

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            self.board_rows(self.model, **{self.lookup: self.area}), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "area": self.area, "instance": self.object}

    def get_context_data(self, **kwargs):
        adding = self.object is None
        kwargs.setdefault("caption", f"{self.area.name} partnership board")
        return super().get_context_data(
            **kwargs,
            heading=self.heading(adding),
            button=f"Add {self.noun}" if adding else "Save changes",
            back_url=self.board_url(),
        )

    def heading(self, adding):
        article = "an" if self.noun[0] in "aeiou" else "a"
        return f"Add {article} {self.noun}" if adding else f"Change {self.noun}"

    def new_object(self):
        return self.model()

    def record(self, obj, data):
        raise NotImplementedError

    def form_valid(self, form):
        adding = self.object is None
        obj = self.object or self.new_object()
        try:
            obj = self.record(obj, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{self.noun.capitalize()} {'added' if adding else 'changed'}"
        )
        return redirect(self.board_url(f"{self.model._meta.model_name}-{obj.pk}"))


class MembershipFormView(BoardRowFormView):
    model = BoardMembership
    form_class = MembershipForm
    lookup = "board__area"
    noun = "member"

    def record(self, obj, data):
        return services.membership_save(
            membership=obj, user=self.request.user, area=self.area, **data
        )


class InvitationView(BoardRowFormView):
    model = BoardMembership
    form_class = InvitationForm
    lookup = "board__area"
    noun = "invitation"

    def get_object(self):
        return None

    def heading(self, adding):
        return "Invite someone to the board"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"button": "Send invitation"}

    def record(self, obj, data):
        membership = services.board_member_invite(area=self.area, user=self.request.user, **data)
        messages.success(self.request, f"Invitation sent to {membership.user.email}")
        return membership

    def form_valid(self, form):
        try:
            membership = self.record(None, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        return redirect(self.board_url(f"boardmembership-{membership.pk}"))


class MeetingFormView(BoardRowFormView):
    model = BoardMeeting
    form_class = MeetingForm
    lookup = "board__area"
    noun = "meeting"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": self.members()}

    def record(self, obj, data):
        return services.meeting_save(meeting=obj, user=self.request.user, area=self.area, **data)


class MeetingChildFormView(BoardRowFormView):
    """Add a row to a meeting (pk is the meeting's) or change one (pk is the row's)."""

    adding = False

    def get_object(self):
        if self.adding:
            return None
        return get_object_or_404(
            self.board_rows(self.model, **{self.lookup: self.area}).select_related("meeting"),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def meeting(self):
        if self.adding:
            return get_object_or_404(
                self.board_rows(BoardMeeting, board__area=self.area), pk=self.kwargs["pk"]
            )
        return self.object.meeting

    def get_context_data(self, **kwargs):
        # A declaration recorded before meetings were kept has no meeting.
        if self.meeting:
            kwargs["caption"] = str(self.meeting)
        return super().get_context_data(**kwargs)


class DecisionFormView(MeetingChildFormView):
    model = Decision
    form_class = DecisionForm
    lookup = "meeting__board__area"
    noun = "decision"

    def new_object(self):
        return Decision(meeting=self.meeting)

    def record(self, obj, data):
        return services.decision_save(obj=obj, user=self.request.user, **data)


class DeclarationFormView(MeetingChildFormView):
    model = DeclaredInterest
    form_class = DeclarationForm
    lookup = "membership__board__area"
    noun = "declaration of interest"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "declared_on": self.meeting.date}
        return {**kwargs, "members": self.members()}

    def heading(self, adding):
        return "Record a declaration of interest" if adding else "Change a declaration of interest"

    def new_object(self):
        return DeclaredInterest(meeting=self.meeting)

    def record(self, obj, data):
        return services.interest_declare(interest=obj, user=self.request.user, **data)


class InvitationAcceptView(PublicViewMixin, PasswordResetConfirmView):
    """The link in an invitation: the invitee sets a password, then signs in
    through the usual sign-in (and second factor, where their role has one).
    Only an account that has never had a password can be set up here."""

    template_name = "partners/invitation_accept.html"
    form_class = InvitationPasswordForm
    reset_url_token = "set-password"  # noqa: S105 (a URL segment, not a password)
    success_url = reverse_lazy("sign-in")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or user.has_usable_password() or not user.is_active:
            return None
        return user

    def form_valid(self, form):
        services.invitation_accept(account=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password is set: sign in with your email address")
        return HttpResponseRedirect(self.get_success_url())
