"""The program's topic menu: each topic's session agenda and preparation kit, and topics that pair
members propose for the menu, which HR approves or declines.

HR edits a menu entry (a ``ProgramTopic``: one topic in one direction) in the browser; a pair
member's proposal waits for HR (HR admins are told through the outbox), and the decision goes back
to the proposer the same way. Each message has an idempotency key, so nothing is sent twice.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import kinds, outbox, render
from programs.models import Direction, OrgChange, Program, ProgramTopic, Topic, TopicProposal
from programs.services import _ensure_editable, change_record

log = logging.getLogger(__name__)

_https = URLValidator(schemes=["https", "http"])
KIT_FIELDS = ["agenda", "prep_links", "prep_exercise", "prep_questions"]


def lines(text: str) -> list[str]:
    """The non-empty lines of a text, stripped (agenda steps, questions, links)."""
    return [line.strip().lstrip("-•").strip() for line in (text or "").splitlines() if line.strip()]


def parse_links(text: str) -> list[tuple[str, str]]:
    """``Title | https://…`` lines (or bare links) as (title, url); raises for a line that is no link."""
    links = []
    for line in lines(text):
        title, _bar, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        try:
            _https(url)
        except ValidationError:
            raise ValidationError({"prep_links": _(
                "“%(line)s” has no valid link. Write one per line: a title, a vertical bar and the full "
                "https:// link.") % {"line": line[:80]}}) from None
        links.append((title or url, url))
    return links


def kit_links(item: ProgramTopic) -> list[tuple[str, str]]:
    """The entry's links; a line that is no longer valid is left out rather than breaking a page."""
    try:
        return parse_links(item.prep_links)
    except ValidationError:
        return []


def has_kit(item: ProgramTopic) -> bool:
    return any(getattr(item, name).strip() for name in KIT_FIELDS)


# --- HR edits the menu ------------------------------------------------------------------------


@transaction.atomic
def program_topic_update_kit(*, item: ProgramTopic, actor: User, agenda: str, prep_links: str,
                             prep_exercise: str, prep_questions: str) -> ProgramTopic:
    """Change a menu entry's agenda and preparation kit; records what changed in the history."""
    item = ProgramTopic.objects.select_for_update().select_related("program", "topic").get(pk=item.pk)
    _ensure_editable(item.program)
    parse_links(prep_links)
    values = {"agenda": agenda.strip(), "prep_links": prep_links.strip(),
              "prep_exercise": prep_exercise.strip(), "prep_questions": prep_questions.strip()}
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if not changed:
        return item
    for name in changed:
        setattr(item, name, values[name])
    item.full_clean()
    item.save(update_fields=changed)
    labels = ", ".join(str(ProgramTopic._meta.get_field(n).verbose_name) for n in changed)
    change_record(program=item.program, actor=actor, area="topics",
                  summary=_("Topic menu: changed %(fields)s of “%(topic)s”") % {
                      "fields": labels, "topic": item.topic.name},
                  changes={name: ["…", "…"] for name in changed})
    return item


# --- pair members propose, HR decides ---------------------------------------------------------


def _hr_admins():
    return User.objects.filter(
        is_active=True,
        groups__permissions__codename="hr_admin",
        groups__permissions__content_type__app_label="accounts",
    ).distinct()


@transaction.atomic
def topic_proposal_create(*, program: Program, proposer: User, name: str, direction: str,
                          why: str = "") -> TopicProposal:
    """A pair member suggests a topic for the menu (the caller checked they are in the program)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the topic.")})
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Say who would teach it.")})
    on_menu = ProgramTopic.objects.filter(program=program, topic__name__iexact=name, direction=direction)
    if on_menu.exists():
        raise ValidationError({"name": _("“%(name)s” is already on the menu in this direction.") % {
            "name": name}})
    pending = TopicProposal.objects.filter(program=program, name__iexact=name, direction=direction,
                                           status=TopicProposal.Status.PENDING)
    if pending.exists():
        raise ValidationError({"name": _("“%(name)s” has already been proposed; HR will decide soon.") % {
            "name": name}})
    proposal = TopicProposal(program=program, proposed_by=proposer, name=name, direction=direction,
                             why=why.strip())
    proposal.full_clean()
    proposal.save()
    _send([(NEW, hr, proposal) for hr in _hr_admins()])
    log.info("topic proposal %s by user %s in program %s", proposal.pk, proposer.pk, program.pk)
    return proposal


@transaction.atomic
def topic_proposal_decide(*, proposal: TopicProposal, actor: User, approve: bool,
                          note: str = "") -> TopicProposal:
    """Approve (the topic joins the menu, and the catalogue if it is new) or decline a proposal;
    the proposer is told either way."""
    proposal = TopicProposal.objects.select_for_update().select_related("program").get(pk=proposal.pk)
    if proposal.status != TopicProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    _ensure_editable(proposal.program)
    if approve:
        topic = Topic.objects.filter(name__iexact=proposal.name).first()
        if topic is None:
            topic = Topic(name=proposal.name, usual_direction=proposal.direction,
                          description=proposal.why[:300])
            topic.full_clean()
            topic.save()
            OrgChange.objects.create(actor=actor, area="topics",
                                     summary=_("Added topic “%(name)s” (proposed by a participant)") % {
                                         "name": topic.name})
        item, _created = ProgramTopic.objects.get_or_create(program=proposal.program, topic=topic,
                                                            direction=proposal.direction)
        proposal.program_topic = item
    proposal.status = TopicProposal.Status.APPROVED if approve else TopicProposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at, proposal.note = actor, timezone.now(), note.strip()[:300]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "note", "program_topic"])
    summary = (_("Topic menu: approved “%(name)s”") if approve else _("Topic menu: declined “%(name)s”")) % {
        "name": proposal.name}
    change_record(program=proposal.program, actor=actor, area="topics", summary=summary)
    if proposal.proposed_by is not None and proposal.proposed_by.is_active:
        _send([(DECIDED, proposal.proposed_by, proposal)])
    return proposal


# --- messages ---------------------------------------------------------------------------------

NEW = "topic-proposal-new"
DECIDED = "topic-proposal-decided"
TEMPLATES = {NEW: "programs/emails/topic_proposal_new", DECIDED: "programs/emails/topic_proposal_decided"}


def _send(messages: list[tuple[str, User, TopicProposal]]) -> None:
    drafts = [outbox.Draft(kind=kind, key=f"{kind}:{proposal.pk}:{user.pk}", recipient_id=user.pk,
                           ref_id=proposal.pk)
              for kind, user, proposal in messages if user.email]
    if drafts:
        outbox.send_soon(outbox.messages_queue(drafts).values())


def _load(messages) -> None:
    kinds.attach_refs(TopicProposal, messages, "program", "proposed_by", "decided_by")


def _builder(kind: str):
    def build(message):
        proposal: TopicProposal | None = message.ref
        if proposal is None:
            return kinds.Skip("deleted")
        if kind == NEW and proposal.status != TopicProposal.Status.PENDING:
            return kinds.Skip("decided")
        path = (reverse("programs:topic_menu", args=[proposal.program_id]) if kind == NEW
                else reverse("programs:about", args=[proposal.program_id]) + "#menu")
        url = render.site_url(path)
        return render.render(
            template=TEMPLATES[kind], recipient=message.recipient, brand=proposal.program.name,
            context={"proposal": proposal, "program": proposal.program, "url": url},
            links=[(_("Open the topic menu"), url)],
        )

    return build


def register() -> None:
    kinds.register(NEW, build=_builder(NEW), load=_load, group="other")
    kinds.register(DECIDED, build=_builder(DECIDED), load=_load, group="other")
