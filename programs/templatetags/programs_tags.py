"""Display helpers for the program pages."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import (
    AgreementVersion,
    ConfidentialityRule,
    Goal,
    Program,
    Resource,
    SurveyQuestion,
    Topic,
)
from programs.services import ITEM_MODELS

register = template.Library()

_MODELS = [Program, Goal, SurveyQuestion, Resource, ConfidentialityRule, AgreementVersion, Topic]
_EXTRA_LABELS = {
    "added": gettext_lazy("added"), "removed": gettext_lazy("removed"),
    "leads": gettext_lazy("program leads"),
    "manager_email": gettext_lazy("manager"), "import": gettext_lazy("import"),
}


# Which model an area's changes come from: the same field name means different things in different
# lists ("text" is a rule, a question or the agreement; "title" a goal or a resource), so the area's
# own model is asked first, then the program row (section edits), then the rest.
_AREA_MODELS = {area: model for model, area, _fields in ITEM_MODELS.values()} | {
    "agreement": AgreementVersion, "topics": Topic,
}


def _field(name: str, area: str = ""):
    first = _AREA_MODELS.get(area)
    ordered = [first, Program] if first is not None else [Program]
    for model in ordered + [m for m in _MODELS if m not in ordered]:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _shown(field, value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


AREA_LABELS = {
    "program": gettext_lazy("program"), "status": gettext_lazy("status"),
    "overview": gettext_lazy("overview"), "framework": gettext_lazy("framework"),
    "confidentiality": gettext_lazy("confidentiality"), "eligibility": gettext_lazy("eligibility"),
    "matching": gettext_lazy("matching"), "surveys": gettext_lazy("surveys"), "goals": gettext_lazy("goals"),
    "topics": gettext_lazy("topics"), "resources": gettext_lazy("training"),
    "agreement": gettext_lazy("agreement"), "leads": gettext_lazy("leads"),
}


@register.filter
def area_label(area: str) -> str:
    return str(AREA_LABELS.get(area, area))


@register.filter
def change_rows(change) -> list[dict[str, str]]:
    """A history entry's {field: [old, new]} as labelled, readable rows."""
    rows = []
    for name, pair in (change.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        field = _field(name, change.area)
        label = str(field.verbose_name) if field is not None else str(_EXTRA_LABELS.get(name, name))
        rows.append({"label": label[:1].upper() + label[1:], "old": _shown(field, old),
                     "new": _shown(field, new)})
    return rows
