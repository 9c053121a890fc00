"""Editing a plan through the pages: the area lead drafts, changes and
publishes versions; nobody else can; comparing versions shows what changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape

from core.models import ChangeAction, ChangeRecord, Role
from plans import services
from plans.models import (
    Action,
    ComparatorSeries,
    DeliveryPlan,
    Indicator,
    PlanStatus,
    Priority,
    Target,
    TargetBasis,
)
from plans.versions import Change, plan_versions_compare
from tests.factories import UserFactory
from tests.plans.factories import (
    ActionFactory,
    DeliveryPlanFactory,
    IndicatorFactory,
    OrganisationFactory,
    PriorityFactory,
    TargetFactory,
    published_plan_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(users):
    return users[Role.AREA_LEAD]


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def published(area):
    return published_plan_with(
        area, priorities=2, indicators_per_priority=1, actions_per_priority=1
    )


@pytest.fixture
def draft(area, lead, published):
    return services.plan_draft_start(area=area, user=lead)


def url(area, path=""):
    return f"/areas/{area.slug}/plan/{path}"


def date_fields(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def history(obj, action=None):
    records = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )
    return records.filter(action=action) if action else records


# --- Starting a draft ----------------------------------------------------------------


def test_edit_the_plan_starts_a_draft_copied_from_the_published_version(
    lead_client, area, published
):
    response = lead_client.post(url(area, "draft/start/"))
    assert response.status_code == 302
    assert response["Location"] == url(area, "draft/")
    draft = DeliveryPlan.objects.get(area=area, status=PlanStatus.DRAFT)
    assert draft.version == published.version + 1
    assert draft.based_on == published
    assert draft.priorities.count() == 2
    assert draft.actions.count() == 2

    page = lead_client.get(url(area, "draft/")).content.decode()
    assert f"Draft: version {draft.version}" in page
    for priority in draft.priorities.all():
        assert priority.title in page
        assert f"draft/priorities/{priority.pk}/change/" in page


def test_edit_the_plan_opens_the_draft_already_started(lead_client, area, draft):
    lead_client.post(url(area, "draft/start/"))
    assert DeliveryPlan.objects.filter(area=area, status=PlanStatus.DRAFT).get() == draft


def test_draft_page_without_a_draft_offers_to_start_one(lead_client, area, published):
    page = lead_client.get(url(area, "draft/")).content.decode()
    assert "There is no draft of this plan" in page
    assert "Start a draft" in page


def test_version_list_shows_versions_with_status_and_publisher(lead_client, area, lead, draft):
    page = lead_client.get(url(area, "versions/")).content.decode()
    assert "Version 1" in page
    assert "Version 2" in page
    assert "Published" in page
    assert "Draft" in page
    assert "Continue editing the draft" in page
    assert f"?from=1&amp;to={draft.version}" in page


# --- Priorities ----------------------------------------------------------------------


def test_lead_adds_a_priority(lead_client, area, lead, draft):
    response = lead_client.post(
        url(area, "draft/priorities/new/"),
        {"number": "3", "title": "Move into work", "life_stage": "into_work", "description": ""},
    )
    assert response.status_code == 302
    priority = Priority.objects.get(plan=draft, number=3)
    assert priority.title == "Move into work"
    assert response["Location"] == url(area, f"draft/#priority-{priority.pk}")
    assert history(priority, ChangeAction.CREATED).get().changed_by == lead


def test_new_priority_form_suggests_the_next_number(lead_client, area, draft):
    response = lead_client.get(url(area, "draft/priorities/new/"))
    assert response.context["form"].initial["number"] == 3


def test_lead_changes_a_priority_and_the_change_is_recorded(lead_client, area, draft):
    priority = draft.priorities.get(number=1)
    response = lead_client.post(
        url(area, f"draft/priorities/{priority.pk}/change/"),
        {"number": "1", "title": "Best start in life", "life_stage": "early_years"},
    )
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.title == "Best start in life"
    record = history(priority, ChangeAction.UPDATED).get()
    assert record.changes["title"]["after"] == "Best start in life"


def test_change_form_is_filled_in_from_the_row(lead_client, area, draft):
    priority = draft.priorities.get(number=2)
    page = lead_client.get(url(area, f"draft/priorities/{priority.pk}/change/")).content.decode()
    assert f'value="{priority.title}"' in page


def test_a_priority_number_used_twice_is_an_error_on_the_page(lead_client, area, draft):
    response = lead_client.post(
        url(area, "draft/priorities/new/"),
        {"number": "2", "title": "Duplicate", "life_stage": "primary"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Priority 2 already exists in this draft" in page
    assert 'class="govuk-error-summary"' in page
    assert not Priority.objects.filter(title="Duplicate").exists()


def test_removing_a_priority_asks_first_then_removes_it_and_its_contents(lead_client, area, draft):
    priority = draft.priorities.get(number=1)
    indicator = priority.indicators.get()
    action = priority.actions.get()
    targets = list(indicator.targets.all())
    confirm = lead_client.get(url(area, f"draft/priorities/{priority.pk}/remove/"))
    page = confirm.content.decode()
    assert "Are you sure you want to remove" in page
    assert indicator.name in page
    assert escape(action.title) in page
    assert Priority.objects.filter(pk=priority.pk).exists()

    response = lead_client.post(url(area, f"draft/priorities/{priority.pk}/remove/"))
    assert response.status_code == 302
    assert not Priority.objects.filter(pk=priority.pk).exists()
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert not Action.objects.filter(pk=action.pk).exists()
    for obj in [priority, indicator, action, *targets]:
        assert history(obj, ChangeAction.DELETED).exists()
    # The published version still has it.
    assert draft.based_on.priorities.filter(lineage=priority.lineage).exists()


# --- Indicators and targets -----------------------------------------------------------


def indicator_post(priority, **overrides):
    return {
        "priority": str(priority.pk),
        "name": "Pupils reaching the expected standard in phonics",
        "unit": "percentage",
        "polarity": "higher",
        "baseline_value": "64",
        **date_fields("baseline_date", date(2014, 7, 31)),
        "frequency_days": "365",
        "tolerance": "20",
        "source": "DfE phonics screening check",
        "comparator": "",
        **overrides,
    }


def test_lead_adds_an_indicator(lead_client, area, lead, draft):
    priority = draft.priorities.get(number=2)
    response = lead_client.post(url(area, "draft/indicators/new/"), indicator_post(priority))
    assert response.status_code == 302
    indicator = Indicator.objects.get(plan=draft, name=indicator_post(priority)["name"])
    assert indicator.priority == priority
    assert indicator.baseline_value == Decimal("64")
    assert indicator.baseline_date == date(2014, 7, 31)
    assert indicator.tolerance == Decimal("0.20")
    assert indicator.lineage.area == area
    assert history(indicator, ChangeAction.CREATED).exists()


@pytest.mark.parametrize(
    ("unit", "baseline", "error"),
    [
        ("percentage", "61.5%", None),
        ("count", "1,200", None),
        ("count", "61.5%", "Baseline value cannot end in %: it is not a percentage"),
        ("percentage", "1e3", "Baseline value must be written out in full"),
    ],
)
def test_a_baseline_may_carry_the_mark_of_the_unit_chosen_on_the_form(
    unit, baseline, error, lead_client, area, draft
):
    priority = draft.priorities.get(number=2)
    posted = indicator_post(priority, unit=unit, baseline_value=baseline, tolerance="20%")

    response = lead_client.post(url(area, "draft/indicators/new/"), posted)

    if error is None:
        assert response.status_code == 302
        written = baseline.replace(",", "").removesuffix("%")
        assert Indicator.objects.get(plan=draft, name=posted["name"]).baseline_value == Decimal(
            written
        )
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["baseline_value"][0].startswith(error)


def test_indicator_form_shows_tolerance_as_a_percentage(lead_client, area, draft):
    indicator = draft.indicators.first()
    response = lead_client.get(url(area, f"draft/indicators/{indicator.pk}/change/"))
    assert response.context["form"].initial["tolerance"] == 25


def test_indicator_form_refuses_a_priority_of_another_version(lead_client, area, draft):
    published_priority = draft.based_on.priorities.first()
    response = lead_client.post(
        url(area, "draft/indicators/new/"), indicator_post(published_priority)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Indicator.objects.filter(name=indicator_post(published_priority)["name"]).exists()


def test_an_impossible_baseline_date_is_an_error(lead_client, area, draft):
    priority = draft.priorities.first()
    response = lead_client.post(
        url(area, "draft/indicators/new/"),
        indicator_post(priority, baseline_date_0="31", baseline_date_1="2"),
    )
    assert response.status_code == 200
    assert "Baseline date must be a real date" in response.content.decode()


def test_lead_adds_and_changes_a_target(lead_client, area, draft):
    indicator = draft.indicators.first()
    response = lead_client.post(
        url(area, f"draft/indicators/{indicator.pk}/targets/new/"),
        {"value": "75", "basis": "absolute", **date_fields("date", date(2025, 7, 31))},
    )
    assert response.status_code == 302
    target = indicator.targets.get(date=date(2025, 7, 31))
    assert target.value == Decimal("75")

    response = lead_client.post(
        url(area, f"draft/targets/{target.pk}/change/"),
        {"value": "77.5", "basis": "absolute", **date_fields("date", date(2025, 7, 31))},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal("77.5")
    assert history(target, ChangeAction.UPDATED).exists()


def test_target_rules_from_the_model_show_on_the_form(lead_client, area, draft):
    """Target.clean: a gap target needs a comparator; the date must follow the baseline."""
    indicator = draft.indicators.first()
    response = lead_client.post(
        url(area, f"draft/indicators/{indicator.pk}/targets/new/"),
        {"value": "0", "basis": TargetBasis.RELATIVE, **date_fields("date", date(2025, 7, 31))},
    )
    assert response.status_code == 200
    assert "Choose a comparator for the indicator" in response.content.decode()
    assert response.context["form"].errors["basis"]

    response = lead_client.post(
        url(area, f"draft/indicators/{indicator.pk}/targets/new/"),
        {"value": "70", "basis": "absolute", **date_fields("date", date(2010, 7, 31))},
    )
    assert "Target date must be after the baseline date" in response.content.decode()
    assert not indicator.targets.filter(date__year=2010).exists()


def test_a_gap_target_is_accepted_once_the_indicator_has_a_comparator(lead_client, area, draft):
    comparator = ComparatorSeries.objects.create(
        name="GLD, England", geography="England", unit="percentage"
    )
    indicator = IndicatorFactory(priority=draft.priorities.first(), comparator=comparator)
    response = lead_client.post(
        url(area, f"draft/indicators/{indicator.pk}/targets/new/"),
        {"value": "0", "basis": TargetBasis.RELATIVE, **date_fields("date", date(2021, 7, 31))},
    )
    assert response.status_code == 302
    assert indicator.targets.get().basis == TargetBasis.RELATIVE


def test_a_second_target_on_the_same_date_is_an_error(lead_client, area, draft):
    target = Target.objects.filter(indicator__plan=draft).first()
    response = lead_client.post(
        url(area, f"draft/indicators/{target.indicator_id}/targets/new/"),
        {"value": "90", "basis": "absolute", **date_fields("date", target.date)},
    )
    assert "already has a target for" in response.content.decode()


def test_removing_an_indicator_removes_its_targets(lead_client, area, draft):
    indicator = draft.indicators.first()
    target_ids = list(indicator.targets.values_list("pk", flat=True))
    response = lead_client.post(url(area, f"draft/indicators/{indicator.pk}/remove/"))
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=indicator.pk).exists()
    assert not Target.objects.filter(pk__in=target_ids).exists()


# --- Actions ---------------------------------------------------------------------------


def action_post(priority, **overrides):
    return {
        "priority": str(priority.pk),
        "title": "Broker cornerstone employer encounters",
        "description": "Four encounters for every young person.",
        "lead_organisation": "",
        "owner": "Careers hub lead",
        "owner_user": "",
        "funding_stream": "",
        "budget": "12000.50",
        **date_fields("start_date", date(2018, 9, 1)),
        **date_fields("due_date", date(2020, 7, 31)),
        **overrides,
    }


def test_lead_adds_an_action_with_organisation_owner_and_funding(lead_client, area, lead, draft):
    from plans.models import FundingStream

    organisation = OrganisationFactory(name="Blackpool Careers Hub", area=area)
    board_member = UserFactory(role=Role.BOARD_MEMBER, area=area)
    els = FundingStream.objects.get(code="els")
    priority = draft.priorities.get(number=2)
    response = lead_client.post(
        url(area, "draft/actions/new/"),
        action_post(
            priority,
            lead_organisation=str(organisation.pk),
            owner_user=str(board_member.pk),
            funding_stream=str(els.pk),
        ),
    )
    assert response.status_code == 302
    action = Action.objects.get(plan=draft, title="Broker cornerstone employer encounters")
    assert action.lead_organisation == organisation
    assert action.owner_user == board_member
    assert action.funding_stream == els
    assert action.budget == Decimal("12000.50")
    assert history(action, ChangeAction.CREATED).get().changed_by == lead


def test_owner_account_must_belong_to_the_area(lead_client, area, other_area, draft):
    outsider = UserFactory(role=Role.BOARD_MEMBER, area=other_area)
    response = lead_client.post(
        url(area, "draft/actions/new/"),
        action_post(draft.priorities.first(), owner_user=str(outsider.pk)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner_user"]


def test_due_date_before_start_date_is_an_error(lead_client, area, draft):
    response = lead_client.post(
        url(area, "draft/actions/new/"),
        action_post(draft.priorities.first(), **date_fields("due_date", date(2018, 1, 1))),
    )
    assert response.status_code == 200
    assert "Due date must be the same as or after the start date" in response.content.decode()


def test_lead_changes_and_removes_an_action(lead_client, area, draft):
    action = draft.actions.first()
    response = lead_client.post(
        url(area, f"draft/actions/{action.pk}/change/"),
        action_post(action.priority, title="Renamed action"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Renamed action"
    assert lead_client.get(url(area, f"draft/actions/{action.pk}/remove/")).status_code == 200
    lead_client.post(url(area, f"draft/actions/{action.pk}/remove/"))
    assert not Action.objects.filter(pk=action.pk).exists()
    assert history(action, ChangeAction.DELETED).exists()


# --- Publishing --------------------------------------------------------------------------


def test_lead_publishes_the_draft_and_the_old_version_is_superseded(
    lead_client, area, lead, published, draft
):
    page = lead_client.get(url(area, "draft/publish/")).content.decode()
    assert f"Publish version {draft.version}" in page
    response = lead_client.post(url(area, "draft/publish/"))
    assert response.status_code == 302
    assert response["Location"] == url(area, "versions/")
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED
    assert draft.published_by == lead
    assert published.status == PlanStatus.SUPERSEDED
    page = lead_client.get(url(area, "versions/")).content.decode()
    assert "Superseded" in page
    assert "Edit the plan" in page


def test_publishing_an_empty_draft_says_why_not(lead_client, area, lead):
    DeliveryPlanFactory(area=area)
    response = lead_client.post(url(area, "draft/publish/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Add at least one priority before publishing the plan." in page
    assert DeliveryPlan.objects.get(area=area).status == PlanStatus.DRAFT


# --- Who may edit -------------------------------------------------------------------------


def edit_urls(area, draft):
    priority = draft.priorities.first()
    indicator = draft.indicators.first()
    target = Target.objects.filter(indicator__plan=draft).first()
    action = draft.actions.first()
    return [
        url(area, "draft/"),
        url(area, "draft/start/"),
        url(area, "draft/publish/"),
        url(area, "draft/priorities/new/"),
        url(area, f"draft/priorities/{priority.pk}/change/"),
        url(area, f"draft/priorities/{priority.pk}/remove/"),
        url(area, "draft/indicators/new/"),
        url(area, f"draft/indicators/{indicator.pk}/change/"),
        url(area, f"draft/indicators/{indicator.pk}/remove/"),
        url(area, f"draft/indicators/{indicator.pk}/targets/new/"),
        url(area, f"draft/targets/{target.pk}/change/"),
        url(area, f"draft/targets/{target.pk}/remove/"),
        url(area, "draft/actions/new/"),
        url(area, f"draft/actions/{action.pk}/change/"),
        url(area, f"draft/actions/{action.pk}/remove/"),
        url(area, "import/actions/"),
        url(area, "import/actions/check/"),
    ]


def _unchanged(draft):
    return (
        DeliveryPlan.objects.filter(area=draft.area).count(),
        list(Priority.objects.filter(plan=draft).values()),
        list(Action.objects.filter(plan=draft).values()),
        ChangeRecord.objects.count(),
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.BOARD_MEMBER, 403), (Role.DFE_STAFF, 403), (Role.SCHOOL_STAFF, 403)],
)
def test_only_the_lead_may_use_edit_pages(client, area, users, draft, role, expected):
    client.force_login(users[role])
    before = _unchanged(draft)
    for path in edit_urls(area, draft):
        assert client.post(path, {"title": "x", "number": "9"}).status_code == expected, path
        if not path.endswith("/start/"):
            assert client.get(path).status_code == expected, path
    assert _unchanged(draft) == before


def test_another_areas_lead_gets_404_everywhere(client, area, other_area, draft):
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=other_area))
    before = _unchanged(draft)
    for path in [*edit_urls(area, draft), url(area, "versions/"), url(area, "compare/")]:
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path
    assert _unchanged(draft) == before


def test_administrator_may_edit(client, area, users, draft):
    client.force_login(users[Role.ADMINISTRATOR])
    for path in edit_urls(area, draft):
        if not path.endswith(("/start/", "/check/")):
            assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [Role.DFE_STAFF, Role.BOARD_MEMBER])
def test_readers_see_versions_but_no_edit_links_or_drafts(client, area, users, draft, role):
    client.force_login(users[role])
    response = client.get(url(area, "versions/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version 1" in page
    assert f"Version {draft.version}" not in page
    assert "Edit the plan" not in page
    assert "/plan/draft/" not in page
    assert "import/actions" not in page
    assert ("import/measurements" in page) is (role == Role.BOARD_MEMBER)


def test_readers_cannot_compare_with_a_draft(client, area, users, draft):
    client.force_login(users[Role.DFE_STAFF])
    response = client.get(url(area, f"compare/?from=1&to={draft.version}"))
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert response.context["form"].errors["to"]


# --- Comparing versions ----------------------------------------------------------------------


@pytest.fixture
def edited_draft(area, lead, draft):
    """The draft with one priority renamed, one indicator added, one target
    changed, one target removed and one action removed."""
    priority = draft.priorities.get(number=1)
    services.plan_content_save(obj=priority, user=lead, title="Best start in life")
    services.plan_content_save(
        obj=Indicator(plan=draft),
        user=lead,
        priority=priority,
        name="Two-year-olds taking up funded childcare",
        unit="percentage",
        polarity="higher",
        baseline_value=Decimal("60"),
        baseline_date=date(2017, 1, 31),
        frequency_days=365,
    )
    first_target, second_target = Target.objects.filter(indicator__plan=draft).order_by(
        "indicator__priority__number", "date"
    )[:2]
    services.plan_content_save(obj=first_target, user=lead, value=Decimal("62.5"))
    services.plan_content_delete(obj=second_target, user=lead)
    action = draft.actions.get(priority__number=2)
    services.plan_content_delete(obj=action, user=lead)
    return draft


def test_comparison_matches_rows_by_lineage(published, edited_draft):
    comparison = plan_versions_compare(before=published, after=edited_draft)

    [priority] = comparison.priorities
    assert priority.change == Change.CHANGED
    assert [(f.label, f.before, f.after) for f in priority.fields] == [
        ("Title", "Strengthen early years outcomes", "Best start in life")
    ]
    [indicator] = comparison.indicators
    assert indicator.change == Change.ADDED
    assert indicator.name == "Two-year-olds taking up funded childcare"
    assert indicator.context == "Priority 1: Best start in life"
    assert {f.label: f.after for f in indicator.fields}["Baseline date"] == "31 January 2017"

    changes = {(row.change, row.name) for row in comparison.targets}
    assert (Change.CHANGED, "Target for 31 July 2019") in changes
    assert (Change.REMOVED, "Target for 31 July 2021") in changes
    changed_target = next(r for r in comparison.targets if r.change == Change.CHANGED)
    assert [(f.before, f.after) for f in changed_target.fields] == [("60", "62.5")]

    [action] = comparison.actions
    assert action.change == Change.REMOVED
    assert action.context.startswith("Priority 2")


def test_comparing_a_version_with_itself_finds_nothing(published):
    assert not plan_versions_compare(before=published, after=published).has_changes


def test_a_renumbered_priority_moves_its_indicators_without_changing_them(area, lead, draft):
    first, second = draft.priorities.order_by("number")
    services.plan_content_save(obj=first, user=lead, number=9)
    services.plan_content_save(obj=second, user=lead, number=1)
    comparison = plan_versions_compare(before=draft.based_on, after=draft)
    assert {row.change for row in comparison.priorities} == {Change.CHANGED}
    assert comparison.indicators == []
    assert comparison.actions == []


def test_compare_page_shows_field_level_changes(lead_client, area, published, edited_draft):
    response = lead_client.get(url(area, f"compare/?from=1&to={edited_draft.version}"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Changes from version 1 to version 2" in page
    assert "<del>Strengthen early years outcomes</del>" in page
    assert "<ins>Best start in life</ins>" in page
    assert "Two-year-olds taking up funded childcare" in page
    assert 'govuk-tag--green">Added' in page
    assert 'govuk-tag--red">Removed' in page


def test_compare_page_defaults_to_the_draft_against_its_base(lead_client, area, edited_draft):
    response = lead_client.get(url(area, "compare/"))
    comparison = response.context["comparison"]
    assert (comparison.before.version, comparison.after.version) == (1, 2)


def test_compare_page_explains_a_bad_version(lead_client, area, edited_draft):
    response = lead_client.get(url(area, "compare/?from=1&to=99"))
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert response.context["comparison"] is None


# --- Query budgets --------------------------------------------------------------------------


def _grow(draft, *, priorities):
    for _ in range(priorities):
        priority = PriorityFactory(plan=draft)
        for _ in range(3):
            indicator = IndicatorFactory(priority=priority)
            TargetFactory(indicator=indicator)
        for _ in range(4):
            ActionFactory(priority=priority)


@pytest.mark.parametrize("extra_priorities", [0, 6])
def test_draft_page_query_budget(
    lead_client, area, draft, extra_priorities, django_assert_max_num_queries
):
    _grow(draft, priorities=extra_priorities)
    with django_assert_max_num_queries(12):
        response = lead_client.get(url(area, "draft/"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra_versions", [0, 5])
def test_version_list_query_budget(
    lead_client, area, lead, published, extra_versions, django_assert_max_num_queries
):
    for _ in range(extra_versions):
        services.plan_publish(plan=services.plan_draft_start(area=area, user=lead), user=lead)
    with django_assert_max_num_queries(7):
        response = lead_client.get(url(area, "versions/"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra_priorities", [0, 6])
def test_compare_page_query_budget(
    lead_client, area, draft, extra_priorities, django_assert_max_num_queries
):
    _grow(draft, priorities=extra_priorities)
    with django_assert_max_num_queries(15):
        response = lead_client.get(url(area, f"compare/?from=1&to={draft.version}"))
    assert response.status_code == 200
