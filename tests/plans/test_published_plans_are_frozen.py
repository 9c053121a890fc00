"""A published (or superseded) plan version never changes: not through the
models, not through the services, not through any page."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from core.models import Role
from plans import services
from plans.models import (
    Action,
    DeliveryPlan,
    Indicator,
    PlanStatus,
    Priority,
    PublishedPlanError,
    Target,
)
from tests.plans.factories import published_plan_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(area):
    return published_plan_with(
        area, priorities=1, indicators_per_priority=1, actions_per_priority=1
    )


@pytest.fixture
def superseded(area, users):
    first = published_plan_with(
        area, priorities=1, indicators_per_priority=1, actions_per_priority=1
    )
    draft = services.plan_draft_start(area=area, user=users[Role.AREA_LEAD])
    services.plan_publish(plan=draft, user=users[Role.AREA_LEAD])
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    return first


def _rows(plan):
    """One row of each content model in `plan`, freshly read."""
    return {
        "priority": Priority.objects.get(plan=plan),
        "indicator": Indicator.objects.get(plan=plan),
        "target": Target.objects.filter(indicator__plan=plan).first(),
        "action": Action.objects.get(plan=plan),
    }


CHANGES = {
    "priority": ("title", "Renamed priority"),
    "indicator": ("name", "Renamed indicator"),
    "target": ("description", "Moved the goalposts"),
    "action": ("title", "Renamed action"),
}


@pytest.mark.parametrize("version", ["published", "superseded"])
@pytest.mark.parametrize("kind", list(CHANGES))
def test_content_rows_refuse_save(request, version, kind):
    plan = request.getfixturevalue(version)
    row = _rows(plan)[kind]
    field, value = CHANGES[kind]
    before = getattr(row, field)
    setattr(row, field, value)
    with pytest.raises(PublishedPlanError):
        row.save()
    row.refresh_from_db()
    assert getattr(row, field) == before


@pytest.mark.parametrize("version", ["published", "superseded"])
@pytest.mark.parametrize("kind", list(CHANGES))
def test_content_rows_refuse_delete(request, version, kind):
    plan = request.getfixturevalue(version)
    row = _rows(plan)[kind]
    with pytest.raises(PublishedPlanError):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("kind", list(CHANGES))
def test_new_content_cannot_be_added_to_a_published_version(published, kind):
    rows = _rows(published)
    row = rows[kind]
    row.pk = None
    if kind == "target":
        row.date = row.date.replace(year=row.date.year + 5)
    with pytest.raises(PublishedPlanError):
        row.save()


@pytest.mark.parametrize("version", ["published", "superseded"])
def test_plan_version_refuses_save_and_delete(request, version):
    plan = request.getfixturevalue(version)
    plan.title = "A quietly rewritten plan"
    with pytest.raises(PublishedPlanError):
        plan.save()
    with pytest.raises(PublishedPlanError):
        plan.delete()
    stored = DeliveryPlan.objects.get(pk=plan.pk)
    assert stored.title != "A quietly rewritten plan"


def test_a_published_version_cannot_go_back_to_draft(published):
    published.status = PlanStatus.DRAFT
    with pytest.raises(PublishedPlanError):
        published.save()


@pytest.mark.parametrize("kind", list(CHANGES))
def test_services_refuse_to_change_published_content(published, users, kind):
    lead = users[Role.AREA_LEAD]
    row = _rows(published)[kind]
    field, value = CHANGES[kind]
    with pytest.raises(PublishedPlanError):
        services.plan_content_save(obj=row, user=lead, **{field: value})
    with pytest.raises(PublishedPlanError):
        services.plan_content_delete(obj=_rows(published)[kind], user=lead)
    assert getattr(_rows(published)[kind], field) != value


def test_publishing_a_published_version_again_is_refused(published, users):
    with pytest.raises(PublishedPlanError):
        services.plan_publish(plan=published, user=users[Role.AREA_LEAD])


# --- Through the pages ---------------------------------------------------------


def _published_row_urls(area, rows):
    slug = area.slug
    return [
        f"/areas/{slug}/plan/draft/priorities/{rows['priority'].pk}/change/",
        f"/areas/{slug}/plan/draft/priorities/{rows['priority'].pk}/remove/",
        f"/areas/{slug}/plan/draft/indicators/{rows['indicator'].pk}/change/",
        f"/areas/{slug}/plan/draft/indicators/{rows['indicator'].pk}/remove/",
        f"/areas/{slug}/plan/draft/indicators/{rows['indicator'].pk}/targets/new/",
        f"/areas/{slug}/plan/draft/targets/{rows['target'].pk}/change/",
        f"/areas/{slug}/plan/draft/targets/{rows['target'].pk}/remove/",
        f"/areas/{slug}/plan/draft/actions/{rows['action'].pk}/change/",
        f"/areas/{slug}/plan/draft/actions/{rows['action'].pk}/remove/",
    ]


def _content_snapshot(plan):
    return (
        list(Priority.objects.filter(plan=plan).values()),
        list(Indicator.objects.filter(plan=plan).values()),
        list(Target.objects.filter(indicator__plan=plan).values()),
        list(Action.objects.filter(plan=plan).values()),
    )


@pytest.mark.parametrize("with_draft", [False, True], ids=["no draft", "draft open"])
def test_posts_aimed_at_published_rows_are_404_and_change_nothing(
    client, area, users, published, with_draft
):
    lead = users[Role.AREA_LEAD]
    if with_draft:
        services.plan_draft_start(area=area, user=lead)
    client.force_login(lead)
    before = _content_snapshot(published)
    post = {
        "number": "7",
        "title": "Hijacked",
        "life_stage": "primary",
        "name": "Hijacked",
        "date_0": "31",
        "date_1": "7",
        "date_2": "2030",
        "value": "99",
        "basis": "absolute",
    }
    for url in _published_row_urls(area, _rows(published)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, post).status_code == 404, url
    assert _content_snapshot(published) == before


def test_publish_page_without_a_draft_is_404_and_changes_nothing(client, area, users, published):
    client.force_login(users[Role.AREA_LEAD])
    response = client.post(f"/areas/{area.slug}/plan/draft/publish/")
    assert response.status_code == 404
    published.refresh_from_db()
    assert published.status == PlanStatus.PUBLISHED


def test_a_new_row_cannot_be_attached_to_a_published_priority(client, area, users, published):
    lead = users[Role.AREA_LEAD]
    draft = services.plan_draft_start(area=area, user=lead)
    client.force_login(lead)
    published_priority = _rows(published)["priority"]
    response = client.post(
        f"/areas/{area.slug}/plan/draft/actions/new/",
        {
            "priority": published_priority.pk,
            "title": "Smuggled action",
            "owner": "Someone",
            "budget": "0",
            "start_date_0": "1",
            "start_date_1": "9",
            "start_date_2": "2020",
            "due_date_0": "1",
            "due_date_1": "9",
            "due_date_2": "2021",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.filter(title="Smuggled action").exists()
    assert draft.actions.count() == 1


# --- Services never bypass the models' checks ------------------------------------

WRITING_MODULES = ["plans/services.py", "plans/imports.py", "plans/edit_views.py", "plans/tasks.py"]


@pytest.mark.parametrize("module", WRITING_MODULES)
def test_no_queryset_update_in_code_that_writes_plans(module):
    """QuerySet.update() skips save(), so it would skip the frozen-version
    check and the history; the code that writes plans never calls it."""
    tree = ast.parse((Path(settings.BASE_DIR) / module).read_text())
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"update", "bulk_update", "bulk_create"}
    ]
    assert calls == [], f"{module} calls update/bulk_update/bulk_create on lines {calls}"
