"""Writes that every app shares: sign-in throttling and the second factor
(ADR 0012).

The security log names an account by its id, never by what was typed: a
password typed into the email box must not end up in a log. Nothing here
logs a password, a code or a recovery code.
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .history import change_record
from .models import ChangeAction, User
from .tasks import sign_in_failures_alert_send

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


# --- Failed sign-ins --------------------------------------------------------------


def _normalised(email: str) -> str:
    return email.strip().lower()


def _key(kind: str, *values: str) -> str:
    digest = hashlib.sha256("\0".join(_normalised(v) for v in values).encode()).hexdigest()[:32]
    return f"sign-in:{kind}:{digest}"


def _count(key: str, window: int) -> int:
    """Add one to a counter that lives for ``window`` seconds from its first
    failure (a fixed window)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _account_label(user) -> str:
    return f"account #{user.pk}" if user is not None else "an unknown account"


def _account_for(email: str):
    return User.objects.filter(email__iexact=_normalised(email)).first() if email else None


def sign_in_wait_seconds(*, email: str, address: str) -> int:
    """How long this address must wait before it may try this account again;
    0 when it may try now. Nothing here refuses an account everywhere, so a
    stranger's failures never stop its owner signing in from elsewhere."""
    keys = [
        _key("address-locked", address),
        _key("pair-locked", email, address),
        _key("pair-wait", email, address),
    ]
    until = max(cache.get_many(keys).values(), default=0)
    return max(0, int(until - time.time() + 0.999))


def wait_text(seconds: int) -> str:
    """A wait for people to read: seconds under a minute, else minutes
    rounded up."""
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def sign_in_failure_record(*, email: str, address: str) -> None:
    """Count a failed sign-in against the account and address together, the
    address alone, and the account alone (for the owner's alert only)."""
    window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
    now = time.time()
    pair_failures = _count(_key("pair-failures", email, address), window)
    address_failures = _count(_key("address-failures", address), window)
    account_failures = _count(_key("account-failures", email), window)

    if pair_failures >= settings.SIGN_IN_THROTTLE_PER_ACCOUNT_AND_ADDRESS:
        cache.set(_key("pair-locked", email, address), now + window, timeout=window)
    elif pair_failures > settings.SIGN_IN_FREE_ATTEMPTS:
        delay = 2 ** (pair_failures - settings.SIGN_IN_FREE_ATTEMPTS)
        cache.set(_key("pair-wait", email, address), now + delay, timeout=delay)
    if address_failures >= settings.SIGN_IN_THROTTLE_PER_ADDRESS:
        cache.set(_key("address-locked", address), now + window, timeout=window)

    user = _account_for(email)
    security_log.warning("Failed sign-in for %s from %s", _account_label(user), address)
    if (
        user is not None
        and user.is_active
        and account_failures >= settings.SIGN_IN_ALERT_AFTER_FAILURES
        and cache.add(_key("account-alerted", email), True, timeout=window)
    ):
        sign_in_failures_alert_send.delay(user_id=user.pk, failures=account_failures)


def sign_in_refusal_record(*, email: str, address: str) -> None:
    user = _account_for(email)
    security_log.warning("Throttled sign-in refused for %s from %s", _account_label(user), address)


def sign_in_success_record(*, user, address: str) -> None:
    """The password was right: this address may try this account freely again."""
    cache.delete_many(
        [_key("pair-failures", user.email, address), _key("pair-wait", user.email, address)]
    )
    security_log.info("Password accepted for %s from %s", _account_label(user), address)


# --- The second factor ------------------------------------------------------------

# Set at sign-in for a user who chose a second factor though their role does
# not need one: the session is not signed in until they enter a code.
SECOND_FACTOR_CHOSEN_SESSION_KEY = "second_factor_chosen"
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_CODE_LENGTH = 16  # 80 random bits


def authenticator_for(user, *, confirmed=True):
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).first()


def recovery_codes_for(user):
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return authenticator_for(user) is not None


def second_factor_outstanding(request) -> bool:
    """The session has a password but still owes a code: the role needs a
    second factor, or the user set one up for themselves."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return user.second_factor_required or request.session.get(
        SECOND_FACTOR_CHOSEN_SESSION_KEY, False
    )


def second_factor_sign_in_start(*, request, user) -> bool:
    """After the password: whether the session now owes a code."""
    if has_second_factor(user):
        request.session[SECOND_FACTOR_CHOSEN_SESSION_KEY] = True
        return True
    return user.second_factor_required


def _recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: a SHA-256 prefix of its normalised
    text. The code is 80 random bits, so an unsalted hash leaves nothing to
    guess from a dictionary, as for API tokens (core.tokens)."""
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


def _recovery_code_draw() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """New recovery codes for ``user``, replacing any left. Returns the codes,
    which the caller shows once and does not keep."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [_recovery_code_draw() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=_recovery_code_digest(code)) for code in codes
    )
    security_log.info("Recovery codes replaced for %s", _account_label(user))
    return codes


def authenticator_set_up_start(*, user) -> TOTPDevice:
    """The authenticator app being set up: the same secret until it is
    confirmed, so reloading the page does not change the QR code."""
    device = authenticator_for(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _verify(device, code: str, *, wrong_code_message: str):
    """Check ``code`` against ``device`` (locked for update, so two requests
    cannot both use one code). django-otp doubles the wait after each wrong
    code for that device; the count of wrong codes is committed before the
    error is raised."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, refusal = device.verify_is_allowed()
        accepted = allowed and device.verify_token(code)
    if not allowed:
        seconds = max(1, int((refusal["locked_until"] - timezone.now()).total_seconds() + 0.999))
        raise ValidationError(
            f"There have been too many wrong codes. Wait {wait_text(seconds)} and try again.",
            code="throttled",
        )
    if not accepted:
        raise ValidationError(wrong_code_message, code="invalid")
    return device


WRONG_APP_CODE = "The code is not correct. Enter the code shown in your authenticator app now."


def authenticator_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app being set up with a code from it. It replaces any app
    set up before, the session counts as signed in with it, and the user gets
    new recovery codes (returned, to be shown once)."""
    device = _verify(device, code, wrong_code_message=WRONG_APP_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(user=device.user)
    _second_factor_accepted(request, device)
    security_log.info("Authenticator app set up for %s", _account_label(device.user))
    return codes


def second_factor_sign_in_with_app(*, request, code: str) -> None:
    device = authenticator_for(request.user)
    if device is None:
        raise ValidationError("You have not set up an authenticator app.", code="no_device")
    _second_factor_accepted(request, _verify(device, code, wrong_code_message=WRONG_APP_CODE))


def second_factor_sign_in_with_recovery_code(*, request, code: str) -> int:
    """Sign in with a recovery code, which then stops working. Returns how
    many codes are left."""
    device = recovery_codes_for(request.user)
    wrong = "The recovery code is not correct, or it has been used already."
    if device is None:
        raise ValidationError(wrong, code="invalid")
    device = _verify(device, _recovery_code_digest(code), wrong_code_message=wrong)
    _second_factor_accepted(request, device)
    left = device.token_set.count()
    security_log.info("Recovery code used by %s (%d left)", _account_label(request.user), left)
    return left


def _second_factor_accepted(request, device) -> None:
    # A new session key: the half-signed-in session's key is no longer valid.
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(SECOND_FACTOR_CHOSEN_SESSION_KEY, None)
    security_log.info("Second factor accepted for %s", _account_label(request.user))


def _second_factor_summary(user) -> str:
    app = authenticator_for(user)
    codes = recovery_codes_for(user)
    parts = []
    if app is not None:
        parts.append("authenticator app")
    if codes is not None:
        parts.append(f"{codes.token_set.count()} recovery codes")
    return " and ".join(parts) or "none"


@transaction.atomic
def second_factor_reset(*, user, reset_by) -> None:
    """An administrator removes a user's authenticator app and recovery codes
    (a lost phone). The user sets a new one up at their next sign-in (or
    signs in with a password alone, if their role needs no second factor);
    sessions verified with the old app stop counting as verified. Recorded
    in the change history."""
    before = {"second factor": _second_factor_summary(user)}
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    change_record(
        obj=user,
        user=reset_by,
        action=ChangeAction.UPDATED,
        before=before,
        after={"second factor": "reset"},
    )
    security_log.warning(
        "Second factor reset for %s by %s", _account_label(user), _account_label(reset_by)
    )


def sessions_expired_delete() -> int:
    """Delete the sessions past their expiry date; how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
