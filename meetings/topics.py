"""A session's topic from the program's menu: which topics a pair may pick, and the agenda and
preparation kit as plain text for the calendar event (the e-mails and pages use templates)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from programs.models import ProgramTopic
from programs.topic_menu import kit_links, lines


def menu_for(pair) -> QuerySet[ProgramTopic]:
    """The program's topic menu, junior-taught topics first ("junior_teaches" sorts first)."""
    return (ProgramTopic.objects.filter(program_id=pair.program_id).select_related("topic")
            .order_by("direction", "topic__name"))


def topic_problems(pair, topic) -> dict[str, list[str]]:
    """A topic must come from this pair's program menu (None is fine: the topic is optional)."""
    if topic is None or topic.program_id == pair.program_id:
        return {}
    return {"topic": [_("Pick a topic from this program's menu.")]}


def kit_text(topic: ProgramTopic | None) -> str:
    """The agenda and preparation kit as plain text (for the calendar description)."""
    if topic is None:
        return ""
    parts = [_("Topic: %(name)s") % {"name": topic.topic.name}]
    if topic.agenda.strip():
        parts.append(_("Agenda:") + "\n" + "\n".join(f"- {line}" for line in lines(topic.agenda)))
    links = kit_links(topic)
    if links:
        parts.append(_("Before the session, read or watch:") + "\n" + "\n".join(
            f"- {title}: {url}" if title != url else f"- {url}" for title, url in links))
    if topic.prep_exercise.strip():
        parts.append(_("5-minute exercise:") + "\n" + topic.prep_exercise.strip())
    if topic.prep_questions.strip():
        questions = "\n".join(f"- {q}" for q in lines(topic.prep_questions))
        parts.append(_("Questions to bring:") + "\n" + questions)
    return "\n\n".join(parts)
