"""The one renderer: a subject, a text body and an HTML body per message.

Templates live beside their app: ``templates/<app>/emails/<name>_subject.txt``, ``<name>_body.txt``
and ``<name>_body.html``. The subject and the text body are rendered with autoescape OFF (they are
plain text: "Data & analytics tools" must not read "Data &amp; analytics tools"); the HTML body with
it on. Everything is rendered in the recipient's language and time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template import Context, engines
from django.utils import timezone, translation

BRAND = "Flipside"


@dataclass
class Rendered:
    """What every channel needs to deliver a message (e-mail uses all of it, chat the text and links)."""

    subject: str
    text: str
    html: str
    to: str
    from_email: str
    headers: dict[str, str] = field(default_factory=dict)
    # (file name, content, MIME type), e.g. a calendar invitation.
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # (label, absolute URL): the buttons of a chat message, the same links as the e-mail.
    links: list[tuple[str, str]] = field(default_factory=list)


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def language_of(recipient) -> str:
    return getattr(recipient, "language", "") or settings.LANGUAGE_CODE


def sender(brand: str | None) -> str:
    """``brand`` (e.g. the program's name) as the sender's name, at the deployment's sending address."""
    if not brand:
        return settings.DEFAULT_FROM_EMAIL
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((brand, address or "flipside@localhost"))


def _render(name: str, context: dict, *, autoescape: bool) -> str:
    # The Django backend's own Template, so the Context decides escaping (includes inherit it).
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=autoescape))


def render_parts(template: str, context: dict, *, recipient) -> tuple[str, str, str]:
    """(subject, text, html) of ``templates/<template>_{subject.txt,body.txt,body.html}``, e.g.
    ``template="meetings/emails/reminder"``, in the recipient's language and time zone."""
    ctx = {"recipient": recipient, "site_url": settings.SITE_URL, **context}
    zone = getattr(recipient, "zone", None) or timezone.get_default_timezone()
    with translation.override(language_of(recipient)), timezone.override(zone):
        subject = " ".join(_render(f"{template}_subject.txt", ctx, autoescape=False).split())
        text = _render(f"{template}_body.txt", ctx, autoescape=False)
        html = _render(f"{template}_body.html", ctx, autoescape=True)
    return subject, text, html


def render(
    *,
    template: str,
    recipient,
    context: dict,
    brand: str | None = None,
    prefix: bool = True,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    links: list[tuple[str, str]] | None = None,
) -> Rendered:
    """Render one message for ``recipient`` (a User). ``brand`` names the sender and prefixes the
    subject (``[Program] …``; ``[Flipside] …`` without one) unless ``prefix`` is False."""
    subject, text, html = render_parts(template, context, recipient=recipient)
    if prefix:
        subject = f"[{brand or BRAND}] {subject}"
    return Rendered(
        subject=subject,
        text=text,
        html=html,
        to=to or recipient.email,
        from_email=sender(brand),
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
        attachments=list(attachments or []),
        links=list(links or []),
    )
