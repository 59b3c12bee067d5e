"""The German catalogue compiles cleanly and holds no fuzzy (machine-guessed) entry.

Completeness (no untranslated entry) is tests/accounts/test_catalogue_complete.py; `make messages-check`
prints the counts.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"


def test_the_german_catalogue_passes_msgfmt_check():
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)],  # noqa: S603, S607
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_german_catalogue_has_no_fuzzy_entry():
    text = PO.read_text(encoding="utf-8")
    fuzzy = [m.group(0) for m in re.finditer(r"^#,.*\bfuzzy\b.*\n(?:#.*\n)*msgid .*$", text, re.M)]
    assert fuzzy == []


def test_the_catalogue_says_it_is_german_with_german_plurals():
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: de\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert "charset=UTF-8" in header


def test_the_compiled_catalogue_is_built_not_committed():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.mo" in ignored
