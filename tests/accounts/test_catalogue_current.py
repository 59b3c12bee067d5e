"""DRIFT GATE: the German catalogue holds exactly the strings the code and templates mark for translation.

A string marked with ``gettext``/``{% translate %}`` but missing from locale/de/LC_MESSAGES/django.po is
shown in English to German readers, and test_catalogue_complete.py cannot see it (it only reads the
.po). This test runs Django's own ``makemessages`` — the very command ``make messages`` runs, with the
Makefile's ignore list — on a copy of the source tree in a temporary directory, so the committed
catalogue is never rewritten, and compares the entries (msgctxt, msgid, msgid_plural) both ways:
missing ones mean someone forgot ``make messages``; stale ones are strings the code no longer has.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from tests.catalogues import po_entries

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
# The only files makemessages reads for the "django" domain, plus the catalogue it merges into.
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".po"}


def makefile_ignores() -> list[str]:
    """The Makefile's MESSAGE_IGNORES, so this test and `make messages` can never disagree."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^MESSAGE_IGNORES\s*:=((?:.*\\\n)*.*)$", makefile, re.M)
    assert block, "MESSAGE_IGNORES not found in the Makefile"
    return re.findall(r"--ignore=(\S+)", block.group(1))


def entry_keys(text: str) -> set[tuple[str, str, str]]:
    """(msgctxt, msgid, msgid_plural) of every live entry but the header; obsolete (#~) entries skipped."""
    return {(e.get("msgctxt", ""), e["msgid"], e.get("msgid_plural", "")) for e in po_entries(text)}


def copy_sources(destination: Path, ignores: list[str]) -> None:
    skipped_dirs = set(ignores) | {".git", "node_modules", "__pycache__"}

    def ignore(directory: str, names: list[str]) -> list[str]:
        here = Path(directory)
        return [
            name for name in names
            if (name in skipped_dirs or name.startswith("."))
            if (here / name).is_dir()
        ] + [
            name for name in names
            if (here / name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES
        ]

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)


def regenerated_keys(tmp_path: Path, monkeypatch) -> set[tuple[str, str, str]]:
    ignores = makefile_ignores()
    copy = tmp_path / "src"
    copy_sources(copy, ignores)
    monkeypatch.chdir(copy)
    # makemessages writes into settings.LOCALE_PATHS: point it at the copy, never at the real catalogue.
    monkeypatch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
    call_command("makemessages", locale=["de"], no_obsolete=True, add_location="file",
                 ignore_patterns=ignores, verbosity=0)
    return entry_keys((copy / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def describe(keys: set[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {f'[{ctx}] ' if ctx else ''}{msgid!r}" for ctx, msgid, _ in sorted(keys)[:15])


def test_the_german_catalogue_has_every_marked_string_and_no_stale_one(tmp_path, monkeypatch):
    committed = entry_keys(PO.read_text(encoding="utf-8"))
    current = regenerated_keys(tmp_path, monkeypatch)
    assert len(current) > 1000  # makemessages really read the project
    missing = current - committed
    stale = committed - current
    assert not missing, (f"{len(missing)} marked string(s) not in django.po; run `make messages` and "
                         f"translate them:\n{describe(missing)}")
    assert not stale, (f"{len(stale)} entr(y/ies) in django.po no longer in the code; run `make messages`:"
                       f"\n{describe(stale)}")


def test_the_entry_reader_tells_contexts_and_plurals_apart():
    text = (
        'msgid ""\nmsgstr "Language: de\\n"\n\n'
        'msgid "May"\nmsgstr "Mai"\n\n'
        'msgctxt "verb"\nmsgid "May"\nmsgstr "Darf"\n\n'
        'msgid "%(n)s pair"\nmsgid_plural "%(n)s pairs"\n'
        'msgstr[0] "%(n)s Tandem"\nmsgstr[1] "%(n)s Tandems"\n\n'
        'msgid ""\n"Long "\n"text"\nmsgstr "Langer Text"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Weg"\n'
    )
    assert entry_keys(text) == {
        ("", "May", ""), ("verb", "May", ""), ("", "%(n)s pair", "%(n)s pairs"), ("", "Long text", ""),
    }
