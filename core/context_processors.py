from django.conf import settings
from django.urls import reverse

from .models import Role
from .services import second_factor_outstanding


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": "Beta",
        "service_navigation": _navigation(request),
    }


def _navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or second_factor_outstanding(request):
        return []
    items = [("Home", reverse("home"))]
    if user.role == Role.SCHOOL_STAFF:
        items.append(("Your schools", reverse("areas:school-list")))
    else:
        items.append(("Areas", reverse("areas:list")))
        items.append(("Schools", reverse("areas:school-list")))
    if user.role in (Role.DFE_STAFF, Role.ADMINISTRATOR):
        items.append(("Dashboard", reverse("dashboard:dashboard")))
    items.append(("Releases", reverse("releases:list")))
    if user.role == Role.ADMINISTRATOR:
        items.append(("Admin", reverse("admin:index")))
    return [
        {"text": text, "href": href, "active": request.path.startswith(href)}
        for text, href in items
    ]
