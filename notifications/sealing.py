"""Secrets at rest: the Slack bot token or Teams webhook URL HR enters is stored sealed.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``, already installed through django-allauth
and now a direct dependency) with a key derived from SECRET_KEY by HKDF, so a database dump alone
does not reveal the secret. Keys derived from SECRET_KEY_FALLBACKS still open old values, so a
SECRET_KEY rotation done the Django way keeps the chat connection working; without the old key
the value cannot be read and HR is asked to enter it again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"flipside.notifications.chat-secret.v1"


class SecretUnreadable(Exception):
    """The stored value was sealed with a key this deployment no longer has."""


def _key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"flipside", info=_INFO).derive(
        secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(k)) for k in keys])


def seal(plaintext: str) -> str:
    """Encrypt and authenticate ``plaintext`` with the current key."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """Decrypt a value made by :func:`seal` (with the current or a fallback key)."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadable from error


def mask(secret: str, *, visible: int = 4) -> str:
    """Show only the last characters: enough to recognise a value, never to use it."""
    if not secret:
        return ""
    if len(secret) <= visible * 2:
        return "•" * 8
    return "•" * 8 + secret[-visible:]
