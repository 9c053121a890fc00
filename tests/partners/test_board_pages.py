"""Board governance in the service (issue 14 item 1): the area lead (and
administrators) add members, invite people, record meetings, decisions and
declarations of interest; everyone else who sees the area reads the board;
another area's rows are a 404; the history says who changed what."""

import re
from datetime import date

import pytest
import time_machine
from django.contrib.auth import authenticate

from core.history import history_for
from core.models import ChangeAction, Role, User
from partners.models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DecisionStatus,
    DeclaredInterest,
    PartnershipBoard,
)
from tests.factories import TEST_PASSWORD, UserFactory
from tests.plans.factories import OrganisationFactory, published_plan_with

pytestmark = pytest.mark.django_db

TODAY = date(2019, 3, 20)
NEW_PASSWORD = "a-long-new-passphrase-for-the-board"  # noqa: S105


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lead(users):
    return users[Role.AREA_LEAD]


@pytest.fixture
def organisation(area):
    return OrganisationFactory(name="Blackpool Council", area=area)


@pytest.fixture
def board(area, organisation):
    """A board with one member, a meeting, a decision and a declaration."""
    board = PartnershipBoard.objects.create(area=area, name="Blackpool partnership board")
    member = BoardMembership.objects.create(
        board=board,
        contact_name="Grace Hughes",
        organisation=organisation,
        role="chair",
        sector_represented="Independent chair",
        start_date=date(2017, 1, 1),
    )
    meeting = BoardMeeting.objects.create(board=board, date=date(2019, 1, 10))
    Decision.objects.create(meeting=meeting, decision="Approve the plan", owner="Grace Hughes")
    DeclaredInterest.objects.create(
        membership=member, meeting=meeting, description="Governor", declared_on=date(2019, 1, 10)
    )
    return board


@pytest.fixture
def other_board(other_area):
    board = PartnershipBoard.objects.create(area=other_area, name="Hastings partnership board")
    member = BoardMembership.objects.create(
        board=board,
        contact_name="Hastings Chair",
        organisation=OrganisationFactory(area=other_area),
        sector_represented="Chair",
        start_date=date(2017, 1, 1),
    )
    meeting = BoardMeeting.objects.create(board=board, date=date(2019, 1, 11))
    decision = Decision.objects.create(meeting=meeting, decision="Hastings only", owner="X")
    interest = DeclaredInterest.objects.create(
        membership=member, meeting=meeting, description="Other", declared_on=date(2019, 1, 11)
    )
    return {"member": member, "meeting": meeting, "decision": decision, "interest": interest}


def _edit_pages(slug, board):
    meeting = board.meetings.get()
    return [
        f"/areas/{slug}/board/members/new/",
        f"/areas/{slug}/board/members/{board.memberships.get().pk}/",
        f"/areas/{slug}/board/invitations/new/",
        f"/areas/{slug}/board/meetings/new/",
        f"/areas/{slug}/board/meetings/{meeting.pk}/",
        f"/areas/{slug}/board/meetings/{meeting.pk}/decisions/new/",
        f"/areas/{slug}/board/decisions/{meeting.decisions.get().pk}/",
        f"/areas/{slug}/board/meetings/{meeting.pk}/declarations/new/",
        f"/areas/{slug}/board/declarations/{meeting.declarations.get().pk}/",
    ]


def _date(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


# --- Who may reach the pages ------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AREA_LEAD, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.BOARD_MEMBER, 403),
        (Role.DFE_STAFF, 403),
        (Role.SCHOOL_STAFF, 403),
    ],
)
def test_the_edit_pages_are_the_leads_in_own_area(client, users, area, board, role, expected):
    client.force_login(users[role])
    for path in _edit_pages(area.slug, board):
        assert client.get(path).status_code == expected, path


@pytest.mark.parametrize("role", [Role.AREA_LEAD, Role.BOARD_MEMBER])
def test_another_areas_lead_or_member_gets_404(client, other_area, area, board, role):
    client.force_login(UserFactory(role=role, area=other_area))
    for path in [f"/areas/{area.slug}/board/", *_edit_pages(area.slug, board)]:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {}).status_code == 404, path


def test_another_areas_rows_are_404_under_the_leads_own_area(
    client, lead, area, board, other_board
):
    client.force_login(lead)
    slug = area.slug
    for path in [
        f"/areas/{slug}/board/members/{other_board['member'].pk}/",
        f"/areas/{slug}/board/meetings/{other_board['meeting'].pk}/",
        f"/areas/{slug}/board/meetings/{other_board['meeting'].pk}/decisions/new/",
        f"/areas/{slug}/board/decisions/{other_board['decision'].pk}/",
        f"/areas/{slug}/board/meetings/{other_board['meeting'].pk}/declarations/new/",
        f"/areas/{slug}/board/declarations/{other_board['interest'].pk}/",
    ]:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"decision": "Hijack", "owner": "Me"}).status_code == 404
    assert Decision.objects.get(pk=other_board["decision"].pk).decision == "Hastings only"


@pytest.mark.parametrize(
    "role", [Role.BOARD_MEMBER, Role.DFE_STAFF, Role.AREA_LEAD, Role.ADMINISTRATOR]
)
def test_the_board_page_is_read_by_everyone_who_sees_the_area(client, users, area, board, role):
    client.force_login(users[role])
    html = client.get(f"/areas/{area.slug}/board/").content.decode()
    assert "Approve the plan" in html
    assert "Governor" in html
    may_change = role in (Role.AREA_LEAD, Role.ADMINISTRATOR)
    assert ("Record a meeting" in html) is may_change
    assert (f"/board/decisions/{Decision.objects.get(meeting__board=board).pk}/" in html) is (
        may_change
    )


def test_a_board_member_cannot_change_anything(client, users, area, board, organisation):
    client.force_login(users[Role.BOARD_MEMBER])
    meeting = board.meetings.get()
    decision = meeting.decisions.get()
    posts = {
        f"/areas/{area.slug}/board/meetings/new/": {"title": "Mine", **_date("date", TODAY)},
        f"/areas/{area.slug}/board/decisions/{decision.pk}/": {
            "decision": "Changed",
            "owner": "Me",
            "status": "done",
        },
        f"/areas/{area.slug}/board/members/new/": {
            "contact_name": "Me",
            "organisation": organisation.pk,
            "role": "member",
            "sector_represented": "Me",
            **_date("start_date", TODAY),
        },
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 403, path
    assert BoardMeeting.objects.count() == 1
    assert Decision.objects.get().decision == "Approve the plan"
    assert BoardMembership.objects.count() == 1


# --- What the lead records ------------------------------------------------------------


def test_the_lead_records_a_meeting_decision_and_declaration_with_history(
    client, lead, area, board, organisation, users
):
    client.force_login(lead)
    chair = board.memberships.get()
    response = client.post(
        f"/areas/{area.slug}/board/meetings/new/",
        {
            "title": "Spring board",
            **_date("date", date(2019, 3, 14)),
            "papers_url": "https://example.org/papers.pdf",
            "minutes": "Agreed the careers plan.",
            "attendees": [chair.pk],
        },
    )
    meeting = BoardMeeting.objects.get(title="Spring board")
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{area.slug}/board/#boardmeeting-{meeting.pk}"
    assert list(meeting.attendees.all()) == [chair]

    owner = users[Role.BOARD_MEMBER]
    client.post(
        f"/areas/{area.slug}/board/meetings/{meeting.pk}/decisions/new/",
        {
            "decision": "Commission a careers audit",
            "owner": "Priya Shah",
            "owner_user": owner.pk,
            **_date("due_date", date(2019, 3, 31)),
            "status": "open",
        },
    )
    decision = meeting.decisions.get()
    assert (decision.owner_user, decision.due_date) == (owner, date(2019, 3, 31))

    client.post(
        f"/areas/{area.slug}/board/meetings/{meeting.pk}/declarations/new/",
        {
            "membership": chair.pk,
            "description": "Trustee of a careers charity",
            **_date("declared_on", date(2019, 3, 14)),
        },
    )
    declaration = meeting.declarations.get()
    assert declaration.membership == chair

    client.post(
        f"/areas/{area.slug}/board/decisions/{decision.pk}/",
        {"decision": decision.decision, "owner": "Priya Shah", "status": "done"},
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE
    records = list(history_for(decision))
    assert [r.action for r in records] == [ChangeAction.UPDATED, ChangeAction.CREATED]
    assert records[0].changed_by == lead
    assert records[0].changes["status"] == {"before": "open", "after": "done"}
    assert history_for(meeting).get().changes["attendees"]["after"] == [str(chair)]
    assert history_for(declaration).get().changed_by == lead

    html = client.get(f"/areas/{area.slug}/board/").content.decode()
    assert "Trustee of a careers charity" in html
    assert "at the meeting on 14 Mar 2019" in html
    assert 'href="https://example.org/papers.pdf"' in html
    history = html.split('id="history"')[1]
    assert "Commission a careers audit" in history


def test_a_decision_is_overdue_after_its_due_date_on_board_and_plan(
    client, lead, area, board, users
):
    published_plan_with(area, user=lead)
    decision = Decision.objects.get()
    decision.due_date = date(2019, 3, 31)
    decision.save()
    for day, overdue in [(date(2019, 3, 31), False), (date(2019, 4, 2), True)]:
        with time_machine.travel(day, tick=False):
            client.force_login(users[Role.BOARD_MEMBER])
            board_page = client.get(f"/areas/{area.slug}/board/").content.decode()
            plan_page = client.get(f"/areas/{area.slug}/plan/").content.decode()
        assert ("Overdue by 2 days" in board_page) is overdue
        assert ('id="overdue-decisions"' in plan_page) is overdue
        assert (f"/board/#decision-{decision.pk}" in plan_page) is overdue
    decision.status = DecisionStatus.DONE
    decision.save()
    with time_machine.travel(date(2019, 4, 2), tick=False):
        assert (
            'id="overdue-decisions"' not in client.get(f"/areas/{area.slug}/plan/").content.decode()
        )


def test_a_declaration_made_outside_a_meeting_can_be_changed(client, lead, area, board):
    chair = board.memberships.get()
    older = DeclaredInterest.objects.create(
        membership=chair, description="Trustee", declared_on=date(2017, 1, 1)
    )
    client.force_login(lead)
    path = f"/areas/{area.slug}/board/declarations/{older.pk}/"
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "membership": chair.pk,
            "description": "Trustee of a charity",
            **_date("declared_on", date(2017, 1, 1)),
        },
    )
    assert response.status_code == 302
    older.refresh_from_db()
    assert (older.description, older.meeting) == ("Trustee of a charity", None)


def test_bad_input_is_named_in_the_error_summary(client, lead, area, board):
    client.force_login(lead)
    response = client.post(
        f"/areas/{area.slug}/board/meetings/new/",
        {"title": "", "date_0": "31", "date_1": "2", "date_2": "2019", "papers_url": "not a url"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter the title" in html
    assert "Enter the link to the papers as a web address" in html
    meeting = board.meetings.get()
    response = client.post(
        f"/areas/{area.slug}/board/meetings/{meeting.pk}/decisions/new/",
        {"decision": "", "owner": "", "status": ""},
    )
    html = response.content.decode()
    assert "Enter the decision" in html
    assert "Enter the owner" in html
    assert "Select the status" in html


def test_a_member_account_from_another_area_is_refused(client, lead, area, board, other_area):
    client.force_login(lead)
    stranger = UserFactory(role=Role.BOARD_MEMBER, area=other_area)
    response = client.post(
        f"/areas/{area.slug}/board/members/new/",
        {
            "account": stranger.pk,
            "organisation": board.memberships.get().organisation_id,
            "role": "member",
            "sector_represented": "Schools",
            **_date("start_date", TODAY),
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert board.memberships.count() == 1


# --- Invitations ------------------------------------------------------------------------


def _invite(client, area, organisation, email="new.member@example.org"):
    return client.post(
        f"/areas/{area.slug}/board/invitations/new/",
        {
            "first_name": "Sam",
            "last_name": "Okafor",
            "email": email,
            "account_role": "board_member",
            "organisation": organisation.pk,
            "role": "member",
            "sector_represented": "Further education",
            **_date("start_date", TODAY),
        },
    )


def test_an_invitation_creates_an_account_usable_only_after_a_password_is_set(
    client, lead, area, board, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(client, area, organisation).status_code == 302
    account = User.objects.get(email="new.member@example.org")
    assert (account.role, account.area) == (Role.BOARD_MEMBER, area)
    assert not account.has_usable_password()
    assert board.memberships.filter(user=account, sector_represented="Further education").exists()

    (email,) = mailoutbox
    assert email.to == ["new.member@example.org"]
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    path = "/" + link.split("/", 3)[3]
    client.logout()
    response = client.get(path)
    assert response.status_code == 302  # the token moves into the session, off the URL
    form_page = client.get(response["Location"])
    assert "Set your password" in form_page.content.decode()
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    account.refresh_from_db()
    assert authenticate(username=account.email, password=NEW_PASSWORD) == account
    # The link works once.
    assert "does not work" in client.get(path, follow=True).content.decode()


def test_the_invitation_email_has_no_password(
    client, lead, area, board, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, area, organisation)
    body = mailoutbox[0].body
    assert TEST_PASSWORD not in body
    assert User.objects.get(email="new.member@example.org").password not in body


def test_an_invitation_link_cannot_reset_an_existing_password(client, lead, area):
    from partners.services import invitation_link

    path = "/" + invitation_link(lead).split("/", 3)[3]
    page = client.get(path, follow=True).content.decode()
    assert "does not work" in page


def test_inviting_an_existing_account_says_so(client, lead, area, board, organisation):
    client.force_login(lead)
    response = _invite(client, area, organisation, email=lead.email.upper())
    assert response.status_code == 200
    assert "There is already an account with this email address" in response.content.decode()


def test_board_page_query_budget(
    client, users, area, board, organisation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users[Role.BOARD_MEMBER])
    path = f"/areas/{area.slug}/board/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    for n in range(5):
        member = BoardMembership.objects.create(
            board=board,
            user=UserFactory(role=Role.BOARD_MEMBER, area=area),
            organisation=organisation,
            sector_represented=f"Sector {n}",
            start_date=date(2018, 1, 1),
        )
        meeting = BoardMeeting.objects.create(board=board, date=date(2018, 2, n + 1))
        meeting.attendees.add(member)
        Decision.objects.create(meeting=meeting, decision=f"D{n}", owner="X")
        DeclaredInterest.objects.create(
            membership=member, meeting=meeting, description=f"I{n}", declared_on=meeting.date
        )
    with django_assert_max_num_queries(len(small)):
        assert client.get(path).status_code == 200
