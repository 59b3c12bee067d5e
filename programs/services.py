"""Every write to a program's configuration goes through one of these functions.

Each records a `ProgramChange` (who, which area, a one-line summary and the scalar fields'
old and new values), so the program page can show who changed what.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programs import presets
from programs.models import (
    AgreementVersion,
    ConfidentialityRule,
    Direction,
    Goal,
    OrgChange,
    Program,
    ProgramChange,
    ProgramTopic,
    Resource,
    SurveyQuestion,
    Topic,
)

if TYPE_CHECKING:
    from accounts.models import User

# Text longer than this is shortened in the change history (the full text lives in the row).
HISTORY_TEXT_LIMIT = 160

# The program-row fields each section of the program page edits.
SECTION_FIELDS: dict[str, list[str]] = {
    "overview": ["name", "description", "cohort", "enrolment_opens", "enrolment_closes",
                 "starts_on", "ends_on"],
    "framework": ["mentor_responsibilities", "mentee_responsibilities", "cadence_weeks",
                  "session_minutes", "min_sessions", "meeting_modes", "video_link_template",
                  "reschedule_cutoff_hours"],
    "confidentiality": ["leads_can_read_summaries", "anonymity_k", "communication_guidelines"],
    "eligibility": ["mentor_level_min", "mentor_level_max", "mentee_level_min", "mentee_level_max",
                    "min_level_gap", "mentor_capacity", "forbid_same_department"],
    "matching": ["weight_mentor_teaches", "weight_mentee_teaches", "weight_cross_department",
                 "weight_availability", "weight_timezone", "weight_language", "weight_load"],
    "surveys": ["reminder_first_hours", "reminder_second_hours", "survey_after_session",
                "survey_delay_hours", "survey_mid_program", "survey_end_program",
                "survey_expiry_days", "retention_days",
                # issue 18 items 3 + 4: reverse-back questions, the junior mentor's pulse
                "reverse_back_questions", "safety_pulse", "safety_pulse_weeks"],
    # Commitment guard and recurring slots (issue 18, item 2).
    "commitment": ["commitment_rebook_days", "commitment_max_cancellations", "commitment_sponsor_name",
                   "commitment_sponsor_email", "series_allowed"],
    # Out-of-hours guard (meetings.hours)
    "hours": ["hours_guard", "working_hours_start", "working_hours_end"],
}

# Configuration copied by program_clone (everything on the row except identity, status and dates).
CLONED_FIELDS = [f for area, fields in SECTION_FIELDS.items() if area != "overview" for f in fields] + [
    "description", "cohort"]


# --- history ---------------------------------------------------------------------------------


def _history_value(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, str) and len(value) > HISTORY_TEXT_LIMIT:
        return value[: HISTORY_TEXT_LIMIT - 1] + "…"
    if isinstance(value, list | tuple):
        return [_history_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    return {name: [_history_value(before.get(name)), _history_value(after[name])]
            for name in after if before.get(name) != after[name]}


def _values(instance: models.Model, fields: list[str]) -> dict[str, object]:
    return {name: getattr(instance, name) for name in fields}


def change_record(*, program: Program, actor: User | None, area: str, summary: str,
                  changes: dict[str, list[object]] | None = None) -> ProgramChange:
    """Write one line of a program's change history."""
    return ProgramChange.objects.create(program=program, actor=actor, area=area,
                                        summary=summary[:300], changes=changes or {})


def _ensure_editable(program: Program) -> None:
    if not program.is_editable:
        raise ValidationError(_("This program is closed; its configuration can no longer change."))


def _lock(program: Program) -> Program:
    """The program row, locked for the rest of the transaction (two admins, one program)."""
    return Program.objects.select_for_update().get(pk=program.pk)


# --- programs --------------------------------------------------------------------------------


@transaction.atomic
def program_create_from_template(*, name: str, actor: User | None, cohort: str = "",
                                 description: str | None = None,
                                 enrolment_opens: dt.date | None = None,
                                 enrolment_closes: dt.date | None = None,
                                 starts_on: dt.date | None = None,
                                 ends_on: dt.date | None = None) -> Program:
    """A new draft program filled from the reverse mentoring template (see `presets`)."""
    if starts_on and not ends_on:
        ends_on = starts_on + dt.timedelta(weeks=presets.PROGRAM_DURATION_WEEKS)
    program = Program(
        name=name.strip(), cohort=cohort.strip(),
        description=str(presets.DESCRIPTION) if description is None else description,
        enrolment_opens=enrolment_opens, enrolment_closes=enrolment_closes,
        starts_on=starts_on, ends_on=ends_on, created_by=actor,
        communication_guidelines=str(presets.COMMUNICATION_GUIDELINES),
        **_plain(presets.FRAMEWORK),
    )
    program.full_clean()
    program.save()

    topics = _topics_ensure(presets.TOPICS)
    ProgramTopic.objects.bulk_create(
        [ProgramTopic(program=program, topic=topics[name], direction=direction,
                      **_plain(presets.MENU.get(name, {})))
         for name, _description, direction in presets.TOPICS])
    rules = [ConfidentialityRule(program=program, order=i, text=str(text))
             for i, text in enumerate(presets.CONFIDENTIALITY_RULES)]
    goals = [Goal(program=program, order=i, **_plain(g)) for i, g in enumerate(presets.GOALS)]
    questions = _numbered([SurveyQuestion(program=program, **_plain(q)) for q in presets.QUESTIONS])
    resources = [Resource(program=program, order=i, **_plain(r)) for i, r in enumerate(presets.RESOURCES)]
    for row in [*rules, *goals, *questions, *resources]:
        row.full_clean(exclude=["program"])
    ConfidentialityRule.objects.bulk_create(rules)
    Goal.objects.bulk_create(goals)
    SurveyQuestion.objects.bulk_create(questions)
    Resource.objects.bulk_create(resources)
    AgreementVersion.objects.create(program=program, version=1, text=str(presets.AGREEMENT_TEXT),
                                    created_by=actor)
    change_record(program=program, actor=actor, area="program",
                  summary=_("Created “%(name)s” from the reverse mentoring template")
                  % {"name": program.name})
    return program


def _plain(data: dict[str, object]) -> dict[str, object]:
    """Template data with lazy translations turned into the active language's text."""
    return {k: str(v) if hasattr(v, "_proxy____cast") else v for k, v in data.items()}


def _numbered(questions: list[SurveyQuestion]) -> list[SurveyQuestion]:
    counters: dict[str, int] = {}
    for q in questions:
        q.order = counters.get(q.survey, 0)
        counters[q.survey] = q.order + 1
    return questions


def _topics_ensure(entries: list[tuple[str, str, str]]) -> dict[str, Topic]:
    """Org-wide topics by name (case-insensitive), created when the catalogue lacks them.

    A topic the catalogue lacks is created in the active language (the HR admin's: German names for a
    German admin); one that exists under its name in any of the site's languages is reused, so programs
    created in English and in German share "Generative AI" = "Generative KI" rather than doubling it.
    Keyed by the template's English name (the key of `presets.MENU`).
    """
    found: dict[str, Topic] = {}
    existing = {t.name.lower(): t for t in Topic.objects.all()}
    for name, description, direction in entries:
        names = {name.lower(), _(name).lower()}
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names.add(_(name).lower())
        topic = next((existing[n] for n in sorted(names) if n in existing), None)
        if topic is None:
            topic = Topic(name=_(name), description=_(description), usual_direction=direction)
            topic.full_clean()
            topic.save()
            existing[topic.name.lower()] = topic
        found[name] = topic
    return found


@transaction.atomic
def program_update(*, program: Program, actor: User, section: str, data: dict[str, object]) -> Program:
    """Change the fields of one section of the program page; records what changed."""
    fields = SECTION_FIELDS[section]
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"Fields {sorted(unknown)} are not part of section {section!r}")
    program = _lock(program)
    _ensure_editable(program)
    before = _values(program, fields)
    for name, value in data.items():
        setattr(program, name, value)
    program.full_clean()
    changes = _diff(before, _values(program, list(data)))
    if changes:
        program.save(update_fields=[*changes, "updated_at"])
        labels = ", ".join(str(Program._meta.get_field(n).verbose_name) for n in changes)
        change_record(program=program, actor=actor, area=section,
                      summary=_("Changed %(fields)s") % {"fields": labels}, changes=changes)
    return program


@transaction.atomic
def program_advance(*, program: Program, actor: User, confirm_unsent_surveys: bool = False) -> Program:
    """Move the program one step forward in its lifecycle, if nothing blocks the step."""
    program = _lock(program)
    target = program.next_status
    if target is None:
        raise ValidationError(_("This program is closed; there is no next step."))
    missing = program.missing_for_next_step()
    if missing:
        raise ValidationError(missing)
    if target == Program.Status.CLOSED and program.close_needs_survey_confirmation \
            and not confirm_unsent_surveys:
        raise ValidationError(_("The end-of-program survey has not been sent yet. Confirm that you "
                                "want to close the program without it."))
    before = program.status
    program.status = target
    fields = ["status", "updated_at"]
    if target == Program.Status.CLOSED:
        program.closed_at = timezone.now()
        fields.append("closed_at")
    program.save(update_fields=fields)
    summary = _("Moved the program from %(old)s to %(new)s") % {
        "old": Program.Status(before).label, "new": Program.Status(target).label}
    if target == Program.Status.CLOSED and program.close_needs_survey_confirmation:
        summary += " " + _("(closed without sending the end-of-program survey)")
    change_record(program=program, actor=actor, area="status", summary=summary,
                  changes={"status": [before, target]})
    return program


@transaction.atomic
def program_clone(*, program: Program, actor: User, name: str) -> Program:
    """A draft copy for the next cohort: configuration, lists, agreement text and leads.

    Not copied: status, dates, participants, history and the end-survey stamp.
    """
    clone = Program(name=name.strip(), cloned_from=program, created_by=actor,
                    **{f: getattr(program, f) for f in CLONED_FIELDS})
    clone.cohort = ""
    clone.full_clean()
    clone.save()
    clone.leads.set(program.leads.all())
    ProgramTopic.objects.bulk_create(
        [ProgramTopic(program=clone, topic_id=pt.topic_id, direction=pt.direction, agenda=pt.agenda,
                      prep_links=pt.prep_links, prep_exercise=pt.prep_exercise,
                      prep_questions=pt.prep_questions)
         for pt in program.program_topics.all()])
    for model, related in ((ConfidentialityRule, "confidentiality_rules"), (Goal, "goals"),
                           (SurveyQuestion, "survey_questions"), (Resource, "resources")):
        rows = []
        for row in getattr(program, related).all():
            row.pk = None
            row.id = None
            row.program = clone
            rows.append(row)
        model.objects.bulk_create(rows)
    agreement = program.current_agreement() or program.agreement_versions.order_by("-version").first()
    if agreement is not None:
        AgreementVersion.objects.create(program=clone, version=1, text=agreement.text, created_by=actor)
    change_record(program=clone, actor=actor, area="program",
                  summary=_("Cloned from “%(name)s”") % {"name": program.name})
    change_record(program=program, actor=actor, area="program",
                  summary=_("Cloned into “%(name)s”") % {"name": clone.name})
    return clone


@transaction.atomic
def program_lead_add(*, program: Program, actor: User, user: User) -> bool:
    """Make `user` a lead of the program; False when they already were.

    Allowed on closed programs too: leads read the final dashboards after the end.
    """
    program = _lock(program)
    if not user.is_active:
        raise ValidationError(_("%(name)s's account is deactivated.") % {"name": user.display_name})
    if program.leads.filter(pk=user.pk).exists():
        return False
    program.leads.add(user)
    change_record(program=program, actor=actor, area="leads",
                  summary=_("Added %(name)s as a program lead") % {"name": user.display_name},
                  changes={"leads": [None, user.email]})
    return True


@transaction.atomic
def program_lead_remove(*, program: Program, actor: User, user: User) -> bool:
    program = _lock(program)
    if not program.leads.filter(pk=user.pk).exists():
        return False
    program.leads.remove(user)
    change_record(program=program, actor=actor, area="leads",
                  summary=_("Removed %(name)s as a program lead") % {"name": user.display_name},
                  changes={"leads": [user.email, None]})
    return True


@transaction.atomic
def program_topics_set(*, program: Program, actor: User, junior_teaches: list[Topic],
                       senior_teaches: list[Topic]) -> bool:
    """Choose the topics the program covers in each direction; False when nothing changed."""
    program = _lock(program)
    _ensure_editable(program)
    wanted = {(t.pk, Direction.JUNIOR_TEACHES) for t in junior_teaches} | {
        (t.pk, Direction.SENIOR_TEACHES) for t in senior_teaches}
    current = {(pt.topic_id, pt.direction): pt for pt in program.program_topics.select_related("topic")}
    added, removed = wanted - set(current), set(current) - wanted
    if not added and not removed:
        return False
    ProgramTopic.objects.filter(pk__in=[current[k].pk for k in removed]).delete()
    ProgramTopic.objects.bulk_create(
        [ProgramTopic(program=program, topic_id=pk, direction=d) for pk, d in sorted(added)])
    names = {t.pk: t.name for t in [*junior_teaches, *senior_teaches]}
    names.update({k[0]: pt.topic.name for k, pt in current.items()})
    label = {Direction.JUNIOR_TEACHES: _("junior teaches"), Direction.SENIOR_TEACHES: _("senior teaches")}
    changes = {
        "added": sorted(f"{names[pk]} ({label[d]})" for pk, d in added),
        "removed": sorted(f"{names[pk]} ({label[d]})" for pk, d in removed),
    }
    change_record(program=program, actor=actor, area="topics",
                  summary=_("Topics: %(added)d added, %(removed)d removed") % {
                      "added": len(added), "removed": len(removed)},
                  changes={k: [None, v] for k, v in changes.items() if v})
    return True


# --- list items: goals, confidentiality rules, survey questions, resources -----------------

ITEM_MODELS: dict[str, tuple[type[models.Model], str, list[str]]] = {
    # slug: (model, history area, fields recorded in the history)
    "goals": (Goal, "goals", ["title", "description", "kind", "target", "sessions", "direction"]),
    "rules": (ConfidentialityRule, "confidentiality", ["text"]),
    "questions": (SurveyQuestion, "surveys", ["survey", "kind", "text", "choices", "required",
                                              "first_session_only", "measures_satisfaction"]),
    "resources": (Resource, "resources", ["audience", "title", "description", "url", "body",
                                          "required_before_matching"]),
}


def _item_slug(item: models.Model) -> str:
    return next(slug for slug, (model, _a, _f) in ITEM_MODELS.items() if isinstance(item, model))


def _siblings(item: models.Model) -> models.QuerySet:
    """The rows `item` is ordered among (survey questions are ordered within their survey)."""
    qs = type(item).objects.filter(program_id=item.program_id)
    if isinstance(item, SurveyQuestion):
        qs = qs.filter(survey=item.survey)
    return qs


def item_label(item: models.Model) -> str:
    text = str(item)
    return text if len(text) <= 80 else text[:79] + "…"


@transaction.atomic
def program_item_create(*, program: Program, actor: User, slug: str, data: dict[str, object]) -> models.Model:
    """Add a goal, rule, survey question or resource at the end of its list."""
    model, area, fields = ITEM_MODELS[slug]
    program = _lock(program)
    _ensure_editable(program)
    item = model(program=program, **data)
    order = _siblings(item).aggregate(m=Max("order"))["m"]
    item.order = 0 if order is None else order + 1
    item.full_clean()
    item.save()
    change_record(program=program, actor=actor, area=area,
                  summary=_("Added “%(item)s”") % {"item": item_label(item)},
                  changes=_diff({}, _values(item, [f for f in fields
                                                   if getattr(item, f) not in ("", None, [])])))
    return item


@transaction.atomic
def program_item_update(*, item: models.Model, actor: User, data: dict[str, object]) -> models.Model:
    _model, area, fields = ITEM_MODELS[_item_slug(item)]
    item = type(item).objects.select_for_update().get(pk=item.pk)
    program = _lock(item.program)
    _ensure_editable(program)
    before = _values(item, fields)
    old_survey = getattr(item, "survey", None)
    for name, value in data.items():
        setattr(item, name, value)
    if isinstance(item, SurveyQuestion) and item.survey != old_survey:
        order = _siblings(item).exclude(pk=item.pk).aggregate(m=Max("order"))["m"]
        item.order = 0 if order is None else order + 1
    item.full_clean()
    changes = _diff(before, _values(item, fields))
    if changes:
        item.save()
        change_record(program=program, actor=actor, area=area,
                      summary=_("Changed “%(item)s”") % {"item": item_label(item)}, changes=changes)
    return item


@transaction.atomic
def program_item_delete(*, item: models.Model, actor: User) -> None:
    _model, area, _fields = ITEM_MODELS[_item_slug(item)]
    program = _lock(item.program)
    _ensure_editable(program)
    item = type(item).objects.get(pk=item.pk)  # the stored text, for the history
    label = item_label(item)
    item.delete()
    change_record(program=program, actor=actor, area=area, summary=_("Removed “%(item)s”") % {"item": label})


@transaction.atomic
def program_item_move(*, item: models.Model, actor: User, up: bool) -> bool:
    """Swap the item with its neighbour above or below; False at the top or bottom."""
    _model, area, _fields = ITEM_MODELS[_item_slug(item)]
    program = _lock(item.program)
    _ensure_editable(program)
    item = type(item).objects.get(pk=item.pk)
    rows = list(_siblings(item).order_by("order", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.order != position:
            row.order = position
            row.save(update_fields=["order"])
    change_record(program=program, actor=actor, area=area,
                  summary=(_("Moved “%(item)s” up") if up else _("Moved “%(item)s” down"))
                  % {"item": item_label(item)})
    return True


# --- agreement -------------------------------------------------------------------------------


@transaction.atomic
def agreement_save(*, program: Program, actor: User, text: str, publish: bool = False) -> AgreementVersion:
    """Edit the agreement text.

    A draft version is edited in place. When the newest version is already published a new
    version is created instead: participants' acceptances point at published versions, so
    those rows never change.
    """
    program = _lock(program)
    _ensure_editable(program)
    text = text.strip()
    latest = program.agreement_versions.order_by("-version").first()
    if latest is not None and not latest.is_published:
        old = latest.text
        latest.text = text
        latest.full_clean()
        if publish:
            latest.published_at = timezone.now()
        if old != text or publish:
            latest.save(update_fields=["text", "published_at"])
            change_record(program=program, actor=actor, area="agreement",
                          summary=(_("Edited and published agreement version %(v)d") if publish
                                   else _("Edited the draft of agreement version %(v)d"))
                          % {"v": latest.version},
                          changes=({"text": [_history_value(old), _history_value(text)]}
                                   if old != text else {}))
        return latest
    if latest is not None and latest.text == text:
        raise ValidationError({"text": _("The text is the same as the published version %(v)d.")
                                       % {"v": latest.version}})
    version = AgreementVersion(program=program, version=(latest.version + 1) if latest else 1, text=text,
                               created_by=actor, published_at=timezone.now() if publish else None)
    version.full_clean()
    version.save()
    change_record(program=program, actor=actor, area="agreement",
                  summary=(_("Published agreement version %(v)d") if publish
                           else _("Drafted agreement version %(v)d")) % {"v": version.version},
                  changes={"text": [_history_value(latest.text) if latest else None, _history_value(text)]})
    return version


@transaction.atomic
def agreement_publish(*, program: Program, actor: User) -> AgreementVersion:
    """Publish the newest draft version; participants accept it from now on."""
    program = _lock(program)
    _ensure_editable(program)
    latest = program.agreement_versions.order_by("-version").first()
    if latest is None:
        raise ValidationError(_("Write the agreement before publishing it."))
    if latest.is_published:
        raise ValidationError(_("Version %(v)d is already published.") % {"v": latest.version})
    latest.published_at = timezone.now()
    latest.save(update_fields=["published_at"])
    change_record(program=program, actor=actor, area="agreement",
                  summary=_("Published agreement version %(v)d") % {"v": latest.version})
    return latest


# --- topic catalogue (organisation-wide) ---------------------------------------------------


def _topic_name_taken(name: str, exclude_pk: int | None = None) -> bool:
    qs = Topic.objects.filter(name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def topic_create(*, actor: User, name: str, description: str = "",
                 usual_direction: str = Direction.JUNIOR_TEACHES) -> Topic:
    if _topic_name_taken(name):
        raise ValidationError({"name": _("A topic with this name already exists.")})
    topic = Topic(name=name.strip(), description=description.strip(), usual_direction=usual_direction)
    topic.full_clean()
    topic.save()
    OrgChange.objects.create(actor=actor, area="topics",
                             summary=_("Added topic “%(name)s”") % {"name": topic.name})
    return topic


@transaction.atomic
def topic_update(*, topic: Topic, actor: User, name: str, description: str, usual_direction: str) -> Topic:
    if _topic_name_taken(name, exclude_pk=topic.pk):
        raise ValidationError({"name": _("A topic with this name already exists.")})
    fields = ["name", "description", "usual_direction"]
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    before = _values(topic, fields)
    topic.name, topic.description, topic.usual_direction = name.strip(), description.strip(), usual_direction
    topic.full_clean()
    changes = _diff(before, _values(topic, fields))
    if changes:
        topic.save(update_fields=list(changes))
        OrgChange.objects.create(actor=actor, area="topics", changes=changes,
                                 summary=_("Changed topic “%(name)s”") % {"name": topic.name})
    return topic


@transaction.atomic
def programs_purge_expired(*, today: dt.date | None = None) -> list[int]:
    """Remove participant data of programs whose retention period after the end has passed.

    Enrolments go, and with them (by cascade) pairs, sessions, session logs, reflections,
    action items, survey invitations and answers; stored matching reasons that name people are
    emptied. The program's configuration and change history stay. Idempotent: a purged program
    is stamped and skipped. Returns the ids of the programs purged now.
    """
    today = today or timezone.localdate()
    candidates = Program.objects.select_for_update().filter(purged_at__isnull=True, ends_on__isnull=False)
    purged = []
    for program in candidates:
        if program.ends_on + dt.timedelta(days=program.retention_days) >= today:
            continue
        # Related names only: programs sits below the apps that hold the data.
        program.enrollments.all().delete()
        program.match_runs.update(unmatched=[])
        program.purged_at = timezone.now()
        program.save(update_fields=["purged_at"])
        change_record(program=program, actor=None, area="retention",
                      summary=f"Participant data removed {program.retention_days} days after the end")
        purged.append(program.pk)
    return purged
