"""Writes to an area's partnership board: members, invitations, meetings,
decisions and declarations of interest. Every function is keyword-only and
atomic and records who changed what (core.history); the views only
translate forms into calls (ADR 0015)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.history import change_record, snapshot
from core.models import ChangeAction, Role, User
from core.roles import AREA_ROLES

from .models import BoardMeeting, BoardMembership, Decision, DeclaredInterest, PartnershipBoard

# The account roles an area lead may give the people they invite.
INVITABLE_ROLES = (Role.BOARD_MEMBER, Role.AREA_LEAD)


def _area_of(obj):
    if isinstance(obj, PartnershipBoard):
        return obj.area
    if isinstance(obj, BoardMembership | BoardMeeting):
        return obj.board.area
    if isinstance(obj, Decision):
        return obj.meeting.board.area
    return obj.membership.board.area


def _save(obj, user, values, *, many=None):
    """Set `values` on `obj`, check and save it, set its many-to-many
    `many` ({name: rows}) and record the change in the history."""
    creating = obj.pk is None
    before = None if creating else snapshot(type(obj).objects.get(pk=obj.pk))
    before_many = {}
    if not creating:
        for name in many or {}:
            before_many[name] = sorted(str(row) for row in getattr(obj, name).all())
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    for name, rows in (many or {}).items():
        getattr(obj, name).set(rows)
        after[name] = sorted(str(row) for row in rows)
        if before is not None:
            before[name] = before_many[name]
    change_record(
        obj=obj,
        user=user,
        action=ChangeAction.CREATED if creating else ChangeAction.UPDATED,
        before=before,
        after=after,
        area=_area_of(obj),
    )
    return obj


def board_for_area_get_or_create(*, area, user) -> PartnershipBoard:
    """The area's board, set up on first use."""
    board = PartnershipBoard.objects.filter(area=area).first()
    if board is None:
        board = _save(PartnershipBoard(area=area), user, {"name": f"{area.name} partnership board"})
    return board


@transaction.atomic
def membership_save(*, membership, user, **values) -> BoardMembership:
    """Add a member to the board or change a seat. `account` is the member's
    service account (None for a named person without one); it must belong to
    the board's area."""
    if membership.pk is None and not membership.board_id:
        membership.board = board_for_area_get_or_create(area=values.pop("area"), user=user)
    else:
        values.pop("area", None)
    if "account" in values:
        account = values.pop("account")
        if account is not None and (
            account.role not in AREA_ROLES or account.area_id != membership.board.area_id
        ):
            raise ValidationError({"account": "Choose an account of this area's board or lead"})
        values["user"] = account
    return _save(membership, user, values)


@transaction.atomic
def board_member_invite(
    *,
    area,
    user,
    email,
    first_name,
    last_name,
    account_role=Role.BOARD_MEMBER,
    **membership_values,
) -> BoardMembership:
    """Invite someone to the board: a service account with `account_role` in
    `area`, unusable until they set a password from the emailed sign-in
    link, and their seat on the board. No password is ever emailed."""
    if account_role not in INVITABLE_ROLES:
        raise ValidationError({"account_role": "Choose board member or area lead"})
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "There is already an account with this email address: add it as a member"}
        )
    account = User(
        email=email, first_name=first_name, last_name=last_name, role=account_role, area=area
    )
    account.set_unusable_password()
    account.full_clean(exclude=["password", "schools"])
    account.save()
    change_record(
        obj=account,
        user=user,
        action=ChangeAction.CREATED,
        after={"email": email, "role": account.get_role_display(), "invited": True},
        area=area,
    )
    membership = membership_save(
        membership=BoardMembership(), user=user, area=area, account=account, **membership_values
    )
    transaction.on_commit(lambda: invitation_email_send(account=account, inviter=user))
    return membership


def invitation_link(account) -> str:
    """The sign-in link of an invitation: Django's password-reset token, which
    stops working once a password is set (the token hashes the password)."""
    path = reverse(
        "partners:invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": default_token_generator.make_token(account),
        },
    )
    return settings.SERVICE_URL + path


def invitation_email_send(*, account, inviter) -> None:
    context = {
        "account": account,
        "inviter": inviter,
        "link": invitation_link(account),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "service_name": settings.SERVICE_NAME,
    }
    send_mail(
        subject=f"You are invited to the {settings.SERVICE_NAME}",
        message=render_to_string("partners/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[account.email],
    )


@transaction.atomic
def invitation_accept(*, account, password) -> User:
    """The invitee sets their password: the account can now sign in (and the
    invitation's link stops working)."""
    account.set_password(password)
    account.save(update_fields=["password"])
    change_record(
        obj=account,
        user=account,
        action=ChangeAction.UPDATED,
        before={"password set": False},
        after={"password set": True},
        area=account.area,
    )
    return account


@transaction.atomic
def meeting_save(*, meeting, user, attendees=(), **values) -> BoardMeeting:
    if meeting.pk is None and not meeting.board_id:
        meeting.board = board_for_area_get_or_create(area=values.pop("area"), user=user)
    else:
        values.pop("area", None)
    if any(member.board_id != meeting.board_id for member in attendees):
        raise ValidationError({"attendees": "Choose members of this board"})
    return _save(meeting, user, values, many={"attendees": list(attendees)})


@transaction.atomic
def decision_save(*, obj, user, **values) -> Decision:
    """Record a decision of a meeting or change it (`obj`: the decision;
    its text is the `decision` value)."""
    account = values.get("owner_user")
    area = obj.meeting.board.area
    if account is not None and (account.role not in AREA_ROLES or account.area_id != area.pk):
        raise ValidationError({"owner_user": "Choose an account of this area's board or lead"})
    return _save(obj, user, values)


@transaction.atomic
def interest_declare(*, interest, user, **values) -> DeclaredInterest:
    """Record a declaration of interest in the register, at a meeting."""
    membership = values.get("membership") or interest.membership
    meeting = values.get("meeting", interest.meeting)
    if meeting is not None and membership.board_id != meeting.board_id:
        raise ValidationError({"membership": "Choose a member of this board"})
    return _save(interest, user, values)
