"""Reading figures off a rendered dashboard (its context and its CSV exports)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from evaluation.disclosure import Cell


def get_dashboard(client, program, **params):
    return client.get(reverse("evaluation:dashboard", args=[program.pk]), params)


def get_csv(client, program, table: str, **params) -> list[list[str]]:
    response = client.get(reverse("evaluation:export", args=[program.pk, table]), params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def section(report, key: str):
    return next(s for s in report.sections if s.key == key)


def stat(report, section_key: str, label: str) -> Cell:
    return next(s.cell for s in section(report, section_key).stats if s.label == label)


def table(report, key: str):
    found = report.table(key)
    assert found is not None, key
    return found


def row(report, key: str, label: str) -> list:
    return next(r for r in table(report, key).rows if str(r[0]) == label)


def value(cell: Cell):
    """The shown value, or the state ("small"/"hidden") of a hidden one."""
    return cell.value if cell.shown else cell.state
