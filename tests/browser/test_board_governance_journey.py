"""Board governance as people do it (issue 14 item 1): an area lead invites a
board member, who sets a password from the emailed link, signs in and logs an
update; the lead records a meeting with a decision and a declaration of
interest; the decision shows as overdue once its date has passed (frozen
clock); the board member can change none of it. Every new page passes axe."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from core.models import Role, User
from partners.models import BoardMeeting, Decision, DeclaredInterest
from plans.models import ActionUpdate
from tests.factories import UserFactory
from tests.plans.factories import OrganisationFactory, board_with_a_meeting, published_plan_with

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
START = datetime(2019, 3, 20, 10, 0, tzinfo=LONDON)
AFTER_THE_DUE_DATE = datetime(2019, 4, 2, 10, 0, tzinfo=LONDON)
INVITEE_PASSWORD = "sea-front-illuminations-2019"  # noqa: S105


def _fill_date(page, name, day, month, year):
    page.locator(f"[name={name}_0]").fill(str(day))
    page.locator(f"[name={name}_1]").fill(str(month))
    page.locator(f"[name={name}_2]").fill(str(year))


@pytest.fixture
def blackpool(transactional_db, reference_areas):
    return reference_areas["blackpool"]


def test_a_lead_runs_the_board_and_an_invited_member_logs_an_update(
    browser, live_server, sign_in, assert_accessible, blackpool, mailoutbox
):
    base = live_server.url
    lead = UserFactory(role=Role.AREA_LEAD, area=blackpool)
    plan = published_plan_with(blackpool, user=lead)
    action = plan.actions.first()
    college = OrganisationFactory(name="Blackpool and The Fylde College", area=blackpool)
    board_with_a_meeting(blackpool, college)

    with time_machine.travel(START, tick=True) as clock:
        lead_page = browser.new_context().new_page()
        sign_in(lead_page, lead.email)

        # The lead invites a board member.
        lead_page.goto(f"{base}/areas/blackpool/board/")
        assert_accessible(lead_page)
        lead_page.get_by_role("link", name="Invite someone to the board").click()
        assert_accessible(lead_page)
        lead_page.get_by_role("button", name="Send invitation").click()
        expect(lead_page.locator(".govuk-error-summary")).to_be_focused()
        assert_accessible(lead_page)
        lead_page.get_by_label("First name").fill("Sam")
        lead_page.get_by_label("Last name").fill("Okafor")
        lead_page.get_by_label("Email address").fill("sam.okafor@example.org")
        lead_page.get_by_label("Board member", exact=True).check()
        lead_page.get_by_label("Organisation").select_option(label=college.name)
        lead_page.get_by_label("Member", exact=True).check()
        lead_page.get_by_label("Sector represented").fill("Further education")
        _fill_date(lead_page, "start_date", 1, 3, 2019)
        lead_page.get_by_role("button", name="Send invitation").click()
        expect(lead_page.get_by_text("Invitation sent to sam.okafor@example.org")).to_be_visible()
        members = lead_page.get_by_role("region", name="Current members of Blackpool")
        expect(members.get_by_role("row", name=re.compile("Sam Okafor"))).to_contain_text("Invited")

        # The invitee sets a password from the emailed link, signs in and logs an update.
        (invitation,) = mail.outbox
        link = re.search(r"https?://\S+/invitations/\S+/", invitation.body).group(0)
        path = "/" + link.split("/", 3)[3]
        member_page = browser.new_context().new_page()
        member_page.goto(base + path)
        expect(member_page.get_by_role("heading", name="Set your password")).to_be_visible()
        assert_accessible(member_page)
        member_page.get_by_label("New password", exact=True).fill(INVITEE_PASSWORD)
        member_page.get_by_label("New password confirmation").fill(INVITEE_PASSWORD)
        member_page.get_by_role("button", name="Set password").click()
        expect(member_page.get_by_text("Your password is set")).to_be_visible()
        sign_in(member_page, "sam.okafor@example.org", INVITEE_PASSWORD)
        member = User.objects.get(email="sam.okafor@example.org")
        assert (member.role, member.area) == (Role.BOARD_MEMBER, blackpool)

        member_page.goto(f"{base}/areas/blackpool/actions/{action.lineage_id}/")
        member_page.get_by_role("button", name="Log an update").click()
        member_page.get_by_label("On track").check()
        member_page.get_by_label("What has happened since the last update?").fill(
            "All twelve schools have started the programme."
        )
        member_page.get_by_label("Spend to date, in pounds").fill("12500")
        member_page.get_by_role("button", name="Add update").click()
        expect(member_page.get_by_text("Update added to the log")).to_be_visible()
        assert ActionUpdate.objects.filter(author=member, lineage=action.lineage).exists()

        # The lead records a meeting, a decision and a declaration of interest.
        lead_page.goto(f"{base}/areas/blackpool/board/")
        lead_page.get_by_role("link", name="Record a meeting").click()
        assert_accessible(lead_page)
        lead_page.get_by_label("Title").fill("Spring partnership board")
        _fill_date(lead_page, "date", 14, 3, 2019)
        lead_page.get_by_label("Link to the papers (optional)").fill(
            "https://example.org/board/2019-03-papers.pdf"
        )
        lead_page.get_by_label("Minutes (optional)", exact=True).fill(
            "The board agreed a careers audit."
        )
        lead_page.get_by_label("Sam Okafor, Blackpool and The Fylde College").check()
        lead_page.get_by_role("button", name="Add meeting").click()
        meeting = BoardMeeting.objects.get(title="Spring partnership board")
        assert [m.user for m in meeting.attendees.all()] == [member]

        lead_page.get_by_role("link", name="Add a decision to the meeting on 14 March 2019").click()
        assert_accessible(lead_page)
        lead_page.get_by_label("Decision", exact=True).fill("Commission a careers audit")
        lead_page.get_by_label("Owner", exact=True).fill("Sam Okafor")
        lead_page.get_by_label("Owner's account (optional)").select_option(
            label="Sam Okafor (sam.okafor@example.org)"
        )
        _fill_date(lead_page, "due_date", 31, 3, 2019)
        lead_page.get_by_role("button", name="Add decision").click()
        decision = Decision.objects.get(decision="Commission a careers audit")
        expect(lead_page.locator(f"#decision-{decision.pk}")).not_to_contain_text("Overdue")

        lead_page.get_by_role(
            "link", name="Record a declaration of interest at the meeting on 14 March 2019"
        ).click()
        assert_accessible(lead_page)
        lead_page.get_by_label("Member", exact=True).select_option(
            label="Sam Okafor, Blackpool and The Fylde College"
        )
        lead_page.get_by_label("Interest declared").fill("Governor at a Blackpool secondary school")
        lead_page.get_by_role("button", name="Add declaration of interest").click()
        interest = DeclaredInterest.objects.get(meeting=meeting)
        assert interest.membership.user == member
        expect(lead_page.locator(f"#declaredinterest-{interest.pk}")).to_contain_text(
            "at the meeting on 14 Mar 2019"
        )
        history = lead_page.get_by_role("region", name="Changes to the board, newest first")
        expect(history).to_contain_text(lead.get_full_name())
        expect(history).to_contain_text("Commission a careers audit")
        assert_accessible(lead_page)

        # After its due date the decision is overdue on the board and plan pages.
        clock.move_to(AFTER_THE_DUE_DATE)
        sign_in(member_page, "sam.okafor@example.org", INVITEE_PASSWORD)
        member_page.goto(f"{base}/areas/blackpool/board/")
        expect(member_page.locator(f"#decision-{decision.pk}")).to_contain_text("Overdue by 2 days")
        member_page.goto(f"{base}/areas/blackpool/plan/")
        expect(member_page.locator("#overdue-decisions")).to_contain_text(
            "Commission a careers audit"
        )
        assert_accessible(member_page)

        # The board member reads the board but can change none of it.
        member_page.goto(f"{base}/areas/blackpool/board/")
        expect(member_page.get_by_role("link", name="Record a meeting")).to_have_count(0)
        expect(member_page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
        for edit in (
            f"/areas/blackpool/board/decisions/{decision.pk}/",
            f"/areas/blackpool/board/meetings/{meeting.pk}/",
            f"/areas/blackpool/board/declarations/{interest.pk}/",
            "/areas/blackpool/board/invitations/new/",
        ):
            assert member_page.goto(base + edit).status == 403
        decision.refresh_from_db()
        assert decision.status == "open"
