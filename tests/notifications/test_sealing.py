from __future__ import annotations

import pytest

from notifications.sealing import SecretUnreadable, mask, seal, unseal

TOKEN = "xoxb-123456789012-abcdefghijkl"


def test_a_sealed_secret_does_not_contain_the_secret_and_opens_again(settings):
    sealed = seal(TOKEN)
    assert TOKEN not in sealed and "abcdefghijkl" not in sealed
    assert unseal(sealed) == TOKEN
    assert seal(TOKEN) != sealed  # a fresh IV each time: equal secrets do not look equal at rest


def test_a_secret_sealed_under_another_secret_key_cannot_be_read(settings):
    sealed = seal(TOKEN)
    settings.SECRET_KEY = "a-completely-different-secret-key-for-this-test"
    with pytest.raises(SecretUnreadable):
        unseal(sealed)


def test_a_rotated_secret_key_still_opens_old_values_through_the_fallbacks(settings):
    old = settings.SECRET_KEY
    sealed = seal(TOKEN)
    settings.SECRET_KEY = "the-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert unseal(sealed) == TOKEN


def test_tampered_or_foreign_values_are_unreadable():
    sealed = seal(TOKEN)
    with pytest.raises(SecretUnreadable):
        unseal(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))
    with pytest.raises(SecretUnreadable):
        unseal("not a token at all")


def test_masking_shows_only_the_last_four_characters():
    assert mask(TOKEN) == "••••••••ijkl"
    assert mask("short") == "••••••••"
    assert mask("") == ""
