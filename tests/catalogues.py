"""pytest plugin: compile the translation catalogues before any test runs (listed in tests/conftest.py).

The .mo files are built, never committed: whenever a .po is newer than its .mo it is compiled here, so
German pages and e-mails work however the tests are started (make test, a single file, xdist).
Written to a temporary file and renamed, so parallel test processes never read half a catalogue.
"""

from __future__ import annotations

import os
import re
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


def po_entries(text: str) -> list[dict[str, str]]:
    """Each live entry of a .po file but the header: its fields (msgctxt, msgid, msgid_plural, msgstr,
    msgstr[n]) with continuation lines joined; comments and obsolete (#~) entries skipped."""
    found = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif key and line.startswith('"'):
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            found.append(fields)
    return found
