"""Claiming and sending outbox rows: the mechanics every e-mail job shares.

A tick (1) inserts the outbox rows that are due (``bulk_create(ignore_conflicts=True)`` against a
unique key, so a second tick inserts nothing), (2) claims up to ``JOBS_BATCH_SIZE`` unclaimed rows — or
rows whose claim is older than the lease — in ONE ``UPDATE … RETURNING`` statement, (3) loads the
claimed rows with everything needed in a constant number of queries and (4) sends them over one
mail connection, stamping ``sent_at`` on each row right after its message was handed over.

What this guarantees, honestly:

* Two ticks at once (two beats, two workers) never send the same row: on PostgreSQL the claim's
  ``FOR UPDATE SKIP LOCKED`` gives each a disjoint set; on SQLite the embedded settings begin
  every write transaction IMMEDIATE, so writers run one after the other.
* A worker killed mid-batch (SIGKILL, OOM, power loss) loses nothing: its unsent rows stay claimed
  until the lease (``JOBS_CLAIM_LEASE_SECONDS``, longer than a tick's hard time limit) runs out and
  a later tick claims them again.
* The window: a message that the mail server accepted in the instant before the process died, but
  whose ``sent_at`` was not yet written, is sent a second time. That is at most the one message in
  flight per killed worker; exactly-once delivery over SMTP is not possible without the server's
  help. Kills between messages (the usual case: most of the time goes to talking to the server)
  send nothing twice.
* A row that turns out to be no longer valid is stamped ``skipped_at`` (with a reason), never sent.

The claim, the stamps and the releases run in autocommit on purpose: each must be visible to other
workers at once, so none of this may run inside ``transaction.atomic``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models
from django.utils import timezone

log = logging.getLogger(__name__)

# Rows per INSERT; the rows per claim come from settings.JOBS_BATCH_SIZE.
INSERT_BATCH = 500
# Rows not yet sent nor skipped (the DEFAULT columns).
PENDING_SQL = "sent_at IS NULL AND skipped_at IS NULL"
# Mail transport failures: the rows go back to the pool and the task retries with backoff.
TRANSPORT_ERRORS = (SMTPException, OSError)


@dataclass(frozen=True)
class Columns:
    """The claim columns of one kind of e-mail in a table (invitations have two kinds)."""

    claimed_at: str = "claimed_at"
    claim_id: str = "claim_id"
    sent_at: str = "sent_at"


DEFAULT = Columns()


@dataclass
class Skip:
    """Returned by a message builder instead of a message: don't send this row, and why."""

    reason: str


@dataclass
class Outcome:
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    created: int = 0

    def add(self, other: Outcome) -> None:
        self.sent += other.sent
        self.created += other.created
        for reason, n in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def as_dict(self) -> dict[str, object]:
        return {"created": self.created, "sent": self.sent, "skipped": dict(self.skipped)}


def lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_CLAIM_LEASE_SECONDS)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _db_value(model: type[models.Model], field_name: str, value: object) -> object:
    return model._meta.get_field(field_name).get_db_prep_value(value, connection)


def claim(
    model: type[models.Model],
    *,
    where: str,
    params: Sequence[object] = (),
    limit: int | None = None,
    columns: Columns = DEFAULT,
    now: datetime | None = None,
) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ``limit`` (default ``JOBS_BATCH_SIZE``) rows matching ``where`` (SQL over the
    table's own columns) that are unclaimed or whose claim is older than the lease — in one
    statement. Returns (claim id, claimed ids)."""
    now = now or timezone.now()
    limit = limit or settings.JOBS_BATCH_SIZE
    claim_id = uuid.uuid4()
    table = _quote(model._meta.db_table)
    claimed, cid = _quote(columns.claimed_at), _quote(columns.claim_id)
    free = f"({claimed} IS NULL OR {claimed} < %s)"
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    expired = _db_value(model, columns.claimed_at, now - lease())
    # Identifiers come from the model and are quoted; every value is a bound parameter.
    # str.format (not an f-string) so bandit sees one string and its B608 exemption matches it.
    sql = (  # noqa: S608, UP032
        "UPDATE {table} SET {claimed} = %s, {cid} = %s "
        "WHERE {free} AND id IN (SELECT id FROM {table} WHERE ({where}) AND {free} "
        "ORDER BY id LIMIT %s{lock}) RETURNING id"
    ).format(table=table, claimed=claimed, cid=cid, free=free, where=where, lock=lock)  # nosec B608
    values = [
        _db_value(model, columns.claimed_at, now),
        _db_value(model, columns.claim_id, claim_id),
        expired,
        *params,
        expired,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = sorted(row[0] for row in cursor.fetchall())
    return claim_id, ids


def release(
    model: type[models.Model], ids: Iterable[int], claim_id: uuid.UUID, columns: Columns = DEFAULT
) -> int:
    """Give claimed, unsent rows back to the pool (the next tick claims them again)."""
    ids = list(ids)
    if not ids:
        return 0
    return model.objects.filter(
        pk__in=ids, **{columns.claim_id: claim_id, f"{columns.sent_at}__isnull": True}
    ).update(**{columns.claimed_at: None, columns.claim_id: None})


def skip(model: type[models.Model], skipped: dict[str, list[int]], *, now: datetime | None = None) -> None:
    """Stamp rows that must never be sent (one UPDATE per reason)."""
    now = now or timezone.now()
    for reason, ids in skipped.items():
        if ids:
            model.objects.filter(pk__in=ids, sent_at__isnull=True).update(
                skipped_at=now, skipped_reason=reason[:40]
            )


Builder = Callable[[models.Model], "EmailMessage | Skip"]
Marker = Callable[[models.Model, datetime], dict[str, object]]


def deliver(
    model: type[models.Model],
    rows: Sequence[models.Model],
    *,
    claim_id: uuid.UUID,
    build: Builder,
    prepare: Callable[[list[models.Model]], None] | None = None,
    mark: Marker | None = None,
    columns: Columns = DEFAULT,
    on_skip: Callable[[dict[str, list[int]]], None] | None = None,
) -> Outcome:
    """Send claimed rows over ONE mail connection, stamping each right after its message went.

    ``build(row)`` returns the message or a :class:`Skip`; ``prepare(rows_to_send)`` runs once
    before sending (e.g. storing token hashes in one statement); ``mark(row, now)`` gives extra
    columns to set together with the sent stamp. A transport error gives every unsent row back
    and re-raises, so the task retries with backoff.
    """
    outcome = Outcome()
    skipped: dict[str, list[int]] = {}
    messages: list[tuple[models.Model, EmailMessage]] = []
    for row in rows:
        try:
            result = build(row)
        except Exception:  # noqa: BLE001 - a broken row must not stop the batch
            log.exception("%s %s could not be built; skipped", model.__name__, row.pk)
            result = Skip("error")
        if isinstance(result, Skip):
            skipped.setdefault(result.reason, []).append(row.pk)
        else:
            messages.append((row, result))
    if skipped:
        (on_skip or (lambda s: skip(model, s)))(skipped)
        outcome.skipped = {reason: len(ids) for reason, ids in skipped.items()}
    if not messages:
        return outcome
    if prepare:
        prepare([row for row, _message in messages])
    mail = get_connection()
    current = -1  # the message being handed over; -1 while the connection opens
    try:
        mail.open()
        for current, (row, message) in enumerate(messages):  # noqa: B007 - used on failure
            message.connection = mail
            message.send()
            now = timezone.now()
            model.objects.filter(pk=row.pk).update(
                **{columns.sent_at: now, **(mark(row, now) if mark else {})}
            )
            outcome.sent += 1
    except TRANSPORT_ERRORS:
        # The server refused or the connection broke: the current message was not accepted.
        release(model, [row.pk for row, _m in messages[max(current, 0) :]], claim_id, columns)
        raise
    except BaseException:
        # A time limit or a bug: the message in flight may or may not have gone, so it stays
        # claimed (sent again once the lease runs out); the ones not yet tried go back now.
        release(model, [row.pk for row, _m in messages[current + 1 :]], claim_id, columns)
        raise
    finally:
        try:
            mail.close()
        except TRANSPORT_ERRORS:
            log.warning("Closing the mail connection failed", exc_info=True)
    return outcome


def drain(step: Callable[[], tuple[int, Outcome]], *, budget_seconds: float | None = None) -> Outcome:
    """Run ``step`` (claim one batch, send it) until nothing is claimed or the time budget is spent.

    The budget keeps a tick well inside its soft time limit; what is left waits for the next tick.
    """
    budget = settings.JOBS_TIME_LIMIT * 0.5 if budget_seconds is None else budget_seconds
    started = time.monotonic()
    total = Outcome()
    while True:
        claimed, outcome = step()
        total.add(outcome)
        if not claimed or time.monotonic() - started > budget:
            return total


def claim_and_send(
    model,
    *,
    where: str,
    params=(),
    load,
    build,
    prepare=None,
    mark=None,
    columns: Columns = DEFAULT,
    on_skip=None,
    batch_size: int | None = None,
) -> Outcome:
    """Drain: claim a batch in one statement, load it in a fixed number of queries, send it."""

    def step() -> tuple[int, Outcome]:
        claim_id, ids = claim(model, where=where, params=params, limit=batch_size, columns=columns)
        if not ids:
            return 0, Outcome()
        rows = load(ids)
        return len(ids), deliver(
            model,
            rows,
            claim_id=claim_id,
            build=build,
            prepare=prepare,
            mark=mark,
            columns=columns,
            on_skip=on_skip,
        )

    return drain(step)
