"""Personal API tokens: create, revoke, and find the token a request presents.

A token reads ``oat_<prefix>_<secret>``: the prefix (8 hex characters) is not
secret and finds the row; the secret is 32 random bytes. Only the SHA-256 of
the whole token is stored, so a copy of the database cannot be used to call
the API. A hash without a salt or a slow function is enough here: the secret
is random and long, so there is nothing to guess from a dictionary.

Nothing here logs a token; the security log names tokens by prefix only.
"""

import hashlib
import hmac
import logging
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken
from .services import second_factor_outstanding

security_log = logging.getLogger("oatracker.security")

TOKEN_PREFIX = "oat"  # noqa: S105 (marks our tokens, e.g. for secret scanners)
PREFIX_BYTES = 4
SECRET_BYTES = 32
# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION_SECONDS = 60


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """A new token for ``user``. Returns the row and the token itself, which
    the caller shows once and does not keep."""
    for _ in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    token_hash=token_hash(raw),
                    expires_at=expires_at,
                )
        except IntegrityError:
            continue  # the random prefix is taken: draw another
        security_log.info("API token %s created for account %r", token.display_prefix, user.email)
        return token, raw
    raise RuntimeError("Could not draw an unused token prefix")


def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke ``token`` (its owner's own). Revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionError("Only a token's owner can revoke it")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        security_log.info("API token %s revoked by account %r", token.display_prefix, user.email)
    return token


def _parse(raw: str) -> str | None:
    """The prefix of a well-formed token, else None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[2]:
        return None
    prefix = parts[1]
    if len(prefix) != 2 * PREFIX_BYTES or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token whose secret is ``raw``, with its user; None for an
    unknown, revoked or expired token (the caller does not say which)."""
    prefix = _parse(raw)
    if prefix is None:
        security_log.warning("API request with a malformed token")
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(raw)):
        security_log.warning("API request with an unknown token (prefix oat_%s)", prefix)
        return None
    now = timezone.now()
    if not token.is_usable(now):
        security_log.warning("API request with a revoked or expired token %s", token.display_prefix)
        return None
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- For Django REST framework ---------------------------------------------------
# DRF imports the classes its settings name while rest_framework.views is
# itself being imported, so they live here, in a module that does not import
# DRF's views (core.api does).

AUTH_SCHEME = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a personal API token. A request
    without that header is left to the next method (the browser session)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != AUTH_SCHEME.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'.", code="invalid_token"
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = api_token_authenticate(raw) if raw else None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "The token is not valid: it is unknown, revoked or expired.", code="invalid_token"
            )
        return token.user, token

    def authenticate_header(self, request):
        return f'{AUTH_SCHEME} realm="api"'


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser session, once it has its second factor where one is owed
    (ADR 0012): a session that has only had a password is refused with 401,
    as the pages send it to "Enter the code from your app"."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and second_factor_outstanding(request._request):
            raise exceptions.AuthenticationFailed(
                "Finish signing in first: enter the code from your authenticator app.",
                code="second_factor_required",
            )
        return result


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Requests made with a token, counted per token. The rate is
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"]; browser sessions
    are not throttled here (sign-in is)."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
