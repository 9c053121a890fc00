"""Unique Pupil Numbers are never stored, logged or shown in clear: only a
keyed hash (HMAC-SHA256 with settings.PUPIL_HASH_KEY, held outside the
database) so that a pupil who moves school can be matched.

The check letter follows the DfE UPN specification: weights 2 to 13 on
characters 2 to 13, the sum modulo 23 mapped to the letters below (no I, O
or S). A temporary UPN ends in a letter, which counts as its position in
the same alphabet.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# The letters are the check letters' alphabet: a UPN with an I, O or S in it
# is not one (and S once reached check_letter, which has no value for it).
_UPN_FORMAT = re.compile(r"[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]", re.ASCII)


class InvalidUPN(ValueError):
    """The message never contains the UPN itself."""


def normalise_upn(raw: str) -> str:
    return "".join(raw.split()).upper()


def check_letter(upn: str) -> str:
    total = 0
    for weight, char in enumerate(upn[1:13], start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += weight * value
    return CHECK_LETTERS[total % 23]


def validated_upn(raw: str) -> str:
    upn = normalise_upn(raw)
    if not _UPN_FORMAT.fullmatch(upn):
        raise InvalidUPN("UPN must be 13 characters: a letter then 12 digits")
    if check_letter(upn) != upn[0]:
        raise InvalidUPN("UPN check letter is wrong")
    return upn


def upn_hash(raw: str) -> str:
    """The keyed hash of a UPN (validated and normalised first)."""
    key = settings.PUPIL_HASH_KEY
    if not key:
        raise ImproperlyConfigured("PUPIL_HASH_KEY must be set to store pupils")
    upn = validated_upn(raw)
    return hmac.new(key.encode(), upn.encode(), hashlib.sha256).hexdigest()


def upn_matches(raw: str, stored_hash: str) -> bool:
    try:
        return hmac.compare_digest(upn_hash(raw), stored_hash)
    except InvalidUPN:
        return False


def upn_with_check_letter(digits: str) -> str:
    """A valid UPN for 12 characters (demo data and tests)."""
    return check_letter("A" + digits) + digits
