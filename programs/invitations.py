"""Inviting employees to Flipside: one at a time, or everyone not yet invited in a background job.

Every invitation is an ``EmployeeInvitation`` row and an outbox message (``notifications``, kind
"invitation"), queued in the same transaction and built when it is delivered (the password link is
made then, and nobody who signed in meanwhile gets it). The "invite everyone" job locks each person
before inviting them and keys their first invitation's message by person, so running it twice — or a
redelivered task — never invites anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_hr_admin
from notifications import kinds, outbox, render
from programs.models import EmployeeInvitation, InvitationBatch, OrgChange

log = logging.getLogger(__name__)
# People invited per transaction by the background job (each chunk also updates the progress).
CHUNK = 100


@dataclass
class InviteResult:
    user: User
    created: bool
    sent: bool


def invitation_link(user: User) -> str:
    """Where the invited person sets their password (allauth's password-reset-from-key page)."""
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user),
                           "key": default_token_generator.make_token(user)})
    return settings.SITE_URL + path


INVITATION = "invitation"


def _load_invitations(messages) -> None:
    kinds.attach_refs(EmployeeInvitation, messages, "user")


def _invitation_message(message):
    invitation: EmployeeInvitation | None = message.ref
    if invitation is None:
        return kinds.Skip("deleted")
    user = invitation.user
    if not user.is_active:
        return kinds.Skip("inactive")
    if user.last_login is not None or user.has_usable_password():
        return kinds.Skip("signed_in")  # they found their way in meanwhile
    link = invitation_link(user)
    context = {"user": user, "inviter_name": message.context.get("inviter", ""), "link": link,
               "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)}
    return render.render(template="programs/emails/invitation", recipient=user, context=context, prefix=False,
                         links=[(_("Choose your password"), link)])


def register() -> None:
    kinds.register(INVITATION, build=_invitation_message, load=_load_invitations, group="other")


def _queue_invitation(invitation: EmployeeInvitation, inviter: str, key: str = "") -> int:
    key = key or f"{INVITATION}:{invitation.pk}"
    message = outbox.message_queue(kind=INVITATION, key=key, recipient=invitation.user, ref_id=invitation.pk,
                                   context={"inviter": inviter})
    return message.pk


@transaction.atomic
def employee_invite(*, actor: User, email: str, full_name: str, department: str = "",
                    job_title: str = "", level: int | None = None, manager: User | None = None,
                    location: str = "", time_zone: str = "UTC") -> InviteResult:
    """Create an employee (if new) and e-mail them a link to set their password.

    An existing person who has never signed in gets the invitation again; anyone who has
    signed in already is left alone. Nobody is created twice.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is not None and not user.is_active:
        raise ValidationError({"email": _("%(email)s belongs to a deactivated account.") % {"email": email}})
    if user is not None and (user.last_login is not None or user.has_usable_password()):
        return InviteResult(user=user, created=False, sent=False)
    if user is None:
        user = User(email=email, full_name=full_name.strip(), department=department.strip(),
                    job_title=job_title.strip(), level=level, manager=manager,
                    location=location.strip(), time_zone=time_zone or "UTC")
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    invitation = EmployeeInvitation.objects.create(user=user, invited_by=actor)
    outbox.send_soon([_queue_invitation(invitation, actor.display_name)])
    OrgChange.objects.create(actor=actor, area="people",
                             summary=(_("Invited %(email)s") if created else _("Invited %(email)s again"))
                             % {"email": email})
    return InviteResult(user=user, created=created, sent=True)


# --- everyone not yet invited, in the background ------------------------------------------------


def _never_invited():
    """Active people who have never been invited and never signed in (the ones an invitation helps)."""
    # NOT IN (invited people), not NOT EXISTS: PostgreSQL hashes the invited ids once instead of
    # probing invitations per person, which halves the People page's count at 20,000 people.
    # (An invitation's user is never NULL, so NOT IN means what it says.)
    invited = EmployeeInvitation.objects.values("user_id")
    no_password = Q(password="") | Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    return User.objects.filter(no_password, is_active=True, last_login__isnull=True).exclude(pk__in=invited)


def uninvited_count() -> int:
    return _never_invited().count()


@transaction.atomic
def invitation_batch_start(*, actor: User) -> InvitationBatch:
    """Start inviting everyone not yet invited; a worker does it (see ``programs.tasks``)."""
    from notifications.tasks import enqueue_on_commit
    from programs.tasks import invite_everyone

    total = uninvited_count()
    if not total:
        raise ValidationError(_("Everyone has been invited already."))
    batch = InvitationBatch.objects.create(started_by=actor, total=total)
    OrgChange.objects.create(actor=actor, area="people",
                             summary=_("Started inviting %(n)d people not yet invited") % {"n": total})
    enqueue_on_commit(invite_everyone, batch.pk)
    return batch


def invitation_batch_run(*, batch_id: int) -> InvitationBatch:
    """Invite everyone not yet invited, CHUNK people per transaction, updating the batch's progress."""
    batch = InvitationBatch.objects.select_related("started_by").get(pk=batch_id)
    if batch.finished_at is not None:
        return batch
    InvitationBatch.objects.filter(pk=batch.pk).update(status=InvitationBatch.Status.RUNNING)
    inviter = batch.started_by.display_name if batch.started_by else ""
    while True:
        message_ids = _invite_chunk(batch, inviter)
        if message_ids is None:
            break
        outbox.deliver_due(message_ids=message_ids)
    InvitationBatch.objects.filter(pk=batch.pk).update(status=InvitationBatch.Status.DONE,
                                                       finished_at=timezone.now())
    batch.refresh_from_db()
    log.info("invitation batch %s done: %s invited", batch.pk, batch.done)
    return batch


@transaction.atomic
def _invite_chunk(batch: InvitationBatch, inviter: str) -> list[int] | None:
    """Invite the next CHUNK people (locked, so a second run skips them); None when nobody is left."""
    ids = list(_never_invited().order_by("pk").values_list("pk", flat=True)[:CHUNK])
    if not ids:
        return None
    users = list(_never_invited().select_for_update().filter(pk__in=ids).order_by("pk"))
    message_ids = []
    for user in users:
        invitation = EmployeeInvitation.objects.create(user=user, invited_by=batch.started_by)
        # Keyed by person: a second run never queues a first invitation for them again.
        message_ids.append(_queue_invitation(invitation, inviter, key=f"{INVITATION}:first:{user.pk}"))
    InvitationBatch.objects.filter(pk=batch.pk).update(done=F("done") + len(users))
    return message_ids


def get_invitation_batch_for_hr(user: User, pk: int) -> InvitationBatch:
    """A batch of invitations, for HR admins only; 404 for anyone else."""
    if not is_hr_admin(user):
        raise Http404
    batch = InvitationBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch
