"""The admin site loads every registered model's list and add pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: f"{m._meta.app_label}.{m._meta.model_name}"
)
def test_admin_pages_load_for_administrators(client, model, reference_areas):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )


def test_admin_is_closed_to_everyone_else(client, area):
    client.force_login(UserFactory(role=Role.AREA_LEAD, area=area))
    response = client.get("/admin/")
    assert response.status_code == 302
