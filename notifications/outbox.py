"""Queueing messages and delivering them: the claim-with-lease every message shares.

Queueing (``message_queue`` / ``messages_queue``) inserts a :class:`Message` per idempotency key and a
:class:`Delivery` per channel the person gets that kind of message by; a key that exists already adds
nothing, so a second tick, a retried task or a double click never sends twice.

Delivering (``deliver_due``) claims up to ``JOBS_BATCH_SIZE`` pending deliveries — unclaimed, or
claimed longer ago than the lease — in ONE ``UPDATE … RETURNING`` statement, builds each message
through its kind (:mod:`notifications.kinds`), hands it to its channel and stamps it sent right after.

What this guarantees, honestly:

* Two ticks at once never deliver the same row: on PostgreSQL the claim's ``FOR UPDATE SKIP
  LOCKED`` gives each a disjoint set; on SQLite the embedded settings begin every write transaction
  IMMEDIATE, so writers run one after the other.
* A worker killed mid-batch loses nothing: its unsent rows stay claimed until the lease
  (``JOBS_CLAIM_LEASE_SECONDS``, longer than a tick's hard time limit) runs out, then a later tick
  claims them again. The one message in flight when it died may go twice (exactly-once over SMTP
  is not possible without the server's help); kills between messages send nothing twice.
* A transport error (the mail server is down) gives the unsent rest of the batch back and re-raises,
  so the task retries with backoff; a :class:`~notifications.channels.DeliveryError` is per message:
  retried later (with backoff, honouring ``retry_after``) or, when permanent, marked failed — a chat
  delivery that can never succeed falls back to e-mail.

The claim and the stamps run in autocommit on purpose: each must be visible to other workers at
once, so delivery must not run inside ``transaction.atomic``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from accounts.models import User
from notifications import channels, kinds
from notifications.kinds import Skip
from notifications.models import Delivery, Message
from notifications.render import language_of

log = logging.getLogger(__name__)

INSERT_BATCH = 500
# A transient failure is retried this many times (with backoff), then marked failed.
MAX_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_MAX = 30, 3600


@dataclass
class Draft:
    """A message to queue: its kind, idempotency key, recipient, domain row and plain context."""

    kind: str
    key: str
    recipient_id: int | None
    ref_id: int | None = None
    context: dict = field(default_factory=dict)


@dataclass
class Outcome:
    created: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.created += other.created
        self.sent += other.sent
        self.failed += other.failed
        self.retried += other.retried
        for reason, n in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "sent": self.sent,
            "failed": self.failed,
            "retried": self.retried,
            "skipped": dict(self.skipped),
        }


def lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_CLAIM_LEASE_SECONDS)


# --- queueing ----------------------------------------------------------------------------------


@transaction.atomic
def messages_queue(drafts: Sequence[Draft], *, now: datetime | None = None) -> dict[str, int]:
    """Queue many messages at once; returns {key: message id} for every draft (new or not).

    Only messages that did not exist get deliveries: re-queueing an old key (even after the person
    added a channel) never sends it again. A fixed number of queries per 500 drafts.
    """
    now = now or timezone.now()
    drafts = list({d.key: d for d in drafts}.values())
    if not drafts:
        return {}
    keys = [d.key for d in drafts]
    existing = dict(Message.objects.filter(key__in=keys).values_list("key", "id"))
    new = [d for d in drafts if d.key not in existing]
    Message.objects.bulk_create(
        [
            Message(
                kind=d.kind,
                key=d.key,
                recipient_id=d.recipient_id,
                ref_id=d.ref_id,
                context=d.context,
                created_at=now,
            )
            for d in new
        ],
        ignore_conflicts=True,
        batch_size=INSERT_BATCH,
    )
    ids = dict(Message.objects.filter(key__in=keys).values_list("key", "id"))
    users = User.objects.in_bulk({d.recipient_id for d in new if d.recipient_id})
    rows = []
    with channels.choices_prefetched(users.values()):  # two queries for the batch, not two per person
        for draft in new:
            group = kinds.get(draft.kind).group
            user = users.get(draft.recipient_id)
            for channel in sorted(channels.channels_for(user=user, kind=group) if user else {"email"}):
                rows.append(Delivery(message_id=ids[draft.key], channel=channel, next_attempt_at=now))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=INSERT_BATCH)
    return ids


def message_queue(
    *,
    kind: str,
    key: str,
    recipient,
    ref_id: int | None = None,
    context: dict | None = None,
    send_now: bool = False,
    now: datetime | None = None,
) -> Message:
    """Queue one message (idempotent on ``key``). ``send_now``: hand it to a worker once the
    transaction commits (the delivery tick picks it up anyway if the broker is down)."""
    ids = messages_queue(
        [
            Draft(
                kind=kind,
                key=key,
                recipient_id=recipient.pk if recipient else None,
                ref_id=ref_id,
                context=context or {},
            )
        ],
        now=now,
    )
    if send_now:
        send_soon([ids[key]])
    return Message.objects.get(pk=ids[key])


def rows_queue(
    kind: str, rows: Sequence, *, soon: bool = True, now: datetime | None = None
) -> dict[str, int]:
    """Queue one message per notice row (each has ``pk`` and ``recipient_id``), keyed ``kind:pk``;
    ``soon``: hand them to a worker once the transaction commits. Returns {key: message id}."""
    ids = messages_queue(
        [
            Draft(kind=kind, key=f"{kind}:{row.pk}", recipient_id=row.recipient_id, ref_id=row.pk)
            for row in rows
        ],
        now=now,
    )
    if soon:
        send_soon(ids.values())
    return ids


def send_soon(message_ids: Iterable[int]) -> None:
    """Deliver these messages from a worker once the current transaction commits."""
    from notifications.tasks import deliver_messages, enqueue_on_commit

    ids = sorted(set(message_ids))
    if ids:
        enqueue_on_commit(deliver_messages, ids)


# --- claiming ----------------------------------------------------------------------------------


def _db(field_name: str, value: object) -> object:
    return Delivery._meta.get_field(field_name).get_db_prep_value(value, connection)


def claim(
    *,
    limit: int | None = None,
    only_kinds: Sequence[str] | None = None,
    message_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ``limit`` due deliveries (of these kinds / messages, if given) that are unclaimed or
    whose lease ran out — in one statement. Returns (claim id, claimed delivery ids)."""
    now = now or timezone.now()
    limit = limit or settings.JOBS_BATCH_SIZE
    claim_id = uuid.uuid4()
    q = connection.ops.quote_name
    table, messages = q(Delivery._meta.db_table), q(Message._meta.db_table)
    free = "state = 'pending' AND (claimed_until IS NULL OR claimed_until < %s)"
    extra, extra_params = "", []
    if only_kinds is not None:
        marks = ", ".join(["%s"] * len(only_kinds))
        # str.format (not an f-string) so bandit sees one string and its B608 exemption matches it;
        # the table name is quoted and every value is a bound parameter.
        extra += " AND message_id IN (SELECT id FROM {messages} WHERE kind IN ({marks}))".format(  # noqa: S608, UP032  # nosec B608
            messages=messages, marks=marks
        )
        extra_params += list(only_kinds)
    if message_ids is not None:
        extra += f" AND message_id IN ({', '.join(['%s'] * len(message_ids))})"
        extra_params += [int(i) for i in message_ids]
    if (only_kinds is not None and not only_kinds) or (message_ids is not None and not message_ids):
        return claim_id, []
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    # The picked ids are materialised first: a plain ``IN (SELECT … LIMIT n)`` may be re-run per row by
    # the planner and claim more than n.
    materialized = " MATERIALIZED" if connection.vendor == "postgresql" else ""
    sql = (  # noqa: S608, UP032
        "WITH picked AS{materialized} (SELECT id FROM {table} WHERE {free} AND next_attempt_at <= %s{extra} "
        "ORDER BY id LIMIT %s{lock}) "
        "UPDATE {table} SET claimed_until = %s, claim_id = %s, attempts = attempts + 1 "
        "WHERE {free} AND id IN (SELECT id FROM picked) RETURNING id"
    ).format(materialized=materialized, table=table, free=free, extra=extra, lock=lock)  # nosec B608
    stamp = _db("claimed_until", now)
    values = [
        stamp,
        _db("next_attempt_at", now),
        *extra_params,
        limit,
        _db("claimed_until", now + lease()),
        _db("claim_id", claim_id),
        stamp,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = sorted(row[0] for row in cursor.fetchall())
    return claim_id, ids


def release(ids: Iterable[int], claim_id: uuid.UUID) -> int:
    """Give claimed, unsent deliveries back to the pool (the next tick claims them again)."""
    ids = list(ids)
    if not ids:
        return 0
    return Delivery.objects.filter(pk__in=ids, claim_id=claim_id, state=Delivery.State.PENDING).update(
        claimed_until=None, claim_id=None
    )


# --- delivering --------------------------------------------------------------------------------


def _load(deliveries: list[Delivery]) -> None:
    by_kind: dict[str, dict[int, Message]] = {}
    for delivery in deliveries:
        # One Message object per message: a person who gets it by e-mail and chat has two deliveries,
        # and the one built first must be the one its kind loaded.
        same = by_kind.setdefault(delivery.message.kind, {}).setdefault(delivery.message_id, delivery.message)
        delivery.message = same
    for name, messages in by_kind.items():
        kind = kinds.REGISTRY.get(name)
        if kind and kind.load:
            kind.load(list(messages.values()))


def _build(message: Message, cache: dict[int, object]):
    if message.pk not in cache:
        kind = kinds.REGISTRY.get(message.kind)
        try:
            # The whole build in the recipient's language, not only the templates render.py renders:
            # calendar attachments, link labels and anything else a kind writes reads as theirs.
            with translation.override(language_of(message.recipient)):
                cache[message.pk] = kind.build(message) if kind else Skip("unknown_kind")
        except Exception:  # noqa: BLE001 - a broken row must not stop the batch
            log.exception("message %s (%s) could not be built; skipped", message.pk, message.kind)
            cache[message.pk] = Skip("error")
    return cache[message.pk]


def _failed(delivery: Delivery, error: channels.DeliveryError, now: datetime, outcome: Outcome) -> None:
    if error.permanent or delivery.attempts >= MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, error=error.reason[:300], claimed_until=None
        )
        outcome.failed += 1
        log.warning("%s delivery %s failed: %s", delivery.channel, delivery.pk, error.reason)
        if delivery.channel != Delivery.Channel.EMAIL:
            # The person still hears about it: by e-mail, unless it went (or goes) that way already.
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        message_id=delivery.message_id, channel=Delivery.Channel.EMAIL, next_attempt_at=now
                    )
                ],
                ignore_conflicts=True,
            )
        return
    wait = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, delivery.attempts - 1))
    wait = max(wait, error.retry_after or 0)
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_until=None,
        claim_id=None,
        error=error.reason[:300],
        next_attempt_at=now + timedelta(seconds=wait),
    )
    outcome.retried += 1


def deliver(ids: Sequence[int], claim_id: uuid.UUID) -> Outcome:
    """Build and send claimed deliveries, stamping each right after it went."""
    outcome = Outcome()
    deliveries = list(
        Delivery.objects.filter(pk__in=ids, claim_id=claim_id)
        .select_related("message__recipient")
        .order_by("id")
    )
    if not deliveries:
        return outcome
    _load(deliveries)
    built: dict[int, object] = {}
    current = -1
    try:
        with channels.batch():
            for current, delivery in enumerate(deliveries):  # noqa: B007 - used on failure
                result = _build(delivery.message, built)
                now = timezone.now()
                if isinstance(result, Skip):
                    Delivery.objects.filter(pk=delivery.pk).update(
                        state=Delivery.State.SKIPPED, error=result.reason[:300], claimed_until=None
                    )
                    outcome.skipped[result.reason] = outcome.skipped.get(result.reason, 0) + 1
                    continue
                send = channels.CHANNELS.get(delivery.channel)
                try:
                    if send is None:
                        raise channels.DeliveryError(
                            f"channel {delivery.channel} is not available", permanent=True
                        )
                    provider_id = send(delivery.message, result)
                except channels.DeliveryError as error:
                    _failed(delivery, error, now, outcome)
                    continue
                Delivery.objects.filter(pk=delivery.pk).update(
                    state=Delivery.State.SENT,
                    sent_at=timezone.now(),
                    provider_id=(provider_id or "")[:200],
                    claimed_until=None,
                    error="",
                )
                outcome.sent += 1
    except channels.TRANSPORT_ERRORS:
        # The channel refused or the connection broke: the current message was not accepted.
        release([d.pk for d in deliveries[max(current, 0) :]], claim_id)
        raise
    except BaseException:
        # A time limit or a bug: the message in flight may or may not have gone, so it stays claimed
        # (delivered again once the lease runs out); the ones not yet tried go back now.
        release([d.pk for d in deliveries[current + 1 :]], claim_id)
        raise
    return outcome


def deliver_due(
    *,
    only_kinds: Sequence[str] | None = None,
    message_ids: Sequence[int] | None = None,
    budget_seconds: float | None = None,
    batch_size: int | None = None,
) -> Outcome:
    """Claim and deliver batches until nothing is due or the time budget (half the task's time
    limit: what is left waits for the next tick) is spent."""
    budget = settings.JOBS_TIME_LIMIT * 0.5 if budget_seconds is None else budget_seconds
    started = time.monotonic()
    total = Outcome()
    while True:
        claim_id, ids = claim(only_kinds=only_kinds, message_ids=message_ids, limit=batch_size)
        if not ids:
            return total
        total.add(deliver(ids, claim_id))
        if time.monotonic() - started > budget:
            return total


# --- reading -----------------------------------------------------------------------------------


def sent_refs(kind: str, ref_ids: Iterable[int]) -> set[int]:
    """The domain rows (by ``ref_id``) whose ``kind`` message went out by at least one channel."""
    return set(
        Message.objects.filter(
            kind=kind, ref_id__in=list(ref_ids), deliveries__state=Delivery.State.SENT
        ).values_list("ref_id", flat=True)
    )


def messages_withdraw(*, kind: str, ref_ids: Iterable[int], reason: str) -> int:
    """Skip the still-pending deliveries of these messages (e.g. demo history is not news)."""
    return Delivery.objects.filter(
        message__kind=kind, message__ref_id__in=list(ref_ids), state=Delivery.State.PENDING
    ).update(state=Delivery.State.SKIPPED, error=reason[:300], claimed_until=None)
