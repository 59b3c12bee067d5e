"""The settings module: embedded default, production shape, and loud failures on bad values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentoring.env import Env

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], "
    "'db_name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND, "
    "'secret_len': len(s.SECRET_KEY), 'hosts': s.ALLOWED_HOSTS, 'tz': s.USE_TZ, "
    "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "'secure_cookie': getattr(s, 'SESSION_COOKIE_SECURE', False), "
    "'transport': s.CELERY_BROKER_TRANSPORT_OPTIONS}))"
)
PRODUCTION = {
    "DATABASE_URL": "postgres://app:s%40cret@db.internal:5432/flipside",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp://mailer:pw@smtp.internal:587?tls=true",
    "SECRET_KEY": "k" * 20 + "production-secret-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "flipside.example.com",
    "DEBUG": "false",
}


def run(code: str, env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    # Only PATH and the test's own variables: nothing from the developer's shell leaks in.
    clean = {"PATH": os.environ["PATH"], "VAR_DIR": str(tmp_path / "var"),
             "DJANGO_SETTINGS_MODULE": "mentoring.settings", **env}
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def probe(env: dict[str, str], tmp_path: Path) -> dict:
    result = run(PROBE, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_no_environment_it_runs_embedded(tmp_path):
    s = probe({}, tmp_path)
    assert s["debug"] is True
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(tmp_path / "var" / "flipside.sqlite3")
    assert s["broker"] == "filesystem://localhost/"  # a host name keeps kombu from warning
    assert s["transport"]["data_folder_in"] == s["transport"]["data_folder_out"]
    # Every folder the filesystem transport writes (queue, processed, exchange tables) is under var/.
    folders = {k: v for k, v in s["transport"].items() if k.endswith("_folder") or "folder_" in k}
    assert set(folders) == {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"}
    assert all(v.startswith(str(tmp_path / "var")) for v in folders.values()), folders
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["cache"].endswith("FileBasedCache")
    assert s["secret_len"] >= 50
    assert s["tz"] is True


def test_the_generated_development_secret_survives_a_restart(tmp_path):
    first = (run("import django; django.setup(); from django.conf import settings; "
                 "print(settings.SECRET_KEY)", {}, tmp_path).stdout.strip())
    second = (run("import django; django.setup(); from django.conf import settings; "
                  "print(settings.SECRET_KEY)", {}, tmp_path).stdout.strip())
    assert first and first == second
    assert oct((tmp_path / "var" / "dev-secret-key").stat().st_mode)[-3:] == "600"


def test_the_production_environment_gives_the_production_shape(tmp_path):
    s = probe(PRODUCTION, tmp_path)
    assert s["debug"] is False
    assert s["db"] == "django.db.backends.postgresql"
    assert s["db_name"] == "flipside"
    assert s["broker"] == "redis://cache.internal:6379/0"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["hosts"] == ["flipside.example.com"]
    assert s["hsts"] >= 31536000
    assert s["secure_cookie"] is True
    # A broker outage must not hang a request that enqueues work.
    assert s["transport"]["socket_connect_timeout"] <= 2


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = run("", PRODUCTION, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_production_forgets_hsts(tmp_path):
    result = run("", {**PRODUCTION, "SECURE_HSTS_SECONDS": "0"}, tmp_path,
                 "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "flase", "SECRET_KEY": "x" * 60}, "DEBUG='flase' is not a boolean"),
        ({"DEBUG": "false"}, "Set the environment variable SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 60}, "Set ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL must start with postgres://"),
        ({"SESSION_IDLE_SECONDS": "twelve"}, "SESSION_IDLE_SECONDS='twelve' is not a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_it(env, message, tmp_path):
    result = run("import django; django.setup()", env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_env_parses_database_urls_with_escaped_passwords():
    db = Env({"DATABASE_URL": "postgresql://u:p%2Fw@h:6543/name?sslmode=require"}).database(
        "DATABASE_URL", Path("unused"))
    parts = (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"])
    assert parts == ("u", "p/w", "h", "6543", "name")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_env_parses_email_urls():
    env = Env({"A": "smtps://u:p@mail:465", "B": "file:///tmp/mails", "C": ""})
    assert env.email("A")["EMAIL_USE_SSL"] is True
    assert env.email("B")["EMAIL_FILE_PATH"] == "/tmp/mails"
    assert env.email("C")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured, match="tls or ssl"):
        Env({"X": "smtp://h?tls=true&ssl=true"}).email("X")


def test_env_rejects_a_number_below_its_minimum():
    with pytest.raises(ImproperlyConfigured, match="must be at least 300"):
        Env({"N": "10"}).int("N", 5, minimum=300)


def test_static_files_collect_with_the_production_storage(tmp_path):
    # The Docker image runs this at build time; the hashed manifest storage fails on any
    # reference to a missing file (for example a vendored script's source map).
    result = run("", PRODUCTION, tmp_path, "collectstatic", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "var" / "static" / "staticfiles.json").read_text()
    assert "css/flipside.css" in manifest
    assert "vendor/htmx.min.js" in manifest
