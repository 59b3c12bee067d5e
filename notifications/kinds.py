"""The kinds of message and how each is built when its turn comes.

Apps register their kinds when they load (``AppConfig.ready``); this app knows none of them. A kind's
``load(messages)`` fetches what a batch of its messages needs in a fixed number of queries (usually
by ``Message.ref_id``) and ``build(message)`` returns a :class:`~notifications.render.Rendered` or a
:class:`Skip` when the message is no longer relevant (a moved session, a withdrawn participant).
Building at delivery time, not at queueing time, is what makes the skip checks current.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db import models

    from notifications.models import Message
    from notifications.render import Rendered

# The preference groups a person chooses channels for (see ``channels.channels_for``).
GROUPS = ("reminders", "surveys", "nudges", "other")


@dataclass
class Skip:
    """Returned by a builder instead of a message: don't send this one, and why."""

    reason: str


@dataclass(frozen=True)
class Kind:
    name: str
    build: Callable[[Message], Rendered | Skip]
    load: Callable[[list[Message]], object] | None = None
    group: str = "other"


REGISTRY: dict[str, Kind] = {}


def register(
    name: str,
    *,
    build: Callable[[Message], Rendered | Skip],
    load: Callable[[list[Message]], object] | None = None,
    group: str = "other",
) -> Kind:
    if group not in GROUPS:
        raise ValueError(f"unknown preference group {group!r}")
    kind = Kind(name=name, build=build, load=load, group=group)
    REGISTRY[name] = kind
    return kind


def get(name: str) -> Kind:
    return REGISTRY[name]


def attach_refs(model: type[models.Model], messages: Sequence[Message], *related: str) -> None:
    """Set ``message.ref`` to the ``model`` row its ``ref_id`` names (None if deleted), in one query."""
    rows = model._default_manager.select_related(*related).in_bulk({m.ref_id for m in messages})
    for message in messages:
        message.ref = rows.get(message.ref_id)


def newest_per_recipient(rows: models.QuerySet, about: str) -> dict[tuple[int, int], int]:
    """{(``about`` id, recipient id): newest row id} of these notice rows, in one query: a notice that
    carries a calendar state is skipped when a newer one to the same person about the same thing exists."""
    newest: dict[tuple[int, int], int] = {}
    for about_id, recipient_id, pk in rows.values_list(f"{about}_id", "recipient_id", "id"):
        newest[(about_id, recipient_id)] = max(newest.get((about_id, recipient_id), 0), pk)
    return newest
