"""A bare Django project for bench/throughput.py: one JSON view, no
database, no middleware, served by gunicorn with the same settings as the
service, so the two are measured alike in one run."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only",  # noqa: S106
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

ROWS = [{"id": n, "name": f"Area {n}", "code": f"OA{n:02}"} for n in range(1, 13)]


def rows(request):
    return JsonResponse({"count": len(ROWS), "results": ROWS})


urlpatterns = [path("rows/", rows)]

application = get_wsgi_application()
