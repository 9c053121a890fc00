import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured

from encounters.pseudonymisation import (
    InvalidUPN,
    check_letter,
    upn_hash,
    upn_matches,
    validated_upn,
)


def test_check_letter_follows_the_dfe_specification():
    # (8x2)+(1x4)+(2x5)+(5x10)+(1x13) = 93; 93 mod 23 = 1 -> B
    assert check_letter("B801200005001") == "B"
    assert validated_upn(" b801 2000 05001 ") == "B801200005001"


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A801200005001", "check letter"),
        ("B80120000500", "13 characters"),
        ("I801200005001", "13 characters"),
        ("S801200005001", "13 characters"),
        ("B80120000500S", "13 characters"),
        ("B80120000X001", "13 characters"),
    ],
)
def test_invalid_upns_are_refused_without_echoing_them(upn, message):
    with pytest.raises(InvalidUPN) as error:
        validated_upn(upn)
    assert message in str(error.value)
    assert upn not in str(error.value)


def test_hash_is_keyed_and_normalised(settings):
    first = upn_hash("B801200005001")
    assert first == upn_hash("b801200005001 ")
    assert len(first) == 64
    assert "B801200005001" not in first
    assert upn_matches("B801200005001", first)
    settings.PUPIL_HASH_KEY = "another-key"
    assert not hmac.compare_digest(upn_hash("B801200005001"), first)


def test_no_key_no_hash(settings):
    settings.PUPIL_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        upn_hash("B801200005001")
