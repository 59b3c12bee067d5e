"""Imports only go down the layer order; no app imports the project package.

accounts → notifications → programs → pairing → meetings → circles → surveys → evaluation: an app
may import the apps above it in this list, never one below (meetings knows nothing of circles: the
calendar feed takes circle sessions through the provider registry circles fills in from ``ready()``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["accounts", "notifications", "programs", "pairing", "meetings", "circles", "surveys", "evaluation"]


def imported_apps(path: Path) -> set[str]:
    """Top-level project modules a file imports (module level, inside functions, TYPE_CHECKING alike)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & {*LAYERS, "mentoring"}


def test_the_settings_list_the_apps_in_layer_order():
    from django.conf import settings

    installed = [app for app in settings.INSTALLED_APPS if app in LAYERS]
    assert installed == LAYERS


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_above_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    wrong = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # generated; a migration may name any app it depends on
        bad = imported_apps(path) - allowed
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}


def test_the_check_would_catch_a_wrong_import(tmp_path):
    module = tmp_path / "leak.py"
    module.write_text("from circles.models import Circle\n\ndef f():\n    import evaluation\n")
    assert imported_apps(module) == {"circles", "evaluation"}
