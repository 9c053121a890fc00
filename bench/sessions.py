"""Signed-in sessions for the benchmarks, made without the sign-in pages:
the password step's session keys and, for a role that needs one, the
second factor's (an authenticator set up for the user if they have none)."""

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import SessionRenewalMiddleware


def signed_in_session(user) -> str:
    """A new session for ``user``, signed in with both factors; its key."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SessionRenewalMiddleware.RENEWED_AT] = int(time.time())
    if user.second_factor_required:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key
