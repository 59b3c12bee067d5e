"""The German catalogue's house style, checked mechanically on every entry.

Sie-form only (works councils and HR read these texts); the glossary's terms (pair = Tandem,
session = Treffen, program lead = Programmleitung, manager = Vorgesetzte:r, cohort = Jahrgang,
hidden = ausgeblendet); every placeholder and HTML tag of the English text kept, so nothing is lost or
breaks at run time; the same leading and trailing white space (line breaks in e-mails and lists).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from django.conf import settings

from tests.catalogues import po_entries

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"

DU_FORM = re.compile(r"\b(du|dich|dir|dein|deine[mnrs]?|euch|euer|eure[mnrs]?)\b", re.I)
# Words the glossary replaced; each with the term to use instead.
NOT_OUR_TERMS = {
    r"\bPaar(e|en|es)?\b": "Tandem",
    r"\bSitzung(en)?\b|\bSessions?\b": "Treffen",
    r"Programmverantwortlich|\bProgrammleiter": "Programmleitung",
    r"\bManager(in|innen)?\b": "Vorgesetzte:r",
    r"\bKohorten?\b": "Jahrgang",
    r"\bversteckt|\bverborgen": "ausgeblendet",
    r"\bBefragungsbogen|\bFragebogen|\bSurveys?\b": "Umfrage",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def entries() -> list[dict[str, str]]:
    """Each live entry but the header: its msgid (and msgid_plural) and every msgstr, joined."""
    found = po_entries(PO.read_text(encoding="utf-8"))
    assert len(found) > 1000
    return found


def translations(entry: dict[str, str]) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_german_texts_address_people_as_sie_never_du():
    offending = [(e["msgid"], s) for e in entries() for s in translations(e) if DU_FORM.search(s)]
    assert offending == []


def test_german_texts_use_the_glossary_s_terms():
    offending = [(e["msgid"], s, use) for e in entries() for s in translations(e)
                 for pattern, use in NOT_OUR_TERMS.items() if re.search(pattern, s)]
    assert offending == []


def test_every_translation_keeps_the_placeholders_of_the_english_text():
    offending = []
    for e in entries():
        english = set(PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))
        for german in translations(e):
            found = set(PLACEHOLDER.findall(german))
            # A plural form may leave out the count ("ein Tandem"), never add or rename a placeholder.
            if found != english and not (e.get("msgid_plural") and found < english):
                offending.append((e["msgid"], sorted(english), sorted(found)))
    assert offending == []


def test_every_translation_keeps_the_html_tags_of_the_english_text():
    offending = [(e["msgid"], german) for e in entries() for german in translations(e)
                 if Counter(HTML_TAG.findall(e["msgid"])) != Counter(HTML_TAG.findall(german))]
    assert offending == []


def test_every_translation_keeps_the_leading_and_trailing_white_space():
    def edges(text: str) -> tuple[str, str]:
        text = text.replace("\\n", "\n").replace("\\t", "\t")
        return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]

    offending = [(e["msgid"], german) for e in entries() for german in translations(e)
                 if edges(e["msgid"]) != edges(german)]
    assert offending == []


def test_the_checks_catch_what_they_are_for():
    assert DU_FORM.search("Hast du deine Umfrage beantwortet?")
    assert not DU_FORM.search("Haben Sie Ihre Umfrage beantwortet? Dienstag, Durchführung")
    assert re.search(r"Programmverantwortlich", "Programmverantwortliche:n hinzufügen")
    assert set(PLACEHOLDER.findall("%(name)s hat {count} Treffen, %d")) == {"%(name)s", "{count}", "%d"}
    assert HTML_TAG.findall('<a href="%(url)s">Link</a>') == ['<a href="%(url)s">', "</a>"]
