"""Messages of the pairing workflow (decisions, offers, pair changes, exits), through the outbox.

A service names the message (its template), the recipient and the row it is about; the message is
queued in the service's transaction (so nothing goes out for a change that rolled back), handed to
a worker once it commits, and built when it is delivered — in the recipient's language and time
zone, from the rows as they are then. Each has an idempotency key, so nothing is sent twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications import kinds, outbox, render
from pairing.models import Enrollment, ExitRequest, Pair

if TYPE_CHECKING:
    from accounts.models import User
    from notifications.models import Message

# template -> (the context name of the row the message is about, its model)
ABOUT = {
    "enrollment_decision": ("enrollment", Enrollment),
    "offer": ("pair", Pair),
    "offer_cancelled": ("pair", Pair),
    "pair_active": ("pair", Pair),
    "pair_ended": ("pair", Pair),
    "exit_request_hr": ("exit_request", ExitRequest),
    "exit_resolved": ("exit_request", ExitRequest),
    "partner_left_hr": ("pair", Pair),
}
# Plain values a message may carry besides its row (everything else is read when it is built).
PLAIN = ("rematch", "outcome", "side", "left_organisation")
RELATED = {
    Enrollment: ("program", "user"),
    Pair: ("program", "mentor__user", "mentee__user"),
    ExitRequest: ("pair__program", "pair__mentor__user", "pair__mentee__user", "requested_by"),
}


def _kind(template: str) -> str:
    return f"pairing-{template.replace('_', '-')}"


def _key(template: str, row, recipient: User) -> str:
    key = f"{_kind(template)}:{row.pk}:{recipient.pk}"
    if template == "enrollment_decision":
        # A decision can change (waitlisted, then approved): one message per decision.
        key += f":{row.status}:{row.decided_at.timestamp() if row.decided_at else 0:.0f}"
    return key


def send_after_commit(messages: list[tuple[str, User, dict]]) -> None:
    """Queue ``(template, recipient, context)`` messages; a worker sends them once the transaction
    commits (or the delivery tick does, if the broker is unreachable)."""
    drafts = []
    for template, recipient, context in messages:
        if not recipient.email:
            continue
        name, _model = ABOUT[template]
        row = context[name]
        plain = {k: v for k, v in context.items() if k in PLAIN}
        drafts.append(
            outbox.Draft(
                kind=_kind(template),
                key=_key(template, row, recipient),
                recipient_id=recipient.pk,
                ref_id=row.pk,
                context=plain,
            )
        )
    if drafts:
        outbox.send_soon(outbox.messages_queue(drafts).values())


def _loader(model):
    def load(messages: list[Message]) -> None:
        kinds.attach_refs(model, messages, *RELATED[model])

    return load


def _builder(template: str):
    name, _model = ABOUT[template]

    def build(message: Message):
        row = message.ref
        if row is None:
            return kinds.Skip("deleted")
        recipient = message.recipient
        context = {name: row, **message.context}
        pair = row if name == "pair" else getattr(row, "pair", None)
        if pair is not None:
            context.update(pair=pair, program=pair.program, partner=pair.partner_of(recipient))
            if template == "partner_left_hr":
                # HR is not in the pair: the message names the one who left (``side``) and their partner.
                leaver = pair.mentor.user if message.context.get("side") == "mentor" else pair.mentee.user
                context.update(leaver=leaver, partner=pair.partner_of(leaver))
        else:
            context["program"] = row.program
        path = _PATHS[template](row)
        return render.render(
            template=f"pairing/emails/{template}",
            recipient=recipient,
            context=context,
            links=[(_("Open Flipside"), render.site_url(path))],
        )

    return build


_PATHS = {
    "enrollment_decision": lambda row: reverse("pairing:enrollment", args=[row.pk]),
    "offer": lambda row: reverse("pairing:pair", args=[row.pk]),
    "offer_cancelled": lambda row: reverse("pairing:mine"),
    "pair_active": lambda row: reverse("pairing:pair", args=[row.pk]),
    "pair_ended": lambda row: reverse("pairing:mine"),
    "exit_request_hr": lambda row: reverse("pairing:hr_exit_resolve", args=[row.pk]),
    "exit_resolved": lambda row: reverse("pairing:mine"),
    "partner_left_hr": lambda row: reverse("pairing:hr_exits"),
}


def register() -> None:
    for template, (_name, model) in ABOUT.items():
        kinds.register(_kind(template), build=_builder(template), load=_loader(model), group="other")
