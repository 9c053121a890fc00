"""A small world for API tests: the same rows in an own area (Blackpool) and
an other area (Hastings), a token per role, and a client that sends it."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client

from core.models import Role
from core.tokens import api_token_create
from partners.models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    PartnershipBoard,
)
from plans import services
from tests.factories import SchoolFactory
from tests.plans.factories import (
    ActionFactory,
    IndicatorFactory,
    OrganisationFactory,
    PriorityFactory,
    TargetFactory,
    published_plan_with,
)


@dataclass
class AreaRows:
    """One row of each kind the API shows, in one area."""

    area: object
    rows: dict = field(default_factory=dict)
    draft_rows: dict = field(default_factory=dict)


def area_rows(area, *, school, lead):
    plan = published_plan_with(
        area,
        priorities=1,
        indicators_per_priority=1,
        targets_per_indicator=1,
        actions_per_priority=1,
        user=lead,
    )
    indicator = plan.indicators.get()
    action = plan.actions.get()
    organisation = OrganisationFactory(area=area, name=f"{area.name} Education Trust")
    board = PartnershipBoard.objects.create(area=area, name=f"{area.name} partnership board")
    membership = BoardMembership.objects.create(
        board=board,
        contact_name="Pat Chair",
        contact_email=f"chair@{area.slug}.example.org",
        organisation=organisation,
        role="chair",
        sector_represented="Secondary schools",
        start_date=date(2017, 1, 1),
    )
    meeting = BoardMeeting.objects.create(board=board, date=date(2018, 3, 1))
    decision = Decision.objects.create(meeting=meeting, decision="Fund a hub", owner="Pat")
    rows = {
        "area": area,
        "school": school,
        "organisation": organisation,
        "board": board,
        "board-membership": membership,
        "board-meeting": meeting,
        "board-decision": decision,
        "plan": plan,
        "priority": plan.priorities.get(),
        "indicator": indicator,
        "target": indicator.targets.get(),
        "action": action,
        "measurement": indicator.lineage.measurements.get(),
        "action-update": action.lineage.updates.get(),
    }
    # A draft with a priority, indicator, target and action of its own:
    # only those who may edit the area's plan may see them.
    draft = services.plan_draft_start(area=area, user=lead)
    priority = PriorityFactory(plan=draft)
    draft_indicator = IndicatorFactory(priority=priority)
    draft_rows = {
        "plan": draft,
        "priority": priority,
        "indicator": draft_indicator,
        "target": TargetFactory(indicator=draft_indicator),
        "action": ActionFactory(priority=priority),
    }
    return AreaRows(area=area, rows=rows, draft_rows=draft_rows)


@dataclass
class World:
    own: AreaRows
    other: AreaRows
    neighbour_school: object  # in the own area, but not the school staff's school


@pytest.fixture
def world(area, other_area, school, other_school, users):
    return World(
        own=area_rows(area, school=school, lead=users[Role.AREA_LEAD]),
        other=area_rows(other_area, school=other_school, lead=None),
        neighbour_school=SchoolFactory(area=area, name="Neighbour Academy"),
    )


@pytest.fixture
def tokens(users):
    """A token for each role's user: {role: raw token}."""
    return {role: api_token_create(user=user, name="Tests")[1] for role, user in users.items()}


class ApiClient:
    """Django's test client, sending a token and JSON."""

    def __init__(self, token=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method, path, data=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path, params=None, **extra):
        return self.client.get(path, params or {}, headers=self.headers, **extra)

    def post(self, path, data, **extra):
        return self.request("post", path, data, **extra)


@pytest.fixture
def api(tokens):
    """api(role) -> a client authenticated with that role's token."""
    return lambda role: ApiClient(tokens[role])


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]
