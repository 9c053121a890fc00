from django.conf import settings


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
