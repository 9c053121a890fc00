"""Reads that every app shares."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    expires: str


def essential_cookies() -> list[Cookie]:
    """The cookies the service sets, named as settings name them, for the
    cookies page. All are essential: the service sets no analytics cookies."""
    idle = _duration(settings.SESSION_COOKIE_AGE)
    session_expires = (
        f"When you close your browser, or after {idle} without activity"
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else f"After {idle} without activity"
    )
    return [
        Cookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose="Keeps you signed in as you move from page to page",
            expires=session_expires,
        ),
        Cookie(
            name=settings.CSRF_COOKIE_NAME,
            purpose=(
                "Protects the forms you fill in from being sent by another website "
                "(cross-site request forgery)"
            ),
            expires=_duration(settings.CSRF_COOKIE_AGE),
        ),
        Cookie(
            name=CookieStorage.cookie_name,
            purpose="Carries a confirmation, such as ‘Action updated’, to the next page you see",
            expires="When that page has shown it, or when you close your browser",
        ),
    ]


def _duration(seconds: int) -> str:
    for unit, size in (("week", 7 * 24 * 60 * 60), ("day", 24 * 60 * 60), ("hour", 60 * 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
