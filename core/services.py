"""Writes that every app shares: sign-in throttling."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

security_log = logging.getLogger("oatracker.security")


def client_address(request) -> str:
    """The client's address, trusting only the configured number of proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"sign-in-failures:{kind}:{digest}"


def sign_in_is_throttled(*, email: str, address: str) -> bool:
    failures = cache.get_many([_key("account", email), _key("address", address)])
    return (
        failures.get(_key("account", email), 0) >= settings.SIGN_IN_THROTTLE_PER_ACCOUNT
        or failures.get(_key("address", address), 0) >= settings.SIGN_IN_THROTTLE_PER_ADDRESS
    )


def sign_in_failure_record(*, email: str, address: str) -> None:
    """Count a failed sign-in against the account and the client address."""
    window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
    for key in (_key("account", email), _key("address", address)):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)
    security_log.warning("Failed sign-in for account %r from %s", email, address)


def sign_in_refusal_record(*, email: str, address: str) -> None:
    security_log.warning("Throttled sign-in refused for account %r from %s", email, address)


def sign_in_success_record(*, email: str, address: str) -> None:
    cache.delete(_key("account", email))
    security_log.info("Signed in: account %r from %s", email, address)
