"""Rendering the jobs' e-mails: a subject, a text body and an HTML body per message.

Each message is rendered in its recipient's time zone, carries the program's name as its
branding (sender name, subject prefix, header of the HTML layout) and a header naming the
outbox row it comes from (``X-Flipside-Outbox``), which makes duplicates easy to spot.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

UNSUBSCRIBE_SALT = "surveys.nudges-unsubscribe"


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(token: str) -> int | None:
    """The user id in a nudge unsubscribe token, or None for a forged or mangled one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user) -> str:
    return site_url(reverse("surveys:unsubscribe", args=[unsubscribe_token(user)]))


def sender(program) -> str:
    """The program's name as the sender's name, at the deployment's sending address."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if program is None:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((program.name, address or "flipside@localhost"))


def render(
    *, template: str, recipient, program, context: dict, outbox: str, headers: dict[str, str] | None = None,
    folder: str = "surveys",
) -> EmailMultiAlternatives:
    """Build one message from ``templates/emails/<folder>/<template>{_subject.txt,.txt,.html}``."""
    base = f"emails/{folder}/{template}"
    ctx = {**context, "recipient": recipient, "program": program, "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE), timezone.override(recipient.zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", ctx).split())
        text = render_to_string(f"{base}.txt", ctx)
        html = render_to_string(f"{base}.html", ctx)
    prefix = f"[{program.name}] " if program is not None else "[Flipside] "
    message = EmailMultiAlternatives(
        subject=prefix + subject,
        body=text,
        from_email=sender(program),
        to=[recipient.email],
        headers={"X-Flipside-Outbox": outbox, "Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    return message
