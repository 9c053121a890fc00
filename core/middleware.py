import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .services import second_factor_outstanding


class SecurityHeadersMiddleware:
    """Send the Content-Security-Policy and Permissions-Policy from settings
    on every response: pages, the API, static files (WhiteNoise sits inside
    this middleware) and error pages.

    The Content-Security-Policy allows no inline script or style; pages load
    GOV.UK Frontend and the service's own scripts from /static/.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionRenewalMiddleware:
    """Keeps a session alive while it is used without writing it on every
    request: an unchanged session is saved again (moving its expiry on by
    SESSION_COOKIE_AGE) once SESSION_RENEW_SECONDS have passed since it was
    last saved, so the idle sign-out comes between SESSION_COOKIE_AGE minus
    SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE after the last request."""

    RENEWED_AT = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(self.RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
            session[self.RENEWED_AT] = now
        return response


def session_renewed_at_sign_in(sender, request, user, **kwargs):
    """Signing in saves the session anyway: the next request need not."""
    if request is not None and hasattr(request, "session"):
        request.session[SessionRenewalMiddleware.RENEWED_AT] = int(time.time())


class SecondFactorRequiredMiddleware:
    """A session that owes a second factor (core.services.second_factor_outstanding)
    reaches nothing but the second-factor pages and sign-out: every other page,
    the admin site included, sends it to "Enter the code from your app".

    API views authenticate for themselves (a token is read inside the view),
    so they are left to core.tokens.VerifiedSessionAuthentication, which
    refuses such a session with 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_outstanding(request):
            return None
        view = getattr(view_func, "view_class", None) or view_func
        if getattr(view, "allowed_before_second_factor", False):
            return None
        if getattr(view_func, "cls", None) is not None and view_func.login_required is False:
            return None
        return redirect_to_login(request.get_full_path(), reverse("second-factor:sign-in"))
