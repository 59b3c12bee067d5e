"""Read configuration from the environment, failing loudly on a bad value.

Every setting that comes from the environment goes through these helpers, so a typo
such as ``DEBUG=flase`` stops the process at start-up with a message naming the
variable instead of silently running with a default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    """A typed view of an environment mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def has(self, name: str) -> bool:
        return bool(self.environ.get(name, "").strip())

    def str(self, name: str, default: str | None = None) -> str:
        value = self.environ.get(name, "").strip()
        if value:
            return value
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default

    def bool(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name, "").strip().lower()
        if not raw:
            return default
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
        return value

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]

    def database(self, name: str, default_sqlite: Path) -> dict:
        """Parse ``postgres://user:pass@host:port/db`` or ``sqlite:///path`` into DATABASES['default']."""
        raw = self.environ.get(name, "").strip()
        if not raw:
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
        url = urlsplit(raw)
        if url.scheme in {"postgres", "postgresql", "pgsql"}:
            if not url.path.strip("/"):
                raise ImproperlyConfigured(f"{name} names no database: {_redact(raw)}")
            options = {k: v[-1] for k, v in parse_qs(url.query).items()}
            return {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": unquote(url.path.lstrip("/")),
                "USER": unquote(url.username or ""),
                "PASSWORD": unquote(url.password or ""),
                "HOST": unquote(url.hostname or ""),
                "PORT": str(url.port or ""),
                "CONN_MAX_AGE": self.int("DB_CONN_MAX_AGE", 60, minimum=0),
                "CONN_HEALTH_CHECKS": True,
                "OPTIONS": options,
            }
        if url.scheme == "sqlite":
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(url.path) or ":memory:"}
        raise ImproperlyConfigured(
            f"{name} must start with postgres:// or sqlite://, got {url.scheme or 'nothing'}://"
        )

    def email(self, name: str) -> dict[str, object]:
        """Parse ``smtp://user:pass@host:587?tls=true`` (or console:// / file:///path) into settings."""
        raw = self.environ.get(name, "").strip()
        if not raw or raw.startswith("console:"):
            return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
        url = urlsplit(raw)
        if url.scheme == "file":
            return {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(url.path),
            }
        if url.scheme in {"smtp", "smtps"}:
            query = {k: v[-1].lower() for k, v in parse_qs(url.query).items()}
            ssl = url.scheme == "smtps" or query.get("ssl") in _TRUE
            tls = query.get("tls") in _TRUE
            if ssl and tls:
                raise ImproperlyConfigured(f"{name}: choose tls or ssl, not both.")
            return {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": url.hostname or "localhost",
                "EMAIL_PORT": url.port or (465 if ssl else 25),
                "EMAIL_HOST_USER": unquote(url.username or ""),
                "EMAIL_HOST_PASSWORD": unquote(url.password or ""),
                "EMAIL_USE_TLS": tls,
                "EMAIL_USE_SSL": ssl,
                "EMAIL_TIMEOUT": 10,
            }
        raise ImproperlyConfigured(f"{name} must be smtp://, smtps://, file:// or console://")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def served_origin(host: str, port: int) -> str:
    """The http:// origin a browser reaches a server listening on ``host``:``port`` at.

    A server bound to every interface (0.0.0.0, ::) is reached on the loopback address from this
    machine; an IPv6 address needs brackets in a URL.
    """
    host = host.strip().strip("[]") or "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a host name
        return f"http://{host}:{port}"
    if address.is_unspecified:
        return f"http://127.0.0.1:{port}"
    return f"http://[{host}]:{port}" if address.version == 6 else f"http://{host}:{port}"
