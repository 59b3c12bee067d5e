"""pytest plugin: compile the translation catalogues before any test runs (listed in tests/conftest.py).

The .mo files are built, never committed: whenever a .po is newer than its .mo it is compiled here, so
German pages and e-mails work however the tests are started (make test, a single file, xdist).
Written to a temporary file and renamed, so parallel test processes never read half a catalogue.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_catalogues() -> None:
    for po in ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        subprocess.run(["msgfmt", "--check", "-o", str(partial), str(po)], check=True)  # noqa: S603, S607
        os.replace(partial, mo)


def pytest_configure(config):
    compile_catalogues()
