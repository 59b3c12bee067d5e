"""A German program lead downloads German CSV headers and words, and figures any program can read:
no thousands separator and a decimal point in every language (the page shows "1,4", the file "1.4")."""

from __future__ import annotations

import re

import pytest

from tests.evaluation.helpers import get_csv, get_dashboard, stat

pytestmark = pytest.mark.django_db
MACHINE = re.compile(r"^[+-]?\d+(\.\d+)?( %)?$")


@pytest.fixture
def german_lead(client, lead):
    lead.language = "de"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    return client


def test_headers_and_withheld_cells_are_german(german_lead, six_pairs):
    assert get_csv(german_lead, six_pairs.program, "cancellations") == [
        ["Wer", "Absagen", "Verschiebungen"],
        ["Mentor:innen (Nachwuchskräfte)", "ausgeblendet (weniger als 3 Personen)", "3"],
        ["Mentees (Führungskräfte)", "ausgeblendet", "3"],
        ["Gesamt", "5", "6"],
    ]


def test_figures_stay_machine_readable_while_the_page_uses_german_separators(german_lead, six_pairs):
    rows = get_csv(german_lead, six_pairs.program, "engagement-figures")
    assert rows[0] == ["Kennzahl", "Wert", "Definition"]
    values = {label: value for label, value, _definition in rows[1:]}
    per_month = values["Treffen pro Tandem und Monat"]
    assert re.fullmatch(r"\d+\.\d", per_month), per_month
    assert all(MACHINE.match(v) or v.startswith("ausgeblendet") or v in ("—", "")
               for v in values.values()), values

    report = get_dashboard(german_lead, six_pairs.program).context["report"]
    shown = stat(report, "engagement", "Treffen pro Tandem und Monat")
    page = get_dashboard(german_lead, six_pairs.program).content.decode()
    assert shown.shown and per_month.replace(".", ",") in page
