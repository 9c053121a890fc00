from django.contrib import admin
from django.urls import include, path

from areas import views as area_views
from core import views as core_views

urlpatterns = [
    path("", core_views.StartView.as_view(), name="start"),
    path("home/", area_views.HomeView.as_view(), name="home"),
    path("sign-in/", core_views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", core_views.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", core_views.SignedOutView.as_view(), name="signed-out"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "accessibility-statement/",
        core_views.AccessibilityStatementView.as_view(),
        name="accessibility",
    ),
    path("privacy/", core_views.PrivacyNoticeView.as_view(), name="privacy"),
    path("cookies/", core_views.CookiesView.as_view(), name="cookies"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("", include("core.api_token_urls")),
    path("", include("core.second_factor_urls")),
    path("", include("areas.urls")),
    path("", include("partners.urls")),
    path("", include("plans.urls")),
    path("", include("encounters.urls")),
    path("", include("reports.urls")),
    path("", include("dashboard.urls")),
    path("", include("releases.urls")),
    path("", include("evidence.urls")),
]
