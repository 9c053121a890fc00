"""REST API: v1 under /api/v1/, the OpenAPI document at /api/schema/ and its
documentation at /api/docs/.

Each app's api.py lists its ROUTES as (prefix, viewset, basename); an app
joins the API by adding its module to API_MODULES. Any other address under
/api/ is a 404 in the API's error format.
"""

from importlib import import_module

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from core.api import ApiDocsView, ApiNotFoundView, ApiSchemaView

API_MODULES = [
    "areas.api",
    "partners.api",
    "plans.api",
    "encounters.api",
    "reports.api",
    "dashboard.api",
]

router = SimpleRouter()
for module in API_MODULES:
    for prefix, viewset, basename in import_module(module).ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(), name="api-docs"),
    re_path(r"^", ApiNotFoundView.as_view(), name="api-not-found"),
]
