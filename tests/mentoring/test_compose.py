"""docker-compose.yml is validated with compose-go's own loader (no Docker engine runs here)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import compose as compose_go
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The package's console script drops the binary's exit status (it always exits 0), so the
# tests call the bundled compose binary itself.
COMPOSE = Path(compose_go.__file__).parent / "docker-compose"


def compose(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPOSE), *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ["PATH"], "HOME": str(cwd), **env})


def test_the_compose_file_is_valid():
    result = compose("config", "-q", SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


def test_the_compose_file_runs_the_production_shape():
    result = compose("config", "--services", SECRET_KEY="x" * 60)
    assert set(result.stdout.split()) == {"migrate", "web", "worker", "beat", "db", "redis", "mail"}
    config = compose("config", "--format", "json", SECRET_KEY="x" * 60).stdout
    for variable in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert variable in config
    assert '"healthcheck"' in config


def test_the_compose_file_refuses_to_start_without_a_secret_key():
    result = compose("config", "-q")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_broken_compose_file_is_detected(tmp_path):
    broken = (ROOT / "docker-compose.yml").read_text().replace("services:", "servics:", 1)
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = compose("config", "-q", cwd=tmp_path, SECRET_KEY="x" * 60)
    assert result.returncode != 0


@pytest.mark.parametrize("path", ["Dockerfile", "requirements/base.txt"])
def test_the_image_installs_from_the_hash_locked_file(path):
    text = (ROOT / path).read_text()
    if path == "Dockerfile":
        assert "--require-hashes -r requirements/base.txt" in text
    else:
        assert "--hash=sha256:" in text
        assert "http" not in text  # no index or download URLs in the lock
